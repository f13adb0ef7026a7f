// Live updates on the serverless flavour, on the emulators the tests use (test/helpers): API
// Gateway's WebSocket API in front of the routes function, and Lambda's event source feeding the
// delivery function from DynamoDB Local's real stream. One game with `subscribers` subscribers on
// bare graphql-transport-ws sockets; the lab's join transaction, written from outside, one at a
// time. Measured: the delay from the commit to each subscriber's message, and the DynamoDB calls
// and capacity of the fan-out per event and per delivered message (the metered door's records).
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import WebSocket from 'ws';
import { signToken } from '../src/auth.js';
import { loadConfig } from '../src/config.js';
import { topicSubscribers, type SubscriptionRecord } from '../src/data/connections/connections.js';
import type { CallRecord } from '../src/data/dynamo/cost.js';
import { Db } from '../src/data/dynamo/db.js';
import { createClients } from '../src/data/dynamo/client.js';
import { keys } from '../src/data/keys.js';
import { createServerlessHandlers, DELIVERY_CONCURRENCY } from '../src/lambda-ws.js';
import { createLogger } from '../src/log.js';
import { ensureTable } from '../src/ops/admin.js';
import { loadItems } from '../src/ops/load.js';
import { createConnections } from '../src/serverless/api.js';
import { CLOCK_SKEW_MS, FAN_OUT_CHUNK } from '../src/serverless/fan-out.js';
import { DELIVERY_FILTER_PATTERN } from '../src/serverless/filter.js';
import { startApiGatewayEmulator } from '../test/helpers/apigw-ws-emulator.js';
import { labJoinCommand } from '../test/helpers/labs.js';
import { startStreamSource } from '../test/helpers/stream-source-emulator.js';

