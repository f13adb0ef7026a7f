// The stream reader against DynamoDB Local's real stream: what a write produces, in which order,
// when it is guaranteed to arrive, and how the reader survives lost iterators, trimmed data and
// failing calls (injected by the fault proxy in front of DynamoDB Local, the stream behind it real).
import { ConditionalCheckFailedException, DescribeTableCommand, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClients, type DynamoClients } from '../../src/data/dynamo/client.js';
import { memoryCheckpoints } from '../../src/live/stream/checkpoints.js';
import { createStreamReader, type StreamReader, type StreamReaderOptions } from '../../src/live/stream/reader.js';
import type { ChangeRecord } from '../../src/live/stream/records.js';
import { always, fault, onCommands, startFaultProxy, times, type FaultProxy } from '../helpers/faults.js';
import { freshTable } from '../helpers/table.js';

let tableName: string;
let clients: DynamoClients;
let proxy: FaultProxy;
let proxied: DynamoClients;
const readers: StreamReader[] = [];

beforeAll(async () => {
  const t = await freshTable();
  tableName = t.tableName;
  clients = t.clients;
  proxy = await startFaultProxy(t.endpoint);
  // One attempt per call: every injected failure reaches the reader's own recovery.
  proxied = createClients({ endpoint: proxy.endpoint, region: 'local', timeoutMs: 5_000, maxAttempts: 1 });
});
afterEach(async () => {
  proxy.inject(() => undefined);
  await Promise.all(readers.splice(0).map((r) => r.stop()));
});
afterAll(async () => {
  for (const c of [clients, proxied]) {
    c.raw.destroy();
    c.streams.destroy();
  }
  await proxy.close();
});

