// @live queries end to end (`node --expose-gc --import tsx bench/live-query-delay.ts [--quick]`):
// the server in its own process (bench/live-server.ts) against its own DynamoDB Local, clients on
// bare graphql-transport-ws sockets here (the joins seat players with no user item, so the lobby
// selects cursors, not users). Measures the delay from a committed write (the lab's join
// transaction, from outside the server) to the live lobby's updated result, and the server heap an
// idle live query costs (1,000 of them, 20 per connection).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import WebSocket from 'ws';
import { loadConfig } from '../src/config.js';
import { createClients } from '../src/data/dynamo/client.js';
import { ensureTable } from '../src/ops/admin.js';
import { loadItems } from '../src/ops/load.js';
import { startDynamoLocal } from '../src/ops/local.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const quick = process.argv.includes('--quick');
const WRITES = quick ? 10 : 50;
const IDLE = quick ? 200 : 1_000;
const LOBBY = 'query($id: ID!) @live { game(id: $id) { playerCount players(first: 50) { edges { cursor } } } }';

interface Stats {
  heapUsed: number;
  rss: number;
  liveQueries: number;
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

async function until(what: string, ready: () => boolean | Promise<boolean>, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A bare client holding `ids.length` live lobbies; onCount gets each result's game id and player count. */
function client(wsUrl: string, ids: string[], onCount: (id: string, n: number) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, 'graphql-transport-ws');
    ws.once('error', reject);
    ws.once('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: {} })));
    ws.on('message', (data) => {
      if (process.env.LQ_DEBUG) console.log(String(data).slice(0, 300));
      const m = JSON.parse(String(data)) as { type: string; id?: string; payload?: { data?: { game?: { playerCount: number } } } };
      if (m.type === 'connection_ack') {
        ids.forEach((id, i) => ws.send(JSON.stringify({ id: `${i}`, type: 'subscribe', payload: { query: LOBBY, variables: { id } } })));
        resolve(ws);
      } else if (m.type === 'next' && m.payload?.data?.game) onCount(ids[Number(m.id)]!, m.payload.data.game.playerCount);
      else if (m.type === 'error') reject(new Error(String(data).slice(0, 300)));
    });
  });
}

const dynamo = await startDynamoLocal({});
const endpoint = dynamo.endpoint;
const table = `lq-bench-${randomUUID().slice(0, 8)}`;
const clients = createClients({ endpoint, region: 'local', timeoutMs: 10_000, maxAttempts: 3 });
await ensureTable(clients.raw, table);
const pollMs = loadConfig({}).live.streamPollMs;
const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(HERE, 'live-server.ts'), endpoint, table, String(pollMs)], {
  cwd: join(HERE, '..'),
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const wsUrl = await new Promise<string>((resolve) => child.once('message', (m: { wsUrl: string }) => resolve(m.wsUrl)));
const stats = () =>
  new Promise<Stats>((resolve) => {
    child.once('message', (m: Stats) => resolve(m));
    child.send({ type: 'stats' });
  });

const newGame = async () => {
  const id = randomUUID();
  await loadItems(clients.doc, table, [
    { PK: `GAME#${id}`, SK: `#METADATA#${id}`, game_id: id, map: 'Bench', create_time: '2024-01-01T00:00:00', people: 0, creator: 'bench' },
  ]);
  return id;
};
let seat = 0;
const labJoin = (gameId: string) => {
  const username = `b${seat++}`;
  return clients.doc.send(
    new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: table, Item: { PK: `GAME#${gameId}`, SK: `USER#${username}`, game_id: gameId, username } } },
        {
          Update: {
            TableName: table,
            Key: { PK: `GAME#${gameId}`, SK: `#METADATA#${gameId}` },
            UpdateExpression: 'SET people = people + :one',
            ExpressionAttributeValues: { ':one': 1 },
          },
        },
      ],
    }),
  );
};

const sockets: WebSocket[] = [];
try {
  // Delay: one live lobby, joins one at a time; the result counts when it shows the new player count.
  const lobby = await newGame();
  let count = -1;
  sockets.push(await client(wsUrl, [lobby], (_, n) => (count = n)));
  await until('the first result', () => count === 0);
  const delays: number[] = [];
  for (let i = 1; i <= WRITES; i++) {
    await labJoin(lobby);
    const committed = performance.now();
    await until('the updated result', () => count === i, 10_000);
    delays.push(performance.now() - committed);
  }
  for (const s of sockets.splice(0)) s.terminate();
  await until('the live query to close', async () => (await stats()).liveQueries === 0);

  // Memory: IDLE live lobbies over 20 games, 20 per connection (WS_MAX_SUBSCRIPTIONS).
  const games = await Promise.all(Array.from({ length: 20 }, newGame));
  const before = await stats();
  let results = 0;
  for (let c = 0; c < IDLE / 20; c++) sockets.push(await client(wsUrl, games, () => results++));
  await until(`${IDLE} first results`, () => results >= IDLE, 120_000);
  const after = await stats();
  const out = {
    pollMs,
    delay: { writes: WRITES, p50Ms: pct(delays, 50), p99Ms: pct(delays, 99), maxMs: Math.max(...delays), targetP50Ms: pollMs + 50 },
    idle: {
      liveQueries: after.liveQueries,
      connections: IDLE / 20,
      heapBytesPerLiveQuery: Math.round((after.heapUsed - before.heapUsed) / IDLE),
      rssBytesPerLiveQuery: Math.round((after.rss - before.rss) / IDLE),
    },
  };
  console.log(JSON.stringify(out, null, 2));
} finally {
  for (const s of sockets) s.terminate();
  child.send({ type: 'stop' });
  await new Promise((r) => child.once('exit', r));
  clients.raw.destroy();
  await dynamo.stop();
}