export interface ServerlessLiveResults {
  mode: 'quick' | 'full';
  subscribers: number;
  events: number;
  /** Posts in flight at once per event (src/lambda-ws.ts). */
  concurrency: number;
  /** Chunks of subscribers claimed per event (src/serverless/fan-out.ts): the fan-out's progress writes. */
  chunks: number;
  delay: { p50Ms: number; p99Ms: number; maxMs: number; samples: number };
  /** Commit to the last subscriber's message, per event (median). */
  toLastMs: number;
  perEvent: { calls: Record<string, number>; totalCalls: number; rcu: number; wcu: number };
  perMessage: { calls: number; rcu: number; wcu: number };
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

export async function runServerlessLiveBench(opts: { endpoint: string; quick: boolean; log: (line: string) => void }) {
  const subscribers = opts.quick ? 200 : 1_000;
  const events = opts.quick ? 5 : 20;
  const tableName = `bench-sls-${randomUUID().slice(0, 8)}`;
  const clients = createClients({ endpoint: opts.endpoint, region: 'local', timeoutMs: 10_000, maxAttempts: 3 });
  await ensureTable(clients.raw, tableName);
  const config = loadConfig({ DYNAMODB_ENDPOINT: opts.endpoint, TABLE_NAME: tableName, LOG_LEVEL: 'error' });
  const calls: CallRecord[] = [];
  let counting = false;
  let callbackUrl = '';
  const handlers = createServerlessHandlers(config, {
    clients,
    logger: createLogger({ silent: true }),
    connections: createConnections({ clientConfig: { region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } }),
    callbackUrl: () => callbackUrl,
    onCall: (c) => void (counting && calls.push(c)),
  });
  const gateway = await startApiGatewayEmulator(handlers.ws);
  callbackUrl = gateway.callbackUrl;
  const stream = await startStreamSource(handlers.deliver, {
    endpoint: opts.endpoint,
    client: clients.raw,
    tableName,
    filter: DELIVERY_FILTER_PATTERN,
  });
  const sockets: WebSocket[] = [];
  try {
    const gameId = randomUUID();
    const creator = `c_${randomUUID().slice(0, 8)}`;
    await loadItems(clients.doc, tableName, [
      { ...keys.user(creator), username: creator, name: 'Creator', email: `${creator}@example.com` },
      { ...keys.game(gameId), game_id: gameId, map: 'Juicy Jungle', create_time: '2024-05-01T10:00:00', people: 1, creator },
    ]);
    const token = await signToken(config.auth, creator);
    const query = `subscription($id: ID!) { gameLobby(gameId: $id) { cursor kind player { user { username } } } }`;
    /** Per joiner, when each subscriber heard of it. */
    const heard = new Map<string, number[]>();
    const waiters = new Map<string, () => void>();
    const open = async () => {
      const ws = new WebSocket(gateway.wsUrl, 'graphql-transport-ws');
      sockets.push(ws);
      await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
      const subscribed = new Promise<void>((resolve, reject) => {
        ws.on('message', (data) => {
          const m = JSON.parse(String(data)) as { type: string; payload?: any };
          if (m.type === 'connection_ack')
            ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables: { id: gameId } } }));
          else if (m.type === 'next') {
            const who = m.payload?.data?.gameLobby?.player?.user?.username as string | undefined;
            if (!who) return;
            const at = heard.get(who) ?? [];
            at.push(performance.now());
            heard.set(who, at);
            if (at.length === subscribers) waiters.get(who)?.();
          } else if (m.type === 'error') reject(new Error(JSON.stringify(m.payload)));
        });
        ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
        resolve();
      });
      await subscribed;
    };
    for (let i = 0; i < subscribers; i += 25) await Promise.all(Array.from({ length: Math.min(25, subscribers - i) }, open));
    await gateway.settled();
    const db = new Db(clients.doc, tableName);
    await waitFor(async () => (await subscriberPages(db, gameId)).flat().length === subscribers, 'every subscription written');
    // Steady state: every catch-up over, and the events written more than the clocks' allowed skew after (no claim per subscriber).
    await waitFor(async () => (await subscriberPages(db, gameId)).flat().every((s) => s.caughtUpAt !== null), 'every catch-up over');
    const caughtUpBy = Math.max(...(await subscriberPages(db, gameId)).flat().map((s) => s.caughtUpAt!));
    await waitFor(async () => Date.now() > caughtUpBy + CLOCK_SKEW_MS, 'the catch-ups a clock skew behind');
    const chunks = (await subscriberPages(db, gameId)).reduce((n, page) => n + Math.ceil(page.length / FAN_OUT_CHUNK), 0);
    opts.log(`${subscribers} subscribers of one game on the API Gateway emulator`);

    const delays: number[] = [];
    const toLast: number[] = [];
    counting = true;
    for (let e = 0; e < events; e++) {
      const joiner = `j_${randomUUID().slice(0, 8)}`;
      await loadItems(clients.doc, tableName, [{ ...keys.user(joiner), username: joiner, name: joiner, email: `${joiner}@example.com` }]);
      const all = new Promise<void>((r) => waiters.set(joiner, r));
      await clients.doc.send(labJoinCommand(tableName, gameId, joiner));
      const committed = performance.now();
      await withTimeout(all, 30_000, `event ${e + 1}: ${heard.get(joiner)?.length ?? 0} of ${subscribers} messages`);
      const at = heard.get(joiner)!;
      for (const t of at) delays.push(t - committed);
      toLast.push(Math.max(...at) - committed);
    }
    // The fan-out's last writes come after its last post: count until a later record has passed the delivery function.
    const marker = { PK: `GAME#marker-${randomUUID()}`, SK: 'MARKER' };
    await loadItems(clients.doc, tableName, [marker]);
    await stream.passed(marker.PK, marker.SK);
    counting = false;
    delays.sort((a, b) => a - b);
    const byCommand: Record<string, number> = {};
    let rcu = 0;
    let wcu = 0;
    for (const c of calls) {
      byCommand[c.command] = (byCommand[c.command] ?? 0) + c.attempts;
      rcu += c.rcu;
      wcu += c.wcu;
    }
    const total = Object.values(byCommand).reduce((a, b) => a + b, 0);
    const messages = events * subscribers;
    const r: ServerlessLiveResults = {
      mode: opts.quick ? 'quick' : 'full',
      subscribers,
      events,
      concurrency: DELIVERY_CONCURRENCY,
      chunks,
      delay: { p50Ms: quantile(delays, 0.5), p99Ms: quantile(delays, 0.99), maxMs: delays.at(-1)!, samples: delays.length },
      toLastMs: toLast.sort((a, b) => a - b)[Math.floor(toLast.length / 2)]!,
      perEvent: {
        calls: Object.fromEntries(Object.entries(byCommand).map(([k, v]) => [k, v / events])),
        totalCalls: total / events,
        rcu: rcu / events,
        wcu: wcu / events,
      },
      perMessage: { calls: total / messages, rcu: rcu / messages, wcu: wcu / messages },
    };
    opts.log(
      `commit → post: p50 ${r.delay.p50Ms.toFixed(0)} ms, p99 ${r.delay.p99Ms.toFixed(0)} ms; per event ${r.perEvent.totalCalls.toFixed(0)} calls, ${r.perEvent.wcu.toFixed(1)} WCU, ${r.perEvent.rcu.toFixed(1)} RCU`,
    );
    return r;
  } finally {
    for (const s of sockets) s.terminate();
    await gateway.close();
    await stream.stop();
    await clients.raw.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
    clients.raw.destroy();
  }
}

/** The game's subscribers as the delivery function reads them, page by page. */
async function subscriberPages(db: Db, gameId: string): Promise<SubscriptionRecord[][]> {
  const pages: SubscriptionRecord[][] = [];
  for await (const page of topicSubscribers(db, `game:${gameId}`)) pages.push(page);
  return pages;
}

async function waitFor(ok: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error(`Timed out: ${what}.`)), ms)))]).finally(
    () => clearTimeout(t),
  );
}
