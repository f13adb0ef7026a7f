// Live updates on three instances sharing Redis, beside one process: its own processes and file.
import { runLiveCluster } from '../live-cluster.js';
import type { Phase } from './bench.js';

export const liveCluster: Phase = {
  title: 'live updates on three instances sharing Redis (bench/live-cluster.ts)',
  async run(b) {
    if (b.selected('live-cluster')) await runLiveCluster({ quick: b.quick, outDir: b.options.outDir });
  },
};
