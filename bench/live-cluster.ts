// Live updates across instances: the same measurements on one process (the in-process bus) and on
// three server processes sharing Redis (the lease-holding reader publishes, every instance fans
// out to its own subscribers), plus the failover time when the lease holder is killed.
//   event delay   a committed write (made from outside the API) to the subscriber's message, p50/p99
//   fan-out       one write, N subscribers spread over the instances: time to the last delivery
//   failover      SIGKILL the lease holder, then a write every 100 ms: time until events flow again
// `npx tsx bench/live-cluster.ts [--quick]` alone, or from bench/run.ts. Needs Debian's redis-server
// (skipped with a note without it). Server and Redis processes are started by the test helpers
// (test/helpers/main-process.ts, test/helpers/redis.ts), as the cluster tests start them. Results: bench/live-cluster.json and bench/LIVE-CLUSTER.md.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join as joinPath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import WebSocket from 'ws';
import { createClients, type DynamoClients } from '../src/data/dynamo/client.js';
import { Db } from '../src/data/dynamo/db.js';
import { keys } from '../src/data/keys.js';
import { readLease } from '../src/data/live/lease.js';
import { ensureTable } from '../src/ops/admin.js';
import { startDynamoLocal } from '../src/ops/local.js';
import { startMainProcess, type MainProcess } from '../test/helpers/main-process.js';
import { startRedis } from '../test/helpers/redis.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
// Only the event's own fields: resolving the player's user would time a DynamoDB read per subscriber, not the fan-out.
const LOBBY = 'subscription($id: ID!) { gameLobby(gameId: $id) { kind cursor } }';

export interface TopologyResult {
  instances: number;
  subscribers: number;
  delayMs: { p50: number; p99: number; samples: number };
  /** Commit to the last of `subscribers` deliveries, one run per write. */
  fanoutMs: number[];
}

export interface LiveClusterResults {
  mode: 'quick' | 'full';
  /** The machine's 1-minute load average when the run started (2 CPUs here, shared). */
  loadAverage: number;
  single: TopologyResult;
  cluster: TopologyResult;
  failover: { leaseMs: number; renewMs: number; killToNewHolderMs: number; killToEventsFlowingMs: number; lostWrites: number };
}

function percentile(xs: readonly number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

type Server = MainProcess;

let started = 0;
/** A server process as the cluster tests start it; connections are not capped per address (one load generator). */
const startServer = (env: Record<string, string>): Promise<Server> =>
  startMainProcess(`live-cluster server ${++started}`, { WS_MAX_CONNECTIONS_PER_ADDRESS: '100000', ...env }, 90_000);

/** One raw graphql-transport-ws connection with one lobby subscription; `onEvent` gets each event's arrival time. */
async function subscriber(url: string, gameId: string, onEvent: (at: number) => void): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: {} })));
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { type: string; payload?: any };
      if (msg.type === 'connection_ack') {
        ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: LOBBY, variables: { id: gameId } } }));
        // Acknowledged once the server answers a ping sent after it: messages are handled in order.
        ws.send(JSON.stringify({ type: 'ping' }));
      } else if (msg.type === 'pong') {
        resolve();
      } else if (msg.type === 'error') {
        reject(new Error(`subscription refused: ${JSON.stringify(msg.payload)}`));
      } else if (msg.type === 'next') {
        if (msg.payload?.data?.gameLobby?.kind === 'PLAYER_JOINED') onEvent(performance.now());
      }
    });
  });
  return ws;
}

async function seedGame(clients: DynamoClients, table: string): Promise<string> {
  const id = randomUUID();
  await clients.doc.send(
    new PutCommand({
      TableName: table,
      Item: { ...keys.game(id), game_id: id, map: 'Bench', people: 0, creator: 'bench', create_time: '2024-05-01T10:00:00' },
    }),
  );
  return id;
}

