// The stream-triggered delivery function: each record becomes events with the same pure functions
// the container server uses (src/live/events.ts); each event goes to its topic's subscribers (one
// consistent Query), run through each subscriber's own selection and posted to its connection,
// a bounded number at a time. Records are handled in stream order, one event after another, so
// every connection sees a game's or a photo's events in the stream's order.
//
// No duplicates: a failing record is reported (ReportBatchItemFailures), so Lambda retries from
// it and not from the batch's start, and each subscriber item remembers the last event posted to
// it, so a retried record skips the subscribers it already reached. A vanished client
// (GoneException) has its items deleted; an event too large for API Gateway becomes the
// protocol's `error` for that subscription; an expired token ends the connection.
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import {
  isConnectionBookkeeping,
  markDelivered,
  removeConnection,
  removeSubscription,
  topicSubscribers,
  type SubscriptionRecord,
} from '../data/connections/connections.js';
import { toEntityChange } from '../data/changes.js';
import type { Db } from '../data/dynamo/db.js';
import { isLiveBookkeeping } from '../data/live/lease.js';
import { AppError, unauthenticated } from '../errors.js';
import type { BusEntry } from '../live/bus.js';
import { deriveEvents, type LiveEvent } from '../live/events.js';
import type { Delivery } from '../live/feed.js';
import { fromWireRecord } from '../live/stream/wire.js';
import { isGameRemoval, sweepPlayers } from '../live/sweep.js';
import type { ChangeRecord } from '../live/record.js';
import type { Logger } from '../log.js';
import { MAX_MESSAGE_BYTES, type Connections } from './api.js';
import { errorMessage, eventMessage, type Executor } from './execute.js';

export interface DeliveryDeps extends Executor {
  db: Db;
  connections: Connections;
  logger: Logger;
  /** Posts in flight at once for one event. */
  concurrency: number;
  now?: () => Date;
}

export type DeliveryHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

/** True when event (sequence, index) comes after the subscriber's last delivered one. */
export function isAfter(seq: string, index: number, last: SubscriptionRecord['lastDelivered']): boolean {
  if (!last) return true;
  const a = BigInt(seq);
  const b = BigInt(last.sequence);
  return a > b || (a === b && index > last.index);
}

export function createDeliveryHandler(deps: DeliveryDeps): DeliveryHandler {
  const { db, connections, logger } = deps;
  const now = deps.now ?? (() => new Date());

  const deliverTo = async (s: SubscriptionRecord, d: Delivery & { position: string }) => {
    if (!isAfter(d.position, d.index, s.lastDelivered)) return; // a retried record already reached this subscriber
    if (s.viewer?.expiresAt !== undefined && s.viewer.expiresAt <= now().getTime()) {
      // The container server closes such a socket with 4403; here: `error`, then the connection goes.
      await connections.post(
        s.callbackUrl,
        s.connectionId,
        errorMessage(deps, s.subscriptionId, [unauthenticated('The token has expired. Get a new one.')]),
      );
      await connections.disconnect(s.callbackUrl, s.connectionId);
      await removeConnection(db, s.connectionId);
      return;
    }
    const message = await eventMessage(deps, s, d);
    const outcome = await connections.post(s.callbackUrl, s.connectionId, message);
    if (outcome === 'gone') {
      logger.info('vanished WebSocket client cleaned up', { connectionId: s.connectionId });
      await removeConnection(db, s.connectionId);
    } else if (outcome === 'throttled') {
      // A client that cannot keep up must not hold back its shard (the container server's slow
      // reader gets RESYNC): it is disconnected, and reconnects to resume.
      logger.warn('WebSocket client too slow: disconnected', { connectionId: s.connectionId });
      await connections.disconnect(s.callbackUrl, s.connectionId);
      await removeConnection(db, s.connectionId);
    } else if (outcome === 'too-large') {
      const bytes = Buffer.byteLength(message);
      const error = new AppError(
        'BAD_USER_INPUT',
        `An event of this subscription is ${bytes} bytes, over API Gateway's ${MAX_MESSAGE_BYTES}-byte message limit: select fewer fields.`,
        { limit: 'maxMessageBytes' },
      );
      await connections.post(s.callbackUrl, s.connectionId, errorMessage(deps, s.subscriptionId, [error]));
      await removeSubscription(db, s.connectionId, s.subscriptionId);
    } else {
      await markDelivered(db, s, d.position, d.index);
    }
  };

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
      const d = { position: entry.position, index, event, entry };
      for await (const page of topicSubscribers(db, event.topic)) await eachLimited(page, deps.concurrency, (s) => deliverTo(s, d));
    }
  };

  return async (event) => {
    for (const raw of event.Records) {
      try {
        await deliverRecord(raw);
      } catch (err) {
        logger.error('delivery failed: the batch is retried from this record', {
          eventID: raw.eventID,
          error: String((err as Error)?.stack ?? err),
        });
        return { batchItemFailures: [{ itemIdentifier: raw.dynamodb?.SequenceNumber ?? '' }] };
      }
    }
    return { batchItemFailures: [] };
  };
}

/** Runs fn over items with at most `limit` in flight; rejects with the first failure once all settled. */
async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown = null;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== null) throw failure;
}
