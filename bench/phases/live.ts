// Live updates on one process: write-to-message delay, fan-out, memory per connection, idle stream reader.
import { runLiveBench, writeLiveSection } from '../live.js';
import type { Phase } from './bench.js';

export const live: Phase = {
  title: 'live updates: write-to-message delay, fan-out, memory per connection, idle stream reader',
  async run(b) {
    if (!b.selected('live')) return b.log('not selected by --only: skipped');
    writeLiveSection(b.options.outDir, await runLiveBench({ endpoint: b.dynamo!.endpoint, quick: b.quick, log: b.log }));
  },
};
