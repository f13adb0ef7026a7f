// The stream lease and checkpoints against DynamoDB Local: one holder at a time, taken over only
// once lapsed, released at once, and checkpoints that come back as they were saved.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Db } from '../../src/data/dynamo/db.js';
import { acquireLease, loadCheckpoints, readLease, releaseLease, saveCheckpoint } from '../../src/data/live/lease.js';
import { keys } from '../../src/data/keys.js';
import { TABLE } from '../../src/data/table.js';
import { freshTable } from '../helpers/table.js';

let db: Db;
let destroy: () => void;
beforeAll(async () => {
  const t = await freshTable();
  db = new Db(t.clients.doc, t.tableName);
  destroy = () => t.clients.raw.destroy();
});
afterAll(() => destroy?.());

it('gives the lease to one holder, lets it renew, refuses others until it lapses, and frees it at once on release', async () => {
  expect(await acquireLease(db, 'a', 1_000, 10_000)).toBe(true);
  expect(await acquireLease(db, 'b', 2_000, 10_000)).toBe(false);
  expect(await acquireLease(db, 'a', 5_000, 10_000)).toBe(true); // renewal: now until 15,000
  expect(await acquireLease(db, 'b', 14_000, 10_000)).toBe(false);
  expect(await acquireLease(db, 'b', 15_001, 10_000)).toBe(true); // a's lapsed
  expect(await readLease(db)).toEqual({ holder: 'b', expiresAt: 25_001 });
  await releaseLease(db, 'a'); // not a's any more: nothing happens
  expect((await readLease(db))?.holder).toBe('b');
  await releaseLease(db, 'b');
  expect(await readLease(db)).toBeNull();
  expect(await acquireLease(db, 'c', 15_002, 10_000)).toBe(true);
});

it('keeps the lease out of the TTL attribute, which DynamoDB reads as seconds, and still takes over a lapsed lease of the old layout (ms in expires_at)', async () => {
  expect(await acquireLease(db, 'd', 30_000, 10_000)).toBe(true); // c's lapsed
  const item = (await db.get({ TableName: db.tableName, Key: keys.live.lease(), ConsistentRead: true })).Item;
  expect(item).toMatchObject({ holder: 'd', lease_until_ms: 40_000 });
  expect(item).not.toHaveProperty(TABLE.ttlAttribute);
  await releaseLease(db, 'd');

  await db.put({ TableName: db.tableName, Item: { ...keys.live.lease(), holder: 'old', expires_at: 60_000, acquired_at: 50_000 } });
  expect(await readLease(db)).toEqual({ holder: 'old', expiresAt: 60_000 });
  expect(await acquireLease(db, 'e', 59_999, 10_000)).toBe(false); // still running
  expect(await acquireLease(db, 'e', 60_001, 10_000)).toBe(true); // lapsed: taken, in the new layout
  expect(await readLease(db)).toEqual({ holder: 'e', expiresAt: 70_001 });
  await releaseLease(db, 'e');
});

it('stores one checkpoint per shard and loads them all', async () => {
  await saveCheckpoint(db, 'shardId-1', '000100', 1);
  await saveCheckpoint(db, 'shardId-2', 'latest@123', 1);
  await saveCheckpoint(db, 'shardId-1', '000200', 2);
  expect(await loadCheckpoints(db)).toEqual(
    new Map([
      ['shardId-1', '000200'],
      ['shardId-2', 'latest@123'],
    ]),
  );
});
