// The Redis topology's pipeline as one server assembles it (src/live/index.ts): the lease-holding
// reader sets live_stream_lag_seconds, and every DynamoDB call of its background work is counted
// under its own source (stream-reader, lease, checkpoint, expirer, sweep) beside the requests'.
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { keys } from '../../src/data/keys.js';
import { enableMetrics, live as metrics } from '../../src/observe/metrics.js';
import { eventually } from '../helpers/cluster.js';
import { parseExposition, type Exposition } from '../helpers/prometheus.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let redis: TestRedis;
let s: TestServer;
beforeAll(async () => {
  redis = await startRedis();
  enableMetrics(); // before live updates start, as src/main.ts does: the lease's first calls count too
  s = await startTestServer({ metrics: true, live: { redisUrl: redis.url, expireSweepMs: 200 } });
}, 60_000);
afterAll(async () => {
  await s?.close();
  await redis?.stop();
});

async function scrape(): Promise<Exposition> {
  return parseExposition(await (await fetch(`${s.url}/metrics`)).text());
}

it('sets the stream lag and labels each background call with whose it is', async () => {
  // An open game whose time ran out, with one player: the expirer deletes the game, the stream's
  // REMOVE reaches the lease holder, which publishes it and sweeps the player.
  metrics.streamLag(-1); // a value no reader sets: the gauge must be set again below
  const gameId = randomUUID();
  const past = Math.floor(Date.now() / 1000) - 60;
  const game = {
    ...keys.game(gameId),
    game_id: gameId,
    map: `m-${gameId}`,
    open_timestamp: new Date().toISOString(),
    people: 1,
    expires_at: past,
  };
  const player = { ...keys.player(gameId, 'ana'), game_id: gameId, username: 'ana' };
  await s.clients.doc.send(new PutCommand({ TableName: s.tableName, Item: player }));
  await s.clients.doc.send(new PutCommand({ TableName: s.tableName, Item: game }));
  await eventually(
    async () =>
      !(await s.clients.doc.send(new GetCommand({ TableName: s.tableName, Key: keys.player(gameId, 'ana'), ConsistentRead: true }))).Item,
    'the expired game’s player to be swept',
  );
  const res = await s.execute('{ openGames(first: 1) { edges { cursor } } }');
  expect(res.errors).toBeUndefined();

  const m = await scrape();
  expect(m.types.get('live_stream_lag_seconds')).toBe('gauge');
  const lag = m.samples.filter((x) => x.name === 'live_stream_lag_seconds');
  expect(lag).toHaveLength(1);
  expect(lag[0]!.value).toBeGreaterThanOrEqual(0);
  const calls = (labels: Record<string, string>) => m.sum('dynamodb_calls_total', labels);
  expect(calls({ source: 'stream-reader', command: 'GetRecords' })).toBeGreaterThan(0);
  expect(calls({ source: 'stream-reader', command: 'DescribeStream' })).toBeGreaterThan(0);
  expect(calls({ source: 'lease', command: 'PutItem' })).toBeGreaterThan(0);
  expect(calls({ source: 'checkpoint', command: 'Query' })).toBe(1); // loaded once, when the lease was taken
  expect(calls({ source: 'checkpoint', command: 'PutItem' })).toBeGreaterThan(0);
  expect(calls({ source: 'expirer', command: 'Scan', index: 'OpenGamesIndex' })).toBeGreaterThan(0);
  expect(calls({ source: 'expirer', command: 'DeleteItem' })).toBeGreaterThanOrEqual(1);
  expect(calls({ source: 'sweep', command: 'Query' })).toBeGreaterThanOrEqual(1);
  expect(calls({ source: 'sweep', command: 'BatchWriteItem' })).toBeGreaterThanOrEqual(1);
  expect(calls({ source: 'request' })).toBeGreaterThanOrEqual(1);
  // Only the known sources: the label's values are bounded.
  const sources = new Set(m.samples.filter((x) => x.name === 'dynamodb_calls_total').map((x) => x.labels.source));
  expect([...sources].sort()).toEqual(['checkpoint', 'expirer', 'lease', 'request', 'stream-reader', 'sweep']);
});
