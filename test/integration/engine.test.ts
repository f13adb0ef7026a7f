// The data engine against DynamoDB Local: paging, guarded writes, and cost as a proxy sees it.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClients, type DynamoClients } from '../../src/data/dynamo/client.js';
import { CostMeter } from '../../src/data/dynamo/cost.js';
import { cursorKeys, listBinding } from '../../src/data/dynamo/cursor.js';
import { Db } from '../../src/data/dynamo/db.js';
import { loadItems } from '../../src/ops/load.js';
import { queryPage, toConnection } from '../../src/data/dynamo/pagination.js';
import { guardedTransaction, transactWrite } from '../../src/data/dynamo/transactions.js';
import { AppError, UnavailableError } from '../../src/errors.js';
import { startRecorder, type Recorder } from '../helpers/recorder.js';
import { freshTable } from '../helpers/table.js';

let tableName: string;
let clients: DynamoClients;
let recorder: Recorder;
let proxied: DynamoClients;
const ck = cursorKeys('engine-test-secret-0123456789abcdefgh');

beforeAll(async () => {
  const t = await freshTable();
  tableName = t.tableName;
  clients = t.clients;
  recorder = await startRecorder(t.endpoint);
  proxied = createClients({ endpoint: recorder.endpoint, region: 'local', timeoutMs: 2_000, maxAttempts: 3 });
  const items = Array.from({ length: 45 }, (_, i) => ({ PK: 'LIST#a', SK: `ITEM#${String(i).padStart(3, '0')}`, n: i }));
  const forty = Array.from({ length: 40 }, (_, i) => ({ PK: 'LIST#b', SK: `ITEM#${String(i).padStart(3, '0')}`, n: i }));
  await loadItems(clients.doc, tableName, [...items, ...forty, { PK: 'COUNTER#c', SK: 'COUNTER#c', n: 0 }]);
});
afterAll(async () => {
  proxied.raw.destroy();
  await recorder.close();
});

