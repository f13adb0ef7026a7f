// Latency under the DynamoDB latency model: its own stub and servers, started and stopped within the phase.
import { runLatency } from '../latency.js';
import { CONNECTIONS, HERE, TABLE } from '../settings.js';
import type { Phase } from './bench.js';

export const latency: Phase = {
  title: 'latency under the DynamoDB latency model: ours, textbook and naive at concurrency 1 and 16',
  async run(b) {
    // The smoke run keeps the ops where a wave is saved (fan-outs 10 and 100, the game of 50): CI's time budget.
    const list = b.scenarios.filter((x) => !b.quick || (x.group === 'fanout' && x.fanout >= 10) || x.id === 'game-50');
    if (!list.length) return b.log('no scenario selected: skipped');
    b.latency = await runLatency(
      list,
      b.quick
        ? { lowOps: 10, lowMaxS: 2, warmOps: 2, highS: 0.5, high: CONNECTIONS, seed: 17 }
        : { lowOps: 100, lowMaxS: 8, warmOps: 20, highS: 3, high: CONNECTIONS, seed: 17 },
      { here: HERE, table: TABLE, serverCpus: b.serverCpus, logDir: b.logDir, log: b.log },
    );
  },
};
