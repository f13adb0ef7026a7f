// The stream batch Lambda gave up on (retries exhausted, or older than the mapping's maximum
// record age) becomes RESYNC for the topics it touched: never a silent gap. Lambda's on-failure
// destination (an SQS queue) gets where the batch was, not its records (DDBStreamBatchInfo), so
// this handler reads that range of the shard again (live/stream/range.ts), maps each record to
// topics with the same pure functions as the delivery function (live/events.ts) and posts RESYNC
// to every subscriber of those topics. It also does the stream's one side effect the batch may
// have missed (an expired game's players swept). The same records go to the live-query batch
// (live-delivery.ts) as the delivery function's own would: every @live query whose watches they
// hit re-runs once, and posts a new revision if its result changed (a re-run reads the table as it
// is now, so a late one is still right). The re-runs come before the RESYNCs: a re-run that fails
// fails the message, and its retry re-runs (a same result posts nothing) before any RESYNC is sent.
//
// Each touched topic also gets a RESYNC in its replay window at the batch's end, so a client that
// resumes with a cursor from before the gap gets RESYNC from its catch-up instead of the events
// after the gap alone. A subscriber's live RESYNC carries the latest of the batch's end, the topic's
// newest kept event and the subscriber's own cursor: the delivery function goes on with the next
// batches meanwhile, and a client's cursor must never move back.
//
// When the stream no longer has the range (past its 24 h retention: this queue's messages
// waited that long), the topics cannot be known: every subscription open gets RESYNC and every
// open live query re-runs once, both found in one walk of the connections (InvertedIndex
// SK = #CONNECTION, then each connection's partition: data/connections/everyone.ts), and a
// warning says so. The replay window (minutes) holds nothing that old, so a resuming client gets
// RESYNC from its catch-up anyway.
//
// SQS delivers at least once: a message received again (or failed after some posts) must not send
// a subscriber the same RESYNC twice, so each is claimed first on the subscriber item, per batch
// (post.ts's postResync: its shard and range in the item's `resyncs`). Its live queries re-run again, and
// post nothing if their result is unchanged.
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { topicSubscribers } from '../data/connections/connections.js';
import { openSubscriptions } from '../data/connections/everyone.js';
import { isConnectionBookkeeping } from '../data/connections/removal.js';
import { fromPosition, latestReplayPosition, positionOf, recordReplay } from '../data/connections/replay.js';
import { toEntityChange } from '../data/changes.js';
import type { CallListener } from '../data/dynamo/cost.js';
import { isLiveBookkeeping } from '../data/live/lease.js';
import { deriveEvents } from '../live/events.js';
import type { Delivery } from '../live/feed.js';
import { readRange } from '../live/stream/range.js';
import type { ChangeRecord } from '../live/stream/records.js';
import { isGameRemoval, sweepPlayers } from '../live/sweep.js';
import { eachLimited } from './fan-out.js';
import { liveBatch, type LiveBatch } from './live-delivery.js';
import { parseOnFailureRecord, type OnFailureRecord } from './on-failure-record.js';
import { postResync, type PostDeps } from './post.js';

export interface OnFailureDeps extends Omit<PostDeps, 'now'> {
  streams: DynamoDBStreamsClient;
  /** Posts in flight at once for one topic. */
  concurrency: number;
  /** Where the stream calls are reported (source resync). */
  onCall?: CallListener;
  now?: () => Date;
}

export type OnFailureHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

const RESYNC = { kind: 'RESYNC' } as const;
const LAST = Number.MAX_SAFE_INTEGER;

