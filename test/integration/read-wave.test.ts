// Reads shared within a wave of live-query runs (src/data/dynamo/wave.ts), against DynamoDB Local
// through the recording proxy: identical reads go out once, BatchGetItem is shared per key (split
// by consistency and projection, 100 keys a call), each member records its own read set, each real
// call is metered once on the member that opened it, and a later wave never gets an earlier answer.
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { batchGetKeys } from '../../src/data/dynamo/batch.js';
import { createClients, type DynamoClients } from '../../src/data/dynamo/client.js';
import { CostMeter, type CallRecord } from '../../src/data/dynamo/cost.js';
import { Db } from '../../src/data/dynamo/db.js';
import { ReadSet, TABLE_INDEX } from '../../src/data/dynamo/read-set.js';
import { ReadWave } from '../../src/data/dynamo/wave.js';
import { loadItems } from '../../src/ops/load.js';
import { countCalls } from '../helpers/server.js';
import { startRecorder, type Recorder } from '../helpers/recorder.js';
import { freshTable } from '../helpers/table.js';

let tableName: string;
let clients: DynamoClients;
let recorder: Recorder;
let proxied: DynamoClients;

beforeAll(async () => {
  const t = await freshTable();
  tableName = t.tableName;
  clients = t.clients;
  recorder = await startRecorder(t.endpoint);
  proxied = createClients({ endpoint: recorder.endpoint, region: 'local', timeoutMs: 5_000, maxAttempts: 3 });
  const items = Array.from({ length: 150 }, (_, i) => ({ PK: `K#${i}`, SK: 'X', n: i, secret: `s${i}` }));
  await loadItems(clients.doc, tableName, [...items, { PK: 'P#1', SK: 'A', v: 1 }, { PK: 'P#1', SK: 'B', v: 2 }]);
});
afterAll(async () => {
  proxied.raw.destroy();
  await recorder.close();
});
beforeEach(() => recorder.reset());

/** A member of `wave`: its own meter, call records and read set, as a live query's run has. */
function member(wave: ReadWave) {
  const meter = new CostMeter();
  const calls: CallRecord[] = [];
  const db = new Db(proxied.doc, tableName, meter, (c) => calls.push(c));
  const reads = new ReadSet(Math.floor(Date.now() / 1000));
  db.recordReads(reads, { consistent: true });
  db.shareReads(wave.join());
  return { db, meter, calls, reads };
}

