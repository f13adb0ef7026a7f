// The stream-triggered delivery function: each record becomes events with the same pure functions
// the container server uses (src/live/events.ts); each event goes to its topic's subscribers (one
// consistent Query), run through each subscriber's own selection and posted to its connection,
// a bounded number at a time. Records are handled in stream order, one event after another, so
// every connection sees a game's or a photo's events in the stream's order.
//
// No duplicates: a failing record is reported (ReportBatchItemFailures), so Lambda retries from
// it and not from the batch's start, and each event's fan-out records how far it got (fan-out.ts),
// so a retried record skips the subscribers it already reached. Every event is also kept in the
// topic's replay window (data/connections/replay.ts) before its fan-out.
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { isConnectionBookkeeping } from '../data/connections/removal.js';
import { positionOf, recordReplay } from '../data/connections/replay.js';
import { toEntityChange } from '../data/changes.js';
import { isLiveBookkeeping } from '../data/live/lease.js';
import type { BusEntry } from '../live/bus.js';
import { deriveEvents, type LiveEvent } from '../live/events.js';
import { fromWireRecord } from '../live/stream/wire.js';
import { isGameRemoval, sweepPlayers } from '../live/sweep.js';
import type { ChangeRecord } from '../live/stream/records.js';
import { liveBatch } from './live-delivery.js';
import { fanOut } from './fan-out.js';
import type { PostDeps } from './post.js';

export interface DeliveryDeps extends Omit<PostDeps, 'now'> {
  /** Posts in flight at once for one event. */
  concurrency: number;
  now?: () => Date;
}

export type DeliveryHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

export function createDeliveryHandler(deps: DeliveryDeps): DeliveryHandler {
  const { db, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const post: PostDeps = { ...deps, now };

  const deliverRecord = async (raw: DynamoDBStreamEvent['Records'][number]) => {
    let record: ChangeRecord;
    let events: LiveEvent[];
    try {
      record = fromWireRecord(raw);
      const change = toEntityChange(record.keys, record.oldImage, record.newImage);
      events = change ? deriveEvents(change) : [];
    } catch (err) {
      // One unreadable item must not block its shard for the stream's whole retention.
      logger.warn('stream record skipped: not an item we can read', { eventID: raw.eventID, error: String(err) });
      return;
    }
    if (isConnectionBookkeeping(record.keys) || isLiveBookkeeping(record.keys)) return; // the filter criteria should have left these out
    // The stream's one side effect, done by whichever function consumes the stream.
    if (isGameRemoval(record)) await sweepPlayers(db, record, logger);
    const entry: BusEntry = { position: record.sequenceNumber, record };
    for (const [index, event] of events.entries()) {
      const position = positionOf(entry.position, index);
      // Kept first, so a subscription being written now finds it in its catch-up if this fan-out misses it.
      const writtenAt = await recordReplay(
        db,
        event.topic,
        { sequence: entry.position, index, event: JSON.stringify(event), writtenAt: now().getTime() },
        now(),
      );
      const delivery = { position: entry.position, index, event, entry };
      await fanOut({ ...post, concurrency: deps.concurrency }, { topic: event.topic, position, delivery, writtenAt });
    }
  };

  return async (event) => {
    // @live queries: the records before a failure still re-run the queries they hit (live-delivery.ts).
    const live = liveBatch(post, deps.concurrency);
    let failedAt: number | null = null;
    for (const [i, raw] of event.Records.entries()) {
      try {
        await deliverRecord(raw);
        const record = liveRecordOf(raw);
        if (record) await live.note(record, i);
      } catch (err) {
        logger.error('delivery failed: the batch is retried from this record', {
          eventID: raw.eventID,
          error: String((err as Error)?.stack ?? err),
        });
        failedAt = i;
        break;
      }
    }
    const liveFailedAt = await live.flush();
    if (liveFailedAt !== null && (failedAt === null || liveFailedAt < failedAt)) failedAt = liveFailedAt;
    const failed = failedAt === null ? undefined : event.Records[failedAt];
    return { batchItemFailures: failed ? [{ itemIdentifier: failed.dynamodb?.SequenceNumber ?? '' }] : [] };
  };
}

/** The record as live queries see it, or null for one no live query can have read (unreadable, bookkeeping). */
function liveRecordOf(raw: DynamoDBStreamEvent['Records'][number]): ChangeRecord | null {
  try {
    const record = fromWireRecord(raw);
    return isConnectionBookkeeping(record.keys) || isLiveBookkeeping(record.keys) ? null : record;
  } catch {
    return null;
  }
}
