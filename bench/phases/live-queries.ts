// @live queries on one process (bench/live-queries.ts): write-to-result delay, 10,000 open live
// queries under a steady stream of writes, and the same clients polling instead. Runs before the
// report, which writes its section and targets; its deterministic facts fail the run (verdict.ts).
import { runLiveQueryBench } from '../live-queries.js';
import type { Phase } from './bench.js';

export const liveQueries: Phase = {
  title: '@live queries: write-to-result delay, many open live queries under a stream of writes, polling beside',
  async run(b) {
    if (!b.selected('live-queries')) return b.log('not selected by --only: skipped');
    b.liveQueries = await runLiveQueryBench({ endpoint: b.dynamo!.endpoint, quick: b.quick, cpus: b.serverCpus, log: b.log });
  },
};
