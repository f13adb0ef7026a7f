// Live updates on the serverless flavour, on the emulators: commit-to-post delay for one game's
// subscribers, DynamoDB calls and capacity per delivered event.
import { writeServerlessLiveSection } from '../report/serverless-live.js';
import { runServerlessLiveBench } from '../serverless-live.js';
import type { Phase } from './bench.js';

export const serverlessLive: Phase = {
  title: 'live updates on API Gateway + Lambda (emulated): commit-to-post delay, DynamoDB per event',
  async run(b) {
    if (!b.selected('serverless-live')) return;
    writeServerlessLiveSection(
      b.options.outDir,
      await runServerlessLiveBench({ endpoint: b.dynamo!.endpoint, quick: b.quick, log: b.log }),
    );
  },
};