const key = (i: number) => ({ PK: `K#${i}`, SK: 'X' });
const partition = { TableName: '', KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': 'P#1' } };

describe('a read wave', () => {
  it('sends an identical Query once; every member gets the items and records the range itself', async () => {
    const wave = new ReadWave();
    const members = Array.from({ length: 5 }, () => member(wave));
    const outs = await Promise.all(members.map((m) => m.db.query({ ...partition, TableName: tableName })));
    expect(countCalls(recorder.calls)).toEqual({ Query: 1 });
    for (const out of outs) expect(out.Items!.map((i) => i.v)).toEqual([1, 2]);
    for (const m of members) expect(m.reads.ranges).toEqual([{ index: TABLE_INDEX, partition: 'P#1' }]);
    // Metered once, on the member whose read opened the call; the others joined for nothing.
    expect(members.map((m) => m.meter.report().totalCalls)).toEqual([1, 0, 0, 0, 0]);
    expect(members.flatMap((m) => m.calls).length).toBe(1);
    // Strong and eventual reads never share; neither do different pages.
    recorder.reset();
    const other = new ReadWave();
    const eventual = new Db(proxied.doc, tableName);
    eventual.shareReads(other.join());
    const strong = member(other);
    await Promise.all([
      eventual.query({ ...partition, TableName: tableName }),
      strong.db.query({ ...partition, TableName: tableName }),
      strong.db.query({ ...partition, TableName: tableName, Limit: 1 }),
    ]);
    expect(countCalls(recorder.calls)).toEqual({ Query: 3 });
  });

  it('shares BatchGetItem per key: the union of the members’ keys in one call, each member answered with its own keys', async () => {
    const wave = new ReadWave();
    const [a, b, c] = [member(wave), member(wave), member(wave)];
    const [ra, rb, rc] = await Promise.all([
      batchGetKeys(a.db, [key(1), key(2)]),
      batchGetKeys(b.db, [key(2), key(3), { PK: 'K#absent', SK: 'X' }]),
      c.db.get({ TableName: tableName, Key: key(4) }),
    ]);
    expect(countCalls(recorder.calls)).toEqual({ BatchGetItem: 1, GetItem: 1 });
    const sent = recorder.calls.find((x) => x.command === 'BatchGetItem')!.body as { RequestItems: Record<string, { Keys: unknown[] }> };
    expect(sent.RequestItems[tableName]!.Keys).toHaveLength(4);
    expect((ra as { n: number }[]).map((i) => i.n)).toEqual([1, 2]);
    expect(rb.map((i) => (i as { n: number } | null)?.n ?? null)).toEqual([2, 3, null]);
    expect(rc.Item?.n).toBe(4);
    // Each read set holds exactly the keys its member asked for, the absent one included.
    const keysOf = (r: ReadSet) => r.ranges.map((x) => x.partition).sort();
    expect(keysOf(a.reads)).toEqual(['K#1', 'K#2']);
    expect(keysOf(b.reads)).toEqual(['K#2', 'K#3', 'K#absent']);
    expect(a.meter.report().totalCalls + b.meter.report().totalCalls).toBe(1);
  });

  it('splits by projection and consistency, and at 100 keys a call', async () => {
    const wave = new ReadWave();
    const [a, b] = [member(wave), member(wave)];
    const plain = new Db(proxied.doc, tableName);
    plain.shareReads(wave.join());
    const all = Array.from({ length: 150 }, (_, i) => key(i));
    const [whole, projected, eventual] = await Promise.all([
      batchGetKeys(a.db, all),
      batchGetKeys(b.db, [key(1)], undefined, { attributes: ['PK', 'SK', 'n'] }),
      batchGetKeys(plain, [key(1)]),
    ]);
    // 150 keys: two calls; the projected read and the eventual one: a call each.
    expect(countCalls(recorder.calls)).toEqual({ BatchGetItem: 4 });
    expect(whole.map((i) => (i as { n: number }).n)).toEqual(all.map((_, i) => i));
    expect(projected[0]).toEqual({ PK: 'K#1', SK: 'X', n: 1 });
    expect((eventual[0] as { secret: string }).secret).toBe('s1');
  });

  it('never serves a later wave: a write between two waves is seen by the second, and a closed wave takes no run', async () => {
    const first = new ReadWave();
    const one = member(first);
    expect((await one.db.get({ TableName: tableName, Key: { PK: 'P#1', SK: 'A' } })).Item?.v).toBe(1);
    expect(first.joinable).toBe(false);
    expect(() => first.join()).toThrow(/only in the turn/);
    await clients.doc.send(new PutCommand({ TableName: tableName, Item: { PK: 'P#1', SK: 'A', v: 10 } }));
    const second = member(new ReadWave());
    expect((await second.db.get({ TableName: tableName, Key: { PK: 'P#1', SK: 'A' } })).Item?.v).toBe(10);
    expect(countCalls(recorder.calls)).toEqual({ GetItem: 2 });
  });

  it('does not keep a failure: the next ask sends again', async () => {
    const wave = new ReadWave();
    const a = member(wave);
    let failing = true;
    recorder.inject((call) =>
      failing && call.command === 'Query' ? { status: 400, body: { __type: 'ValidationException', message: 'no' } } : undefined,
    );
    await expect(a.db.query({ ...partition, TableName: tableName })).rejects.toThrow();
    failing = false;
    expect((await a.db.query({ ...partition, TableName: tableName })).Items).toHaveLength(2);
    expect(countCalls(recorder.calls)).toEqual({ Query: 2 });
  });
});
