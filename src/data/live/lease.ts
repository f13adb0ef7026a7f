// The stream reader's lease and checkpoints, kept in the table itself so N servers need nothing
// but the table to agree on who reads the stream (DynamoDB allows two readers per shard).
//
//   item              PK                 SK                 attributes
//   Lease             LIVE#LEASE         #LEASE             holder, lease_until_ms, renewed_at (both epoch ms)
//   Checkpoint        LIVE#CHECKPOINT    SHARD#<shard_id>   position (opaque, the reader's own), saved_at
//
// The lease's end is in milliseconds (a lease lasts seconds), so it is not kept in the table's TTL
// attribute `expires_at`, which DynamoDB reads as epoch seconds: the lease carries no TTL at all
// (it is released on stop, and a lapsed one is simply taken). Lease items written before this
// layout hold their end, in ms, in `expires_at`: the takeover condition still reads that when
// `lease_until_ms` is absent, so such a lease is taken once it lapses, as before. (A server of the
// old layout, during a rolling deploy, never takes a new-layout lease over; new servers do.)
//
// Both are ordinary items, so their writes appear in the table's stream too: isLiveBookkeeping()
// lets the publisher drop them before they reach any bus.
import type { PutCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../dynamo/db.js';
import { everyPage } from '../dynamo/pagination.js';
import { writeIf } from '../dynamo/transactions.js';
import { keys, type Key } from '../keys.js';

/** True for the lease's and checkpoints' own items (and any future bookkeeping under LIVE#). */
export function isLiveBookkeeping(key: Key): boolean {
  return key.PK.startsWith(keys.live.pkPrefix);
}

// Take or renew the lease: PutItem LIVE#LEASE/#LEASE if absent, lapsed, or already ours (conditional write).
export function acquireLeaseInput(tableName: string, holder: string, now: number, leaseMs: number): PutCommandInput {
  return {
    TableName: tableName,
    Item: { ...keys.live.lease(), holder, lease_until_ms: now + leaseMs, renewed_at: now },
    ConditionExpression:
      'attribute_not_exists(PK) OR holder = :me OR lease_until_ms < :now OR (attribute_not_exists(lease_until_ms) AND expires_at < :now)',
    ExpressionAttributeValues: { ':now': now, ':me': holder },
  };
}

/** Takes the lease, or renews it when `holder` has it; false when another holder's lease is still running. */
export async function acquireLease(db: Db, holder: string, now: number, leaseMs: number): Promise<boolean> {
  return writeIf(db, { put: acquireLeaseInput(db.tableName, holder, now, leaseMs) });
}

// Give the lease up at once: DeleteItem LIVE#LEASE/#LEASE if `holder` still has it, so another takes over without waiting.
export async function releaseLease(db: Db, holder: string): Promise<void> {
  // False (ignored): another holder has it by now.
  await writeIf(db, {
    delete: {
      TableName: db.tableName,
      Key: keys.live.lease(),
      ConditionExpression: 'holder = :me',
      ExpressionAttributeValues: { ':me': holder },
    },
  });
}

// Who holds the lease and until when: GetItem LIVE#LEASE/#LEASE (consistent read).
export async function readLease(db: Db): Promise<{ holder: string; expiresAt: number } | null> {
  const out = await db.get({ TableName: db.tableName, Key: keys.live.lease(), ConsistentRead: true });
  if (!out.Item) return null;
  // An item of the old layout has its end, in ms, in expires_at (see the top of this file).
  return { holder: String(out.Item.holder), expiresAt: Number(out.Item.lease_until_ms ?? out.Item.expires_at) };
}

// Every shard's checkpoint: Query table PK = LIVE#CHECKPOINT (consistent read).
export async function loadCheckpoints(db: Db): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const pages = everyPage((start) =>
    db.query({
      TableName: db.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.live.checkpointPk },
      ConsistentRead: true,
      ExclusiveStartKey: start,
    }),
  );
  for await (const items of pages) for (const item of items) out.set(keys.live.parseCheckpointSk(String(item.SK)), String(item.position));
  return out;
}

// Save where a shard got to: PutItem LIVE#CHECKPOINT/SHARD#<shard_id>.
export async function saveCheckpoint(db: Db, shardId: string, position: string, now: number): Promise<void> {
  await db.put({ TableName: db.tableName, Item: { ...keys.live.checkpoint(shardId), position, saved_at: now } });
}