/** Collects what a reader delivers and lets a test wait, with a bound, until it has seen enough. */
function collector() {
  const records: ChangeRecord[] = [];
  const gaps: string[] = [];
  const waiters = new Set<() => void>();
  const changed = () => waiters.forEach((w) => w());
  return {
    records,
    gaps,
    onRecords: (batch: ChangeRecord[]) => {
      records.push(...batch);
      changed();
      return Promise.resolve();
    },
    onGap: (reason: string) => {
      gaps.push(reason);
      changed();
    },
    of: (pk: string) => records.filter((r) => r.keys.PK === pk),
    /** Re-checks the waits after something other than a delivery happened. */
    poke: changed,
    until(done: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
      if (done()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!done()) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify(records.map((r) => [r.kind, r.keys]))}`),
          );
        }, timeoutMs);
        waiters.add(check);
      });
    },
  };
}

async function startReader(c: ReturnType<typeof collector>, over: Partial<StreamReaderOptions> = {}, via = clients) {
  const reader = createStreamReader({
    client: via.raw,
    streams: via.streams,
    tableName,
    pollIntervalMs: 50,
    onRecords: c.onRecords,
    onGap: c.onGap,
    ...over,
  });
  readers.push(reader);
  await reader.start();
  return reader;
}

const put = (item: Record<string, unknown>) => clients.doc.send(new PutCommand({ TableName: tableName, Item: item }));
const fresh = (prefix: string) => `${prefix}#${randomUUID()}`;

describe('the stream reader on DynamoDB Local', () => {
  it('delivers a write committed right after start() resolves', async () => {
    const c = collector();
    await startReader(c);
    const pk = fresh('GAME');
    await put({ PK: pk, SK: '#METADATA', people: 1 });
    await c.until(() => c.of(pk).length === 1, 'the insert');
    expect(c.of(pk)[0]).toMatchObject({ kind: 'INSERT', keys: { PK: pk, SK: '#METADATA' }, newImage: { people: 1 }, byTtl: false });
    expect(c.gaps).toStrictEqual([]);
  });

  it('gives INSERT, MODIFY and REMOVE with the right images, in write order', async () => {
    const c = collector();
    await startReader(c);
    const pk = fresh('PHOTO');
    const key = { PK: pk, SK: pk };
    await put({ ...key, likes: 0 });
    for (let n = 1; n <= 8; n++) {
      await clients.doc.send(
        new UpdateCommand({ TableName: tableName, Key: key, UpdateExpression: 'SET likes = :n', ExpressionAttributeValues: { ':n': n } }),
      );
    }
    await clients.doc.send(new DeleteCommand({ TableName: tableName, Key: key }));
    await c.until(() => c.of(pk).length === 10, 'ten changes');
    const got = c.of(pk);
    expect(got.map((r) => r.kind)).toStrictEqual(['INSERT', ...Array<string>(8).fill('MODIFY'), 'REMOVE']);
    expect(got[0]!.oldImage).toBeUndefined();
    expect(got.slice(1, 9).map((r) => [r.oldImage?.likes, r.newImage?.likes])).toStrictEqual(
      Array.from({ length: 8 }, (_, i) => [i, i + 1]),
    );
    expect(got[9]).toMatchObject({ oldImage: { likes: 8 }, byTtl: false });
    expect(got[9]!.newImage).toBeUndefined();
    const seqs = got.map((r) => BigInt(r.sequenceNumber));
    expect(seqs).toStrictEqual([...seqs].sort((a, b) => (a < b ? -1 : 1)));
    expect(new Set(got.map((r) => r.id)).size).toBe(10);
  });

  it('gives one record per item of a transaction and none for a failed conditional write', async () => {
    const c = collector();
    await startReader(c);
    const game = fresh('GAME');
    await clients.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: tableName, Item: { PK: game, SK: '#METADATA', people: 1 } } },
          { Put: { TableName: tableName, Item: { PK: game, SK: 'USER#ana', role: 'player' } } },
          { Put: { TableName: tableName, Item: { PK: game, SK: 'USER#bo', role: 'player' } } },
        ],
      }),
    );
    await expect(
      clients.doc.send(
        new PutCommand({
          TableName: tableName,
          Item: { PK: game, SK: '#METADATA', people: 9 },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      ),
    ).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    // A later write to the same shard: once it is delivered, anything the failed write made would have been too.
    const sentinel = fresh('SENTINEL');
    await put({ PK: sentinel, SK: sentinel });
    await c.until(() => c.of(sentinel).length === 1, 'the sentinel');
    expect(
      c
        .of(game)
        .map((r) => [r.kind, r.keys.SK])
        .sort(),
    ).toStrictEqual([
      ['INSERT', '#METADATA'],
      ['INSERT', 'USER#ana'],
      ['INSERT', 'USER#bo'],
    ]);
    expect(c.of(game).find((r) => r.keys.SK === '#METADATA')?.newImage?.people).toBe(1);
  });

  it('continues after the last checkpoint on restart, without delivering anything twice', async () => {
    const store = memoryCheckpoints();
    const pk = fresh('USER');
    const first = collector();
    const r1 = await startReader(first, { checkpoints: store });
    await put({ PK: pk, SK: 'n#1' });
    await first.until(() => first.of(pk).length === 1, 'the first write');
    await r1.stop();
    expect([...store.saved.values()]).toContain(first.of(pk)[0]!.sequenceNumber);

    await put({ PK: pk, SK: 'n#2' });
    await put({ PK: pk, SK: 'n#3' });
    const second = collector();
    await startReader(second, { checkpoints: store });
    await second.until(() => second.of(pk).length >= 2, 'the writes made while stopped');
    expect(second.of(pk).map((r) => r.keys.SK)).toStrictEqual(['n#2', 'n#3']);
    expect(second.gaps).toStrictEqual([]);
  });

  it('delivers what was written while stopped even when the first run never saw a record', async () => {
    const store = memoryCheckpoints();
    const r1 = await startReader(collector(), { checkpoints: store });
    await r1.stop();
    expect([...store.saved.values()].every((v) => v.startsWith('LATEST@'))).toBe(true);
    const pk = fresh('USER');
    await put({ PK: pk, SK: pk });
    const second = collector();
    await startReader(second, { checkpoints: store });
    await second.until(() => second.of(pk).length === 1, 'the write made while stopped');
    expect(second.gaps).toStrictEqual([]);
  });

  it('stops promptly, mid-wait, and leaves no timer behind', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const c = collector();
    const reader = await startReader(c, { pollIntervalMs: 60_000, discoveryIntervalMs: 60_000 });
    // Once its first GetRecords has answered, the reader waits a minute for the next: stop it then.
    // (A write would be a race: made after that first poll, it would wait for the next one.)
    const deadline = Date.now() + 10_000;
    while ((reader.status().calls.GetRecords ?? 0) < 1) {
      if (Date.now() > deadline) throw new Error(`No GetRecords within 10 s: ${JSON.stringify(reader.status())}`);
      await new Promise((r) => setImmediate(r));
    }
    expect(reader.status()).toMatchObject({ shards: 1 });
    const t0 = performance.now();
    await reader.stop();
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(reader.status().shards).toBe(0);
    expect(timers()).toBeLessThanOrEqual(before);
  });
});

