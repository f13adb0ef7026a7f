// Live updates on the serverless flavour, on the emulators: commit-to-post delay for one game's
// subscribers, DynamoDB calls and capacity per delivered event.
import { writeServerlessLiveSection } from '../report/serverless-live.js';
import { runServerlessLiveBench } from '../serverless-live.js';
import type { Phase } from './bench.js';

export const serverlessLive: Phase = {
  title: 'live updates on API Gateway + Lambda (emulated): commit-to-post delay, DynamoDB per event',
  async run(b) {
    if (!b.selected('serverless-live')) return;
    const r = await runServerlessLiveBench({ endpoint: b.dynamo!.endpoint, quick: b.quick, log: b.log });
    writeServerlessLiveSection(b.options.outDir, r);
    // A deterministic fact fails the run: one claim per subscriber, plus the replay write and the subscribers' Query.
    if (r.perEvent.totalCalls !== r.subscribers + 2) {
      throw new Error(
        `Serverless delivery made ${r.perEvent.totalCalls} DynamoDB calls per event for ${r.subscribers} subscribers; expected ${r.subscribers + 2}.`,
      );
    }
  },
};
