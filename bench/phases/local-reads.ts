// Reads against DynamoDB Local: ours against naive, in interleaved windows.
import type { Measured } from '../results.js';
import { compare } from '../windows.js';
import type { Phase } from './bench.js';

export const localReads: Phase = {
  title: 'reads against DynamoDB Local: ours vs naive, interleaved windows',
  async run(b) {
    const targets = [b.target('ours@dynamodb-local'), b.target('naive@dynamodb-local')];
    await b.warmUp(targets, b.scenarios);
    for (const s of b.scenarios) {
      const window = s.fanout > 100 ? b.settings.bigWindowS : b.settings.windowS;
      const bodies = new Map(targets.map((t) => [t, b.walked(t, s)]));
      const rows = await compare(s, targets, bodies, window, b.settings.warmupS, b.settings.rounds);
      b.measured.push(...rows);
      const [o, n] = rows as [Measured, Measured];
      const side = (m: Measured, w: number) =>
        `${m.opsPerSec.toFixed(1).padStart(8)} op/s p50 ${String(m.p50Ms).padStart(5)} ms ${m.callsPerOp.toFixed(1).padStart(w)} calls ${m.cpuMsPerOp.toFixed(3)} cpu-ms`;
      b.log(
        `${s.id.padEnd(16)} ours ${side(o, 6)} | naive ${side(n, 7)} | ×${(o.opsPerSec / n.opsPerSec).toFixed(2)} (floor ${s.floor.calls}, sample ${o.sample.calls})`,
      );
    }
  },
};
