// Live updates on the serverless flavour, on the emulators: commit-to-post delay for one game's
// subscribers, DynamoDB calls and capacity per delivered event.
import { startDynamoLocal } from '../../src/ops/local.js';
import { writeServerlessLiveSection } from '../report/serverless-live.js';
import { runServerlessLiveBench } from '../serverless-live.js';
import type { Phase } from './bench.js';

export const serverlessLive: Phase = {
  title: 'live updates on API Gateway + Lambda (emulated): commit-to-post delay, DynamoDB per event',
  async run(b) {
    if (!b.selected('serverless-live')) return;
    // Its own DynamoDB Local, as the live phases have: the shared one holds every earlier phase's tables and stream records.
    const dynamo = await startDynamoLocal();
    b.place('DynamoDB Local for the serverless phase (java, in memory)', dynamo.pid);
    let r;
    try {
      r = await runServerlessLiveBench({ endpoint: dynamo.endpoint, quick: b.quick, log: b.log });
    } finally {
      await dynamo.stop();
    }
    writeServerlessLiveSection(b.options.outDir, r);
    // Deterministic facts fail the run: per event, one replay entry and one progress start (PutItem)
    // and one progress write per chunk of subscribers (UpdateItem), never a write per subscriber (the
    // Queries, the subscribers' and the live-query watch lookups, depend on how the stream batches records).
    const { UpdateItem = 0, PutItem = 0 } = r.perEvent.calls;
    if (UpdateItem !== r.chunks || PutItem !== 2) {
      throw new Error(
        `Serverless delivery made ${UpdateItem} UpdateItem and ${PutItem} PutItem per event for ${r.subscribers} subscribers in ${r.chunks} chunks; expected ${r.chunks} and 2.`,
      );
    }
  },
};
