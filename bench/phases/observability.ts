// Server CPU per op with metrics, with tracing (ratio 0.1), and with neither: ours against the stub.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { measureObserveOverhead } from '../observe-overhead.js';
import { TABLE } from '../settings.js';
import type { Phase } from './bench.js';

export const observability: Phase = {
  title: 'observability overhead: ours against the stub with metrics, with tracing (ratio 0.1), and with neither',
  async run(b) {
    const observed = b.stubScenarios.find((x) => x.fanout === 10) ?? b.stubScenarios[0];
    if (!observed) return b.log('no stub scenario selected: skipped');
    b.observability = await measureObserveOverhead({
      endpoint: b.stubEndpoint!,
      table: TABLE,
      scenario: { id: observed.id, body: b.walked(b.target('ours@stub'), observed).bodies[0]! },
      cpus: b.serverCpus,
      logDir: b.logDir,
      rounds: b.quick ? 1 : 9,
      windowS: b.quick ? 1 : 3,
      log: b.log,
    });
    writeFileSync(join(b.options.outDir, 'observe-overhead.json'), `${JSON.stringify(b.observability, null, 2)}\n`);
  },
};
