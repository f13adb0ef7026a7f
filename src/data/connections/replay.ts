// The serverless replay window: every event the delivery function derives is kept per topic for a
// short while, so a client that reconnects with `after` gets what it missed, and a subscription
// catches up on what was delivered while its item was being written.
//
//   item            PK                  SK                              attributes
//   Replay event    WSREPLAY#<topic>    <position>                      event (JSON), sequence, index, written_at (ms), expires_at
//
// A position is the stream record's sequence number (zero-padded to 40 digits, so the string
// order is the numeric order) and the event's index within its record (6 digits). The delivery
// function keeps each event once (a retried record finds it kept, with the time it was first
// written) and records its fan-out's progress (fan-out.ts), so a retried record skips the
// subscribers it reached without a write per subscriber. Only a subscription whose catch-up may
// race the delivery function (an event written up to its `caught_up` cut-off) is claimed one by
// one: its `last_pos` moved forward by a conditional update, so the two writers never post one
// event twice. A given-up batch's RESYNC cannot use `last_pos` (it may follow later events already
// posted): it is claimed in the subscriber's `resyncs`, a string set of the batches (shard and
// range) whose RESYNC it was sent; a few bytes per given-up batch, gone with the item's TTL.
import type { Db } from '../dynamo/db.js';
import { everyPage } from '../dynamo/pagination.js';
import { putIfAbsent, writeIf } from '../dynamo/transactions.js';
import { keys } from '../keys.js';
import { TABLE } from '../table.js';

/** A replayed event stays this long (API Gateway's idle close is 10 minutes: a reconnect comes well within). */
export const REPLAY_WINDOW_SECONDS = 15 * 60;

export interface ReplayEntry {
  position: string;
  sequence: string;
  index: number;
  /** The LiveEvent, as JSON. */
  event: string;
  writtenAt: number;
}

/** The sortable position of event `index` of the record with this sequence number. */
export function positionOf(sequence: string, index: number): string {
  return `${sequence.padStart(40, '0')}#${String(index).padStart(6, '0')}`;
}

/** The stream sequence number and event index of a position (positionOf's inverse), or null for another deployment's cursor. */
export function fromPosition(position: string): { sequence: string; index: number } | null {
  const m = /^(\d+)#(\d+)$/.exec(position);
  return m ? { sequence: m[1]!.replace(/^0+(?=\d)/, ''), index: Number(m[2]) } : null;
}

// Keep an event for replay, once: PutItem WSREPLAY#<topic> / <position> if absent. Returns when it was first kept (a retried record's event keeps that time).
export async function recordReplay(db: Db, topic: string, e: Omit<ReplayEntry, 'position'>, now: Date): Promise<number> {
  const kept = await putIfAbsent(db, {
    TableName: db.tableName,
    Item: {
      ...keys.ws.replay(topic, positionOf(e.sequence, e.index)),
      sequence: e.sequence,
      index: e.index,
      event: e.event,
      written_at: e.writtenAt,
      [TABLE.ttlAttribute]: Math.floor(now.getTime() / 1000) + REPLAY_WINDOW_SECONDS,
    },
  });
  return typeof kept?.written_at === 'number' ? kept.written_at : e.writtenAt;
}

// The newest kept position of a topic (a RESYNC's cursor must not fall behind it): Query PK = WSREPLAY#<topic>, newest first, Limit 1, consistent.
export async function latestReplayPosition(db: Db, topic: string): Promise<string | null> {
  const out = await db.query(newestFirst(db, topic, 1));
  const sk = out.Items?.[0]?.SK;
  return typeof sk === 'string' ? sk : null;
}

// A topic's kept events from a position on: Query PK = WSREPLAY#<topic> AND SK >= :position, consistent, every page, unexpired only.
export async function replayFrom(db: Db, topic: string, position: string, now: Date): Promise<ReplayEntry[]> {
  const out: ReplayEntry[] = [];
  const pages = everyPage((start) =>
    db.query({
      TableName: db.tableName,
      KeyConditionExpression: 'PK = :pk AND SK >= :from',
      FilterExpression: '#ttl > :now',
      ExpressionAttributeNames: { '#ttl': TABLE.ttlAttribute },
      ExpressionAttributeValues: { ':pk': keys.ws.replayPk(topic), ':from': position, ':now': Math.floor(now.getTime() / 1000) },
      ConsistentRead: true,
      ExclusiveStartKey: start,
    }),
  );
  for await (const items of pages) out.push(...items.map(toEntry));
  return out;
}

