// The Lambda stream reader against a real Redis and DynamoDB Local: its batches are DynamoDB
// Local's own GetRecords answer, as JSON off the wire (the shape Lambda hands a function), so
// the handler is tested on exactly what a stream emits, not on a hand-written imitation.
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createClients, type DynamoClients } from '../../src/data/dynamo/client.js';
import { Db } from '../../src/data/dynamo/db.js';
import { keys } from '../../src/data/keys.js';
import type { BusEntry } from '../../src/live/bus.js';
import { createStreamHandler } from '../../src/live/lambda-reader.js';
import { busPrefix, createRedisBus, type RedisBus } from '../../src/live/redis-bus.js';
import { createLogger } from '../../src/log.js';
import { enableMetrics, scrape } from '../../src/observe/metrics.js';
import { ensureTable } from '../../src/ops/admin.js';
import { eventually } from '../helpers/cluster.js';
import { parseExposition } from '../helpers/prometheus.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';

const endpoint = inject('dynamoEndpoint');
const tableName = `lambda-${randomUUID().slice(0, 8)}`;
const logger = createLogger({ silent: true });
let redis: TestRedis;
let clients: DynamoClients;
let publisher: RedisBus;
let listener: RedisBus;
const heard: BusEntry[] = [];
let streamArn: string;
let iterator: string;

/** One DynamoDB Streams call as raw JSON over HTTP: the wire shape, epoch-second times and all. */
async function streams(target: string, body: unknown): Promise<any> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDBStreams_20120810.${target}`,
      authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${target}: ${JSON.stringify(json)}`);
  return json;
}

/** The next batch the stream holds, as the Lambda event that would carry it. */
async function nextBatch(): Promise<DynamoDBStreamEvent> {
  const out = await streams('GetRecords', { ShardIterator: iterator });
  iterator = out.NextShardIterator;
  return { Records: out.Records.map((r: object) => ({ ...r, eventSourceARN: streamArn })) };
}

beforeAll(async () => {
  redis = await startRedis();
  clients = createClients({ endpoint, region: 'local', timeoutMs: 5_000, maxAttempts: 3 });
  await ensureTable(clients.raw, tableName);
  streamArn = (await clients.raw.send(new DescribeTableCommand({ TableName: tableName }))).Table!.LatestStreamArn!;
  const shard = (await streams('DescribeStream', { StreamArn: streamArn })).StreamDescription.Shards.at(-1);
  iterator = (await streams('GetShardIterator', { StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: 'LATEST' }))
    .ShardIterator;
  const opts = { url: redis.url, prefix: busPrefix(tableName), replayRecords: 1_000, dedupeSeconds: 600, logger };
  publisher = await createRedisBus(opts);
  listener = await createRedisBus(opts);
  listener.listen(
    (e) => heard.push(e),
    () => undefined,
  );
});
afterAll(async () => {
  await publisher?.close();
  await listener?.close();
  clients?.raw.destroy();
  await redis?.stop();
});

it('publishes a batch of real stream records once, leaves out the lease and checkpoints, and sweeps a removed game’s players', async () => {
  const handle = createStreamHandler({ bus: publisher, db: new Db(clients.doc, tableName), logger });
  const gameId = randomUUID();
  const game = { ...keys.game(gameId), game_id: gameId, map: 'Dirtdome', people: 1, creator: 'ana', create_time: '2024-05-01T10:00:00' };
  await clients.doc.send(new PutCommand({ TableName: tableName, Item: game }));
  await clients.doc.send(new PutCommand({ TableName: tableName, Item: { ...keys.live.lease(), holder: 'x', expires_at: 1 } }));
  await clients.doc.send(
    new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: tableName, Item: { ...keys.player(gameId, 'bob'), game_id: gameId, username: 'bob' } } },
        {
          Update: {
            TableName: tableName,
            Key: keys.game(gameId),
            UpdateExpression: 'SET people = people + :one',
            ExpressionAttributeValues: { ':one': 1 },
          },
        },
      ],
    }),
  );
  await clients.doc.send(new PutCommand({ TableName: tableName, Item: { ...keys.live.checkpoint('shard-x'), position: '1' } }));
  const batch = await eventually(async () => {
    const b = await nextBatch();
    return b.Records.length >= 5 ? b : null;
  }, 'five stream records');
  expect(typeof batch.Records[0]!.dynamodb!.ApproximateCreationDateTime).toBe('number'); // the wire's shape, not the SDK's Date

  // The lag gauge is set by the same publishing step as on a server: a batch whose newest record
  // is 100 s old (the same records, their times moved back) reads as at least 100 s behind.
  enableMetrics();
  const aged = (r: (typeof batch.Records)[number]) => ({
    ...r,
    dynamodb: { ...r.dynamodb, ApproximateCreationDateTime: Math.floor(Date.now() / 1000) - 100 },
  });
  expect(await handle({ Records: batch.Records.map(aged) })).toEqual({ published: 3 });
  const lag = parseExposition((await scrape()).body).samples.find((x) => x.name === 'live_stream_lag_seconds');
  expect(lag?.value).toBeGreaterThanOrEqual(100);
  expect(lag?.value).toBeLessThan(200);
  await eventually(async () => heard.length >= 3, 'three entries on the listener');
  const seen = heard.map((e) => `${e.record.kind} ${e.record.keys.PK} ${e.record.keys.SK}`);
  expect(seen[0]).toBe(`INSERT ${keys.game(gameId).PK} ${keys.game(gameId).SK}`);
  // The join's two items are one transaction: their records may come in either order.
  expect(seen.slice(1).sort()).toEqual(
    [`INSERT ${keys.game.pk(gameId)} ${keys.player(gameId, 'bob').SK}`, `MODIFY ${keys.game(gameId).PK} ${keys.game(gameId).SK}`].sort(),
  );
  expect(heard.find((e) => e.record.kind === 'MODIFY')!.record).toMatchObject({
    oldImage: { people: 1 },
    newImage: { people: 2 },
    byTtl: false,
  });

  // Lambda retries a failed batch whole: nothing of it reaches the bus twice.
  await handle(batch);
  await clients.doc.send(new DeleteCommand({ TableName: tableName, Key: keys.game(gameId) }));
  const removal = await eventually(async () => {
    const b = await nextBatch();
    return b.Records.length >= 1 ? b : null;
  }, 'the removal record');
  expect(await handle(removal)).toEqual({ published: 1 });
  await eventually(async () => heard.length >= 4, 'the removal on the listener');
  expect(heard).toHaveLength(4);
  expect(heard[3]!.record).toMatchObject({ kind: 'REMOVE', keys: keys.game(gameId) });
  // The game's removal swept its player, as the lease-holding server would.
  const left = await clients.doc.send(new GetCommand({ TableName: tableName, Key: keys.player(gameId, 'bob'), ConsistentRead: true }));
  expect(left.Item).toBeUndefined();
});