/** The lab's join, from outside the API; resolves with the commit time. */
async function join(clients: DynamoClients, table: string, gameId: string, username: string): Promise<number> {
  await clients.doc.send(
    new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: table, Item: { ...keys.player(gameId, username), game_id: gameId, username } } },
        {
          Update: {
            TableName: table,
            Key: keys.game(gameId),
            UpdateExpression: 'SET people = people + :one',
            ExpressionAttributeValues: { ':one': 1 },
          },
        },
      ],
    }),
  );
  return performance.now();
}

function waitFor(ok: () => boolean, ms: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + ms;
    const check = () => {
      if (ok()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(check, 5);
    };
    check();
  });
}

async function measure(
  servers: Server[],
  clients: DynamoClients,
  table: string,
  subscribers: number,
  delaySamples: number,
  fanoutRuns: number,
): Promise<TopologyResult> {
  // Delay: one subscriber, writes one at a time.
  const delayGame = await seedGame(clients, table);
  const arrivals: number[] = [];
  const watcher = await subscriber(servers.at(-1)!.url, delayGame, (at) => arrivals.push(at));
  const delays: number[] = [];
  for (let i = 0; i < delaySamples; i++) {
    const committed = await join(clients, table, delayGame, `d${i}`);
    await waitFor(() => arrivals.length > i, 30_000, `delay sample ${i}`);
    delays.push(arrivals[i]! - committed);
  }
  watcher.close();

  // Fan-out: `subscribers` connections spread round-robin over the instances.
  const fanGame = await seedGame(clients, table);
  // Writes are one at a time, so run r's deliveries are the (r+1)-th subscribers deliveries.
  let received = 0;
  let lastAt = 0;
  const sockets: WebSocket[] = [];
  for (let i = 0; i < subscribers; i += 50) {
    const batch = Array.from({ length: Math.min(50, subscribers - i) }, (_, j) =>
      subscriber(servers[(i + j) % servers.length]!.url, fanGame, (at) => {
        received++;
        lastAt = at;
      }),
    );
    sockets.push(...(await Promise.all(batch)));
  }
  const fanoutMs: number[] = [];
  for (let r = 0; r < fanoutRuns; r++) {
    const committed = await join(clients, table, fanGame, `f${r}`);
    await waitFor(() => received >= subscribers * (r + 1), 60_000, `fan-out run ${r}`);
    fanoutMs.push(Math.round(lastAt - committed));
  }
  for (const s of sockets) s.terminate();
  return {
    instances: servers.length,
    subscribers,
    delayMs: { p50: Math.round(percentile(delays, 50)), p99: Math.round(percentile(delays, 99)), samples: delays.length },
    fanoutMs,
  };
}

