// An event's fan-out progress, so a retried stream record posts nothing twice without a write per
// subscriber. The delivery function posts a topic's subscribers in their sort-key order, a chunk
// at a time: before a chunk, `claimed` moves on to its last subscriber's sort key, and `done` to
// where `claimed` was (every post of the chunk before finished). A retried record skips the
// subscribers up to `done`; of those after `done` up to `claimed` it cannot know which the failed
// attempt reached, so they get RESYNC (claimed one by one, so never twice), never the event again.
//
//   item               PK                 SK                attributes
//   Fan-out progress   WSTOPIC#<topic>    FAN#<position>    claimed, done (topic subscribers' sort keys), expires_at
//
// Sort keys are compared as DynamoDB orders them, by their UTF-8 bytes.
import type { Db } from '../dynamo/db.js';
import { putIfAbsent, writeIf } from '../dynamo/transactions.js';
import { keys } from '../keys.js';
import { TABLE } from '../table.js';

/** Longer than the stream event source's maximum record age (the oldest record Lambda retries: infra/test/live-ws.test.ts), with a margin. */
export const FAN_OUT_PROGRESS_TTL_SECONDS = 3 * 3_600;

export interface FanOutProgress {
  /** Posts may have started for every subscriber up to this sort key. */
  claimed: string;
  /** Posts finished for every subscriber up to this sort key (null: none yet). */
  done: string | null;
}

// Start an event's fan-out with its first chunk: PutItem WSTOPIC#<topic> / FAN#<position> claimed = :end if absent. Null when started; else what an earlier attempt left.
export async function startFanOut(db: Db, topic: string, position: string, end: string, now: Date): Promise<FanOutProgress | null> {
  const earlier = await putIfAbsent(db, {
    TableName: db.tableName,
    Item: {
      ...keys.ws.fanOut(topic, position),
      claimed: end,
      [TABLE.ttlAttribute]: Math.floor(now.getTime() / 1000) + FAN_OUT_PROGRESS_TTL_SECONDS,
    },
  });
  if (!earlier) return null;
  return { claimed: String(earlier.claimed), done: typeof earlier.done === 'string' ? earlier.done : null };
}

// Claim the next chunk, everything up to `from` done: UpdateItem WSTOPIC#<topic> / FAN#<position> SET done = :from, claimed = :to if claimed = :from.
export async function advanceFanOut(db: Db, topic: string, position: string, from: string, to: string): Promise<void> {
  const moved = await writeIf(db, {
    update: {
      TableName: db.tableName,
      Key: keys.ws.fanOut(topic, position),
      UpdateExpression: 'SET done = :from, claimed = :to',
      ConditionExpression: 'claimed = :from',
      ExpressionAttributeValues: { ':from': from, ':to': to },
    },
  });
  // Failing: another attempt at this record is fanning it out at the same time (Lambda runs one per shard).
  if (!moved) throw new Error(`The fan-out of ${position} on ${topic} was moved on by another attempt.`);
}

/** Sort keys in DynamoDB's order (UTF-8 bytes; JavaScript compares UTF-16 units, which differ past U+FFFF). */
export function compareSortKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
