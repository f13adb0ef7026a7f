// Lambda cold start: the bundled handler against a plain Apollo bundle, fresh processes against the stub.
import { measureColdStart } from '../cold-start.js';
import { TABLE } from '../settings.js';
import type { Phase } from './bench.js';

export const coldStart: Phase = {
  title: 'Lambda cold start: the bundled handler vs a plain Apollo bundle, fresh processes against the stub',
  async run(b) {
    if (!b.selected('cold-start')) return b.log('not selected by --only: skipped');
    b.coldStart = await measureColdStart({ endpoint: b.stubEndpoint!, table: TABLE, runs: b.quick ? 2 : 7, cpus: b.serverCpus });
    for (const x of b.coldStart.variants)
      b.log(
        `${x.variant.padEnd(6)} ${(x.bytes / 1e6).toFixed(2)} MB: first answer ${x.answerMs.toFixed(0)} ms (import ${x.importMs.toFixed(0)} ms), CPU ${x.cpuMs.toFixed(0)} ms, heap ${x.heapMiB.toFixed(1)} MiB`,
      );
  },
};
