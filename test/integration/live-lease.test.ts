// The stream lease and checkpoints against DynamoDB Local: one holder at a time, taken over only
// once lapsed, released at once, and checkpoints that come back as they were saved.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Db } from '../../src/data/dynamo/db.js';
import { acquireLease, loadCheckpoints, readLease, releaseLease, saveCheckpoint } from '../../src/data/live/lease.js';
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