export function createOnFailureHandler(deps: OnFailureDeps): OnFailureHandler {
  const { db, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const post: PostDeps = { ...deps, now };

  /** The batch's records (bookkeeping left out), or null when the stream no longer has it. */
  const readBatch = async (f: OnFailureRecord): Promise<ChangeRecord[] | null> => {
    const b = f.DDBStreamBatchInfo;
    const range = { streamArn: b.streamArn, shardId: b.shardId, start: b.startSequenceNumber, end: b.endSequenceNumber };
    const records = await readRange(deps.streams, range, { source: 'resync', onCall: deps.onCall });
    if (records === 'unreadable') return null;
    return records.filter((r) => !isConnectionBookkeeping(r.keys) && !isLiveBookkeeping(r.keys));
  };

  /** The topics the records touched; each record also noted for the live queries it hits. */
  const touchedTopics = async (records: ChangeRecord[], live: LiveBatch): Promise<string[]> => {
    const topics = new Set<string>();
    for (const [i, r] of records.entries()) {
      if (isGameRemoval(r)) await sweepPlayers(db, r, logger);
      const change = toEntityChange(r.keys, r.oldImage, r.newImage);
      for (const e of change ? deriveEvents(change) : []) topics.add(e.topic);
      await live.note(r, i);
    }
    return [...topics];
  };

  /** Runs the live queries noted; throws if any failed, so the message is retried. */
  const rerunLive = async (live: LiveBatch) => {
    if ((await live.flush()) !== null) throw new Error('a live query re-run for a given-up stream batch failed');
  };

  const resyncTopic = async (topic: string, f: OnFailureRecord, keep: boolean) => {
    const end = f.DDBStreamBatchInfo.endSequenceNumber;
    if (keep) {
      // Kept first, as the delivery function keeps events: a subscription written meanwhile finds it in its catch-up.
      const event = JSON.stringify({ topic, ...RESYNC });
      await recordReplay(db, topic, { sequence: end, index: LAST, event, writtenAt: now().getTime() }, now());
    }
    // The delivery function goes on with later batches meanwhile: no RESYNC may carry a cursor before an event already posted.
    const latest = await latestReplayPosition(db, topic);
    for await (const page of topicSubscribers(db, topic)) {
      await eachLimited(page, deps.concurrency, (s) => postResync(post, s, resyncAt(end, [latest, s.lastPosition]), batchId(f)));
    }
  };

  const handle = async (body: string) => {
    const f = parseOnFailureRecord(body);
    if (!f) {
      // Not Lambda's record: retrying cannot make it one.
      logger.warn('on-failure message not understood: dropped', { body: body.slice(0, 500) });
      return;
    }
    const b = f.DDBStreamBatchInfo;
    const where = {
      condition: f.requestContext.condition,
      shardId: b.shardId,
      start: b.startSequenceNumber,
      end: b.endSequenceNumber,
      batchSize: b.batchSize,
    };
    const records = await readBatch(f);
    const live = liveBatch(post, deps.concurrency);
    if (records) {
      const topics = await touchedTopics(records, live);
      logger.warn('stream batch given up: its live queries re-run, RESYNC to the subscribers of the topics it touched', {
        ...where,
        topics: topics.length,
      });
      await rerunLive(live);
      for (const topic of topics) await resyncTopic(topic, f, true);
      return;
    }
    const open = await openSubscriptions(db);
    logger.warn(
      'stream batch given up and no longer in the stream: every live query re-runs and every subscription gets RESYNC, since its topics cannot be known',
      { ...where, topics: open.topics.size, liveQueries: open.liveQueries.length },
    );
    for (const q of open.liveQueries) live.rerun(q.connectionId, q.subscriptionId, 0);
    await rerunLive(live);
    for (const topic of open.topics) await resyncTopic(topic, f, false);
  };

  return async (event) => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const message of event.Records) {
      try {
        await handle(message.body);
      } catch (err) {
        logger.error('RESYNC for a given-up stream batch failed: the message is retried', {
          messageId: message.messageId,
          error: String((err as Error)?.stack ?? err),
        });
        batchItemFailures.push({ itemIdentifier: message.messageId });
      }
    }
    return { batchItemFailures };
  };
}

/** The RESYNC for one subscriber: at the batch's end, or at the latest position kept or posted to it since if that is later. */
function resyncAt(end: string, since: (string | null)[]): Delivery {
  let at = { sequence: end, index: LAST, sortable: positionOf(end, LAST) };
  for (const p of since) {
    const parsed = p === null ? null : fromPosition(p);
    if (parsed && p! > at.sortable) at = { ...parsed, sortable: p! };
  }
  return { position: at.sequence, index: at.index, event: RESYNC, entry: null };
}

/** One given-up batch, as its RESYNC claims name it. */
function batchId(f: OnFailureRecord): string {
  const b = f.DDBStreamBatchInfo;
  return `${b.shardId}/${b.startSequenceNumber}-${b.endSequenceNumber}`;
}