const db = () => new Db(proxied.doc, tableName, new CostMeter());
const list = (pk: string) => ({ TableName: tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': pk } });

async function readAll(pk: string, first: number, filter?: (i: Record<string, unknown>) => boolean) {
  const pages: number[][] = [];
  const binding = listBinding('test', pk, undefined);
  let after: string | null = null;
  for (;;) {
    const page = await queryPage(db(), { input: list(pk), args: { first, after }, cursorKeys: ck, binding, filter });
    const conn = toConnection(page, (i) => i.n as number);
    pages.push(conn.edges.map((e) => e.node));
    if (!conn.pageInfo.hasNextPage) return pages;
    after = conn.pageInfo.endCursor;
  }
}

describe('pages', () => {
  it('page through a list with an exact hasNextPage', async () => {
    const pages = await readAll('LIST#a', 20);
    expect(pages.map((p) => p.length)).toEqual([20, 20, 5]);
    expect(pages.flat()).toEqual(Array.from({ length: 45 }, (_, i) => i));
  });

  it('never end with an empty page when the list divides evenly', async () => {
    expect((await readAll('LIST#b', 20)).map((p) => p.length)).toEqual([20, 20]);
  });

  it('keep reading when a filter drops items, until the page is full', async () => {
    const pages = await readAll('LIST#a', 5, (i) => (i.n as number) % 4 === 0);
    expect(pages.flat()).toEqual([0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44]);
    expect(pages.map((p) => p.length)).toEqual([5, 5, 2]);
  });

  it('refuse a cursor of another list before calling DynamoDB', async () => {
    const first = await queryPage(db(), {
      input: list('LIST#a'),
      args: { first: 2 },
      cursorKeys: ck,
      binding: listBinding('test', 'LIST#a', undefined),
    });
    const cursor = first.cursorFor(first.items[1]!);
    recorder.reset();
    await expect(
      queryPage(db(), {
        input: list('LIST#b'),
        args: { first: 2, after: cursor },
        cursorKeys: ck,
        binding: listBinding('test', 'LIST#b', undefined),
      }),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(recorder.calls).toEqual([]);
  });

  it('refuse first above 100 or below 0', async () => {
    for (const first of [101, -1]) {
      await expect(queryPage(db(), { input: list('LIST#a'), args: { first }, cursorKeys: ck, binding: 'x' })).rejects.toMatchObject({
        code: 'BAD_USER_INPUT',
      });
    }
  });
});

describe('guarded writes', () => {
  const bump = (limit: number) => ({
    Update: {
      TableName: tableName,
      Key: { PK: 'COUNTER#c', SK: 'COUNTER#c' },
      UpdateExpression: 'SET n = n + :one',
      ConditionExpression: 'n < :limit',
      ExpressionAttributeValues: { ':one': 1, ':limit': limit },
    },
  });
  const put = (sk: string) => ({
    Put: { TableName: tableName, Item: { PK: 'MARK#m', SK: sk }, ConditionExpression: 'attribute_not_exists(PK)' },
  });

  it('answers a cancelled transaction with the meaning its failed action carries, given the old item', async () => {
    const seen: unknown[] = [];
    const tx = guardedTransaction([
      { action: put('one'), onConditionFailed: () => new AppError('ALREADY_JOINED', 'joined'), rank: 1 },
      {
        action: bump(0),
        onConditionFailed: (old) => {
          seen.push({ n: old?.n });
          return new AppError('GAME_FULL', 'full');
        },
        rank: 2,
      },
    ]);
    const err = await transactWrite(db(), tx).catch((e) => e);
    expect(err).toMatchObject({ code: 'GAME_FULL' });
    expect(seen).toEqual([{ n: 0 }]);
    const marker = await clients.doc.send(new GetCommand({ TableName: tableName, Key: { PK: 'MARK#m', SK: 'one' } }));
    expect(marker.Item).toBeUndefined();
  });

  it('apply every action or none under concurrency: 30 racers, 10 seats', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        transactWrite(
          db(),
          guardedTransaction([
            { action: put(`seat-${i}`), onConditionFailed: () => undefined, rank: 1 },
            { action: bump(10), onConditionFailed: () => new AppError('GAME_FULL', 'full'), rank: 2 },
          ]),
        ),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled').length;
    const codes = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => (r.reason as AppError).code);
    const counter = await clients.doc.send(
      new GetCommand({ TableName: tableName, Key: { PK: 'COUNTER#c', SK: 'COUNTER#c' }, ConsistentRead: true }),
    );
    expect(counter.Item!.n).toBe(won);
    expect(won).toBeLessThanOrEqual(10);
    expect(codes.every((c) => c === 'GAME_FULL' || c === 'CONFLICT')).toBe(true);
  });
});

describe('cost accounting', () => {
  it('counts exactly the attempts the proxy sees, retries included', async () => {
    let throttles = 2;
    recorder.inject((call) =>
      call.command === 'Query' && throttles-- > 0
        ? { status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message: 'slow down' } }
        : undefined,
    );
    try {
      recorder.reset();
      const d = db();
      await d.query({ ...list('LIST#a'), Limit: 3 });
      await d.get({ TableName: tableName, Key: { PK: 'LIST#a', SK: 'ITEM#000' } });
      const report = d.meter.report();
      expect(report.calls).toEqual({ Query: 3, GetItem: 1 });
      expect(recorder.calls.map((c) => c.command)).toEqual(['Query', 'Query', 'Query', 'GetItem']);
      expect(report.waves).toBe(2);
      expect(report.readCapacityUnits).toBeGreaterThan(0);
    } finally {
      recorder.inject(() => undefined);
    }
  });

  it('turns exhausted throttling retries into UNAVAILABLE', async () => {
    recorder.inject(() => ({ status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'no' } }));
    try {
      await expect(db().query(list('LIST#a'))).rejects.toBeInstanceOf(UnavailableError);
    } finally {
      recorder.inject(() => undefined);
    }
  });

  it('counts parallel calls as one wave and dependent calls as the next', async () => {
    const d = db();
    await Promise.all([d.query(list('LIST#a')), d.query(list('LIST#b'))]);
    await d.query(list('LIST#a'));
    expect(d.meter.report()).toMatchObject({ totalCalls: 3, waves: 2 });
  });
});