async function failover(servers: Server[], clients: DynamoClients, table: string, leaseMs: number, renewMs: number) {
  const db = new Db(clients.doc, table);
  const lease = (await readLease(db))!;
  const holder = servers.find((s) => lease.holder.includes(`:${s.proc.pid}:`))!;
  const watcherServer = servers.find((s) => s !== holder)!;
  const gameId = await seedGame(clients, table);
  const arrivals: number[] = [];
  const ws = await subscriber(watcherServer.url, gameId, (at) => arrivals.push(at));
  const killedAt = performance.now();
  holder.proc.kill('SIGKILL');
  let written = 0;
  let newHolderAt = 0;
  // Every write is made after the kill, so the first arrival is the first event of the new reader.
  while (arrivals.length === 0) {
    await join(clients, table, gameId, `k${written++}`);
    if (!newHolderAt) {
      const l = await readLease(db);
      if (l && l.holder !== lease.holder) newHolderAt = performance.now();
    }
    if (performance.now() - killedAt > 120_000) throw new Error('no new reader within 120 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  const flowingAt = arrivals[0]!;
  await waitFor(() => arrivals.length >= written, 30_000, 'every write made during the failover').catch(() => undefined);
  ws.close();
  return {
    leaseMs,
    renewMs,
    killToNewHolderMs: Math.round((newHolderAt || flowingAt) - killedAt),
    killToEventsFlowingMs: Math.round(flowingAt - killedAt),
    lostWrites: written - arrivals.length,
  };
}

function report(r: LiveClusterResults): string {
  const row = (name: string, t: TopologyResult) =>
    `| ${name} | ${t.instances} | ${t.subscribers} | ${t.delayMs.p50} | ${t.delayMs.p99} | ${t.fanoutMs.join(', ')} |`;
  return `# Live updates across instances (${r.mode} run)

Written by \`bench/live-cluster.ts\`. DynamoDB Local in memory, \`STREAM_POLL_MS\` 250 (the default),
one machine (load average ${r.loadAverage} at the start): every process shares its CPUs, so the three
instances compete with each other, with Redis, with DynamoDB Local and with the load generator.
Each subscriber is its own WebSocket connection, spread round-robin over the instances.

| topology | instances | subscribers | delay p50 (ms) | delay p99 (ms) | fan-out: commit to last delivery (ms, per write) |
|---|---|---|---|---|---|
${row('one process, in-process bus', r.single)}
${row('three processes, Redis bus', r.cluster)}

Failover (lease ${r.failover.leaseMs} ms, renewed every ${r.failover.renewMs} ms): the lease holder killed with
SIGKILL while a write is made every 100 ms. A new holder after ${r.failover.killToNewHolderMs} ms; events
flowing again ${r.failover.killToEventsFlowingMs} ms after the kill; writes never delivered: ${r.failover.lostWrites}.
`;
}

export async function runLiveCluster(opts: { quick: boolean; outDir: string }): Promise<LiveClusterResults | null> {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    console.log('live-cluster: skipped (no redis-server; apt-get install redis-server)');
    return null;
  }
  const subscribers = opts.quick ? 300 : 3_000;
  const [delaySamples, fanoutRuns] = opts.quick ? [10, 2] : [40, 5];
  const leaseMs = 10_000;
  const renewMs = 3_000;
  const loadAverage = Math.round(loadavg()[0]! * 10) / 10;
  const dynamo = await startDynamoLocal();
  const redis = await startRedis();
  const servers: Server[] = [];
  const clients = createClients({ endpoint: dynamo.endpoint, region: 'local', timeoutMs: 5_000, maxAttempts: 3 });
  try {
    const common = { DYNAMODB_ENDPOINT: dynamo.endpoint };
    await ensureTable(clients.raw, 'live-single');
    servers.push(await startServer({ ...common, TABLE_NAME: 'live-single' }));
    const single = await measure(servers, clients, 'live-single', subscribers, delaySamples, fanoutRuns);
    servers.pop()!.proc.kill('SIGTERM');

    await ensureTable(clients.raw, 'live-cluster');
    const env = {
      ...common,
      TABLE_NAME: 'live-cluster',
      REDIS_URL: redis.url,
      LIVE_LEASE_MS: String(leaseMs),
      LIVE_LEASE_RENEW_MS: String(renewMs),
    };
    for (let i = 0; i < 3; i++) servers.push(await startServer(env));
    const cluster = await measure(servers, clients, 'live-cluster', subscribers, delaySamples, fanoutRuns);
    const fo = await failover(servers, clients, 'live-cluster', leaseMs, renewMs);
    const results: LiveClusterResults = { mode: opts.quick ? 'quick' : 'full', loadAverage, single, cluster, failover: fo };
    mkdirSync(opts.outDir, { recursive: true });
    writeFileSync(joinPath(opts.outDir, 'live-cluster.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(joinPath(opts.outDir, 'LIVE-CLUSTER.md'), report(results));
    console.log(report(results));
    return results;
  } finally {
    for (const s of servers) if (s.proc.exitCode === null) s.proc.kill('SIGKILL');
    await redis.kill();
    clients.raw.destroy();
    await dynamo.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const quick = process.argv.includes('--quick');
  runLiveCluster({ quick, outDir: quick ? joinPath(HERE, 'quick') : HERE }).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