describe('the stream reader when calls fail', () => {
  it('reopens an expired iterator after the last record processed, losing and repeating nothing', async () => {
    const c = collector();
    const reader = await startReader(c, {}, proxied);
    const pk = fresh('GAME');
    await put({ PK: pk, SK: 'a' });
    await c.until(() => c.of(pk).length === 1, 'the first write');
    const expired = {
      status: 400,
      body: { __type: 'com.amazonaws.dynamodb.v20120810#ExpiredIteratorException', message: 'Iterator expired' },
    };
    proxy.inject(times(1, () => expired, onCommands('GetRecords')));
    await put({ PK: pk, SK: 'b' });
    await put({ PK: pk, SK: 'c' });
    await c.until(() => c.of(pk).length === 3, 'the writes after the expiry');
    expect(c.of(pk).map((r) => r.keys.SK)).toStrictEqual(['a', 'b', 'c']);
    expect(c.gaps).toStrictEqual([]);
    expect(reader.status().calls.GetShardIterator).toBe(2);
  });

  it('reports a gap and rereads from the oldest record when data was trimmed', async () => {
    const c = collector();
    await startReader(c, {}, proxied);
    const trimmed = {
      status: 400,
      body: { __type: 'com.amazonaws.dynamodb.v20120810#TrimmedDataAccessException', message: 'Trimmed' },
    };
    proxy.inject(times(1, () => trimmed, onCommands('GetRecords')));
    await c.until(() => c.gaps.length === 1, 'the gap');
    expect(c.gaps[0]).toMatch(/retention/);
    const pk = fresh('GAME');
    await put({ PK: pk, SK: pk });
    await c.until(() => c.of(pk).length === 1, 'a write after the gap');
  });

  const notFound = () => ({
    status: 400,
    body: { __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', message: 'Requested resource not found' },
  });

  it('looks again after ResourceNotFound and, the shard still being there, continues after its checkpoint', async () => {
    const c = collector();
    const reader = await startReader(c, {}, proxied);
    const pk = fresh('GAME');
    await put({ PK: pk, SK: 'a' });
    await c.until(() => c.of(pk).length === 1, 'the first write');
    const describes = reader.status().calls.DescribeStream ?? 0;
    proxy.inject(times(1, notFound, onCommands('GetRecords')));
    await put({ PK: pk, SK: 'b' });
    await c.until(() => c.of(pk).length === 2, 'the write after the lost shard');
    expect(c.of(pk).map((r) => r.keys.SK)).toStrictEqual(['a', 'b']);
    expect(reader.status().calls.DescribeStream).toBeGreaterThan(describes);
    expect(c.gaps).toStrictEqual([]);
  });

  it('reports a gap for a shard that vanished before it was drained', async () => {
    const c = collector();
    await startReader(c, {}, proxied);
    proxy.inject((call) => {
      if (call.command === 'GetRecords') return notFound();
      if (call.command === 'DescribeStream')
        return { status: 200, body: { StreamDescription: { StreamArn: call.body.StreamArn, Shards: [] } } };
      return undefined;
    });
    await c.until(() => c.gaps.length === 1, 'the gap');
    expect(c.gaps[0]).toMatch(/disappeared before it was drained/);
  });

  it('backs off through throttling, 5xx and cut connections, then delivers', async () => {
    const c = collector();
    const reader = await startReader(c, {}, proxied);
    const failures = [fault.throttling(), fault.internalServerError(), fault.dropBefore()];
    let n = 0;
    proxy.inject(
      always(() => {
        setImmediate(c.poke);
        return failures[n++ % failures.length]!;
      }, onCommands('GetRecords')),
    );
    const pk = fresh('GAME');
    await put({ PK: pk, SK: pk });
    await c.until(() => n >= 3, 'three failed polls');
    proxy.inject(() => undefined);
    await c.until(() => c.of(pk).length === 1, 'the write once calls succeed');
    expect(c.gaps).toStrictEqual([]);
    expect(reader.status().shards).toBe(1);
  });
});

describe('the stream reader when the stream itself changes', () => {
  const setStream = (enabled: boolean) =>
    clients.raw.send(
      new UpdateTableCommand({
        TableName: tableName,
        StreamSpecification: enabled ? { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } : { StreamEnabled: false },
      }),
    );
  const arn = async () => (await clients.raw.send(new DescribeTableCommand({ TableName: tableName }))).Table?.LatestStreamArn;

  it('reports a gap when the stream is disabled, another when it is replaced, and reads the new one from its start', async () => {
    const c = collector();
    const reader = await startReader(c, { discoveryIntervalMs: 100 });
    const oldArn = await arn();
    await setStream(false);
    await c.until(() => c.gaps.length === 1, 'the gap for the disabled stream');
    expect(c.gaps[0]).toMatch(/no longer has an enabled stream/);
    await setStream(true);
    expect(await arn()).not.toBe(oldArn);
    // Written before the reader has seen the new stream: reading it from TRIM_HORIZON still delivers it.
    const pk = fresh('GAME');
    await put({ PK: pk, SK: pk });
    await c.until(() => c.of(pk).length === 1, 'the write on the new stream');
    expect(c.gaps).toHaveLength(2);
    expect(c.gaps[1]).toMatch(/replaced/);
    expect(reader.status().shards).toBe(1);
  });
});