// A topic's kept events handled since a time (a fresh subscription's catch-up): Query PK = WSREPLAY#<topic>, newest first, consistent, until one is older.
export async function replaySince(db: Db, topic: string, sinceMs: number, now: Date): Promise<ReplayEntry[]> {
  const out: ReplayEntry[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.query(newestFirst(db, topic, 25, start));
    for (const it of page.Items ?? []) {
      const e = toEntry(it);
      if (e.writtenAt < sinceMs) return out.reverse();
      if (Number(it[TABLE.ttlAttribute]) > now.getTime() / 1000) out.push(e);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return out.reverse();
}

/** A newest-first, consistent read of a topic's kept events, `limit` a page. */
function newestFirst(db: Db, topic: string, limit: number, start?: Record<string, unknown>) {
  return {
    TableName: db.tableName,
    KeyConditionExpression: 'PK = :pk',
    ExpressionAttributeValues: { ':pk': keys.ws.replayPk(topic) },
    ScanIndexForward: false,
    Limit: limit,
    ConsistentRead: true,
    ExclusiveStartKey: start,
  };
}

function toEntry(it: Record<string, unknown>): ReplayEntry {
  return {
    position: String(it.SK),
    sequence: String(it.sequence),
    index: Number(it.index),
    event: String(it.event),
    writtenAt: Number(it.written_at),
  };
}

// Claim an event for a subscriber before posting it: UpdateItem WSTOPIC#<topic> / SUB#<conn>#<sub> SET last_pos if it is behind (or absent) and the item exists.
export async function claimDelivery(db: Db, key: { PK: string; SK: string }, position: string): Promise<boolean> {
  // False: posted already (a retried batch, or the other writer), or the subscription is gone.
  return writeIf(db, {
    update: {
      TableName: db.tableName,
      Key: key,
      UpdateExpression: 'SET last_pos = :p',
      ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(last_pos) OR last_pos < :p)',
      ExpressionAttributeValues: { ':p': position },
    },
  });
}

// Record a subscription's catch-up cut-off: UpdateItem WSTOPIC#<topic> / SUB#<conn>#<sub> SET caught_up if the item exists.
export async function markCaughtUp(db: Db, key: { PK: string; SK: string }, at: number): Promise<void> {
  // False (ignored): the subscription ended meanwhile.
  await writeIf(db, {
    update: {
      TableName: db.tableName,
      Key: key,
      UpdateExpression: 'SET caught_up = :at',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':at': at },
    },
  });
}

// Claim a given-up batch's RESYNC for a subscriber (SQS may deliver its message twice): UpdateItem WSTOPIC#<topic> / SUB#<conn>#<sub> ADD resyncs :batch if it does not hold it and the item exists.
export async function claimResync(db: Db, key: { PK: string; SK: string }, batch: string): Promise<boolean> {
  // False: sent already (the message received again), or the subscription is gone.
  return writeIf(db, {
    update: {
      TableName: db.tableName,
      Key: key,
      UpdateExpression: 'ADD resyncs :batch',
      ConditionExpression: 'attribute_exists(PK) AND NOT contains(resyncs, :id)',
      ExpressionAttributeValues: { ':batch': new Set([batch]), ':id': batch },
    },
  });
}

// Give a RESYNC claim back when its post failed for a reason worth retrying: UpdateItem DELETE resyncs :batch.
export async function releaseResync(db: Db, key: { PK: string; SK: string }, batch: string): Promise<void> {
  await writeIf(db, {
    update: {
      TableName: db.tableName,
      Key: key,
      UpdateExpression: 'DELETE resyncs :batch',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':batch': new Set([batch]) },
    },
  });
}
