// Live updates under measurement (issue 12): the delay from a committed write to the subscriber's
// message, one event fanned out to many subscribers on one process, the memory an idle subscribed
// connection costs, and what the stream reader costs when nobody writes. The server runs in its
// own process (bench/live-server.ts); subscribers are bare graphql-transport-ws sockets here, so
// their cost is not the server's. Run by bench/run.ts after the other phases, or on its own:
//   tsx bench/live.ts [--quick]      (starts its own DynamoDB Local)
//   tsx bench/live.ts --report       (writes the RESULTS.md section again from live-results.json)
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
const ROOT = join(HERE, '..');
const EVENT = 'subscription($id: ID!) { gameLobby(gameId: $id) { cursor kind } }';

export interface LiveBenchResults {
  mode: 'quick' | 'full';
  pollMs: number;
  latency: { writes: number; p50Ms: number; p99Ms: number; maxMs: number; targetMs: number };
  fanout: { subscribers: number; toLastMs: number; spreadMs: number; rssBytes: number; heapBytes: number }[];
  memoryPerConnection: { rssBytes: number; heapBytes: number; from: number; to: number };
  idle: { seconds: number; callsPerMinute: number; byCommand: Record<string, number> };
}

const SIZES = {
  quick: { latencyWrites: 20, fanout: [1, 100, 500], reps: 1, idleS: 10 },
  full: { latencyWrites: 100, fanout: [1, 100, 1_000, 5_000], reps: 3, idleS: 60 },
};

interface Stats {
  rss: number;
  heapUsed: number;
  feeds: number;
  reader: { calls: Record<string, number> };
}

interface Server {
  wsUrl: string;
  stats(): Promise<Stats>;
  stop(): Promise<void>;
}

async function startServer(endpoint: string, table: string, pollMs: number): Promise<Server> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', join(HERE, 'live-server.ts'), endpoint, table, String(pollMs)],
    {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const wsUrl = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { wsUrl: string }) => resolve(m.wsUrl));
    void exited.then(() => reject(new Error('bench/live-server.ts exited before it was ready')));
  });
  return {
    wsUrl,
    stats: () =>
      new Promise((resolve) => {
        child.once('message', (m: Stats) => resolve(m));
        child.send({ type: 'stats' });
      }),
    async stop() {
      child.send({ type: 'stop' });
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** A bare subscriber: connection_init, one subscribe, and a callback per `next` (not parsed, to keep the client cheap). */
function subscriber(
  wsUrl: string,
  gameId: string,
  onNext: () => void,
  onRefused: (message: string) => void = () => {},
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, 'graphql-transport-ws');
    ws.once('error', reject);
    ws.once('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: {} })));
    ws.on('message', (data) => {
      const text = String(data);
      if (text.includes('"connection_ack"')) {
        ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: EVENT, variables: { id: gameId } } }));
        resolve(ws);
      } else if (text.includes('"next"')) onNext();
      else if (text.includes('"error"')) onRefused(text.slice(0, 300));
    });
    ws.once('close', (code, reason) => onRefused(`closed ${code} ${String(reason)}`));
  });
}

async function until(what: string, ready: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`live bench: ${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

export async function runLiveBench(opts: { endpoint: string; quick: boolean; log: (line: string) => void }): Promise<LiveBenchResults> {
  const { log } = opts;
  const sizes = opts.quick ? SIZES.quick : SIZES.full;
  const pollMs = loadConfig({}).live.streamPollMs;
  const table = `live-bench-${randomUUID().slice(0, 8)}`;
  const clients = createClients({ endpoint: opts.endpoint, region: 'local', timeoutMs: 10_000, maxAttempts: 3 });
  await ensureTable(clients.raw, table);
  const server = await startServer(opts.endpoint, table, pollMs);
  const sockets: WebSocket[] = [];
  try {
    // One game per measurement, with enough seats: players are written the way the lab's join does.
    const newGame = async () => {
      const id = randomUUID();
      await loadItems(clients.doc, table, [
        {
          PK: `GAME#${id}`,
          SK: `#METADATA#${id}`,
          game_id: id,
          map: 'Bench',
          create_time: '2024-01-01T00:00:00',
          people: 1,
          creator: 'bench',
        },
      ]);
      return id;
    };
    let seat = 0;
    const join = async (gameId: string) => {
      const username = `b${seat++}`;
      await clients.doc.send(
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

    log(
      `live: stream poll ${pollMs} ms; delay from a committed write to the subscriber's message, ${sizes.latencyWrites} writes one at a time`,
    );
    const lobby = await newGame();
    let received = 0;
    sockets.push(await subscriber(server.wsUrl, lobby, () => received++));
    await until('the first subscription', async () => (await server.stats()).feeds === 1, 10_000);
    const delays: number[] = [];
    for (let i = 0; i < sizes.latencyWrites; i++) {
      const before = received;
      await join(lobby);
      const committed = performance.now();
      await until('a delivery', () => received > before, 10_000);
      delays.push(performance.now() - committed);
    }
    const latency = {
      writes: delays.length,
      p50Ms: pct(delays, 50),
      p99Ms: pct(delays, 99),
      maxMs: Math.max(...delays),
      targetMs: pollMs + 50,
    };
    log(`live: delay p50 ${latency.p50Ms.toFixed(0)} ms, p99 ${latency.p99Ms.toFixed(0)} ms (target p50 ≤ ${latency.targetMs} ms)`);
    for (const s of sockets.splice(0)) s.terminate();
    await until('the subscription to end', async () => (await server.stats()).feeds === 0, 10_000);

    const fanout: LiveBenchResults['fanout'] = [];
    const game = await newGame();
    let deliveries = 0;
    const refused: string[] = [];
    let first = 0;
    let last = 0;
    const onNext = () => {
      const now = performance.now();
      if (deliveries++ === 0) first = now;
      last = now;
    };
    for (const size of sizes.fanout) {
      while (sockets.length < size) {
        const batch = Math.min(200, size - sockets.length);
        sockets.push(
          ...(await Promise.all(Array.from({ length: batch }, () => subscriber(server.wsUrl, game, onNext, (m) => refused.push(m))))),
        );
      }
      await until(
        `${size} subscriptions`,
        async () => {
          // A refused subscription would never count: say why at once rather than time out.
          if (refused.length) throw new Error(`live bench: ${refused.length} subscriptions refused, the first: ${refused[0]}`);
          return (await server.stats()).feeds === size;
        },
        60_000,
      );
      const idle = await server.stats();
      const toLast: number[] = [];
      const spread: number[] = [];
      for (let r = 0; r < sizes.reps; r++) {
        deliveries = 0;
        await join(game);
        const committed = performance.now();
        await until(`${size} deliveries`, () => deliveries >= size, 30_000);
        toLast.push(last - committed);
        spread.push(last - first);
      }
      const row = { subscribers: size, toLastMs: pct(toLast, 50), spreadMs: pct(spread, 50), rssBytes: idle.rss, heapBytes: idle.heapUsed };
      fanout.push(row);
      log(
        `live: ${String(size).padStart(5)} subscribers: last delivery ${row.toLastMs.toFixed(0)} ms after the commit, first to last ${row.spreadMs.toFixed(1)} ms; server rss ${(row.rssBytes / 2 ** 20).toFixed(1)} MiB, heap ${(row.heapBytes / 2 ** 20).toFixed(1)} MiB`,
      );
    }
    const [lo, hi] = [fanout[0]!, fanout.at(-1)!];
    const n = hi.subscribers - lo.subscribers;
    const memoryPerConnection = {
      rssBytes: (hi.rssBytes - lo.rssBytes) / n,
      heapBytes: (hi.heapBytes - lo.heapBytes) / n,
      from: lo.subscribers,
      to: hi.subscribers,
    };
    log(
      `live: memory per idle subscribed connection ${(memoryPerConnection.rssBytes / 1024).toFixed(1)} KB rss, ${(memoryPerConnection.heapBytes / 1024).toFixed(1)} KB heap (target ≤ 30 KB)`,
    );
    for (const s of sockets.splice(0)) s.terminate();

    log(`live: the stream reader with nobody writing, ${sizes.idleS} s`);
    const c0 = (await server.stats()).reader.calls;
    await new Promise((r) => setTimeout(r, sizes.idleS * 1000));
    const c1 = (await server.stats()).reader.calls;
    const byCommand = Object.fromEntries(Object.keys(c1).map((k) => [k, ((c1[k]! - (c0[k] ?? 0)) * 60) / sizes.idleS]));
    const idle = { seconds: sizes.idleS, callsPerMinute: Object.values(byCommand).reduce((a, b) => a + b, 0), byCommand };
    log(`live: idle reader ${idle.callsPerMinute.toFixed(0)} DynamoDB calls a minute (${JSON.stringify(byCommand)})`);
    return { mode: opts.quick ? 'quick' : 'full', pollMs, latency, fanout, memoryPerConnection, idle };
  } finally {
    for (const s of sockets) s.terminate();
    await server.stop();
    clients.raw.destroy();
  }
}

const START = '<!-- live:start -->';
const END = '<!-- live:end -->';

/** The RESULTS.md section: the figures, and the ratios and counts that are the claims. */
export function liveSection(r: LiveBenchResults): string {
  const rows = r.fanout.map(
    (f) =>
      `| ${f.subscribers} | ${f.toLastMs.toFixed(0)} | ${f.spreadMs.toFixed(1)} | ${((f.spreadMs * 1000) / f.subscribers).toFixed(0)} | ${(f.rssBytes / 2 ** 20).toFixed(1)} | ${(f.heapBytes / 2 ** 20).toFixed(1)} |`,
  );
  return [
    START,
    '## Live updates (subscriptions from the stream)',
    '',
    `\`bench/live.ts\` (${r.mode} run), the server in its own process against DynamoDB Local, stream poll ${r.pollMs} ms (the default), subscribers on bare graphql-transport-ws sockets from the bench process. Writes are the lab's join transaction, sent from outside the server.`,
    '',
    `- **Delay from a committed write to the subscriber's message** (${r.latency.writes} writes, one at a time): p50 ${r.latency.p50Ms.toFixed(0)} ms, p99 ${r.latency.p99Ms.toFixed(0)} ms, max ${r.latency.maxMs.toFixed(0)} ms. Target p50 ≤ poll + 50 = ${r.latency.targetMs} ms: **${r.latency.p50Ms <= r.latency.targetMs ? 'met' : 'not met'}** (p50 is ${(r.latency.p50Ms / r.pollMs).toFixed(2)}× the poll interval).`,
    `- **Memory per idle subscribed connection** (server, after GC, from ${r.memoryPerConnection.from} to ${r.memoryPerConnection.to} connections): ${(r.memoryPerConnection.rssBytes / 1024).toFixed(1)} KB RSS, ${(r.memoryPerConnection.heapBytes / 1024).toFixed(1)} KB of JS heap. Target ≤ 30 KB: **${r.memoryPerConnection.rssBytes <= 30 * 1024 ? 'met' : 'not met'}** (RSS).`,
    `- **Idle stream reader** (${r.idle.seconds} s, nobody writing): ${r.idle.callsPerMinute.toFixed(0)} DynamoDB calls a minute (${Object.entries(
      r.idle.byCommand,
    )
      .map(([k, v]) => `${k} ${v.toFixed(0)}`)
      .join(', ')}): one shard polled every ${r.pollMs} ms is ${(60_000 / r.pollMs).toFixed(0)} GetRecords a minute.`,
    '',
    'One event fanned out (median of the repetitions; "first to last" is the fan-out itself, without the stream poll):',
    '',
    '| subscribers | commit → last delivery, ms | first → last delivery, ms | first → last per subscriber, µs | server RSS idle, MiB | server heap idle, MiB |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `Claims are the ratios and counts: ${growth(r)}; at ${r.fanout.at(-1)!.subscribers} subscribers the last delivery came ${r.fanout.at(-1)!.toLastMs.toFixed(0)} ms after the commit (target under 1 s at 5,000: **${r.fanout.at(-1)!.subscribers >= 5_000 && r.fanout.at(-1)!.toLastMs < 1_000 ? 'met' : r.fanout.at(-1)!.subscribers < 5_000 ? 'not measured in this run' : 'not met'}**). The machine has 2 cores shared with the subscribers' own sockets (and, during this run, other work), so absolute times are upper bounds.`,
    END,
  ].join('\n');
}

function growth(r: LiveBenchResults): string {
  const [a, b] = [r.fanout.at(-2), r.fanout.at(-1)];
  if (!a || !b || a.spreadMs <= 0) return 'too few sizes for a ratio';
  const subs = b.subscribers / a.subscribers;
  const time = b.spreadMs / a.spreadMs;
  const verdict = time <= subs * 1.2 ? 'no worse than linear' : 'worse than linear';
  return `from ${a.subscribers} to ${b.subscribers} subscribers (${subs.toFixed(1)}×) the fan-out took ${time.toFixed(1)}× as long: ${verdict}`;
}

/** Puts the section into `dir`/RESULTS.md (replacing an earlier one) and the figures into live-results.json. */
export function writeLiveSection(dir: string, r: LiveBenchResults): void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'RESULTS.md');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const section = liveSection(r);
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  const next =
    start >= 0 && end > start ? text.slice(0, start) + section + text.slice(end + END.length) : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
  writeFileSync(join(dir, 'live-results.json'), `${JSON.stringify(r, null, 2)}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && process.argv.includes('--report')) {
  // Re-renders the section from live-results.json (after a change to the report's wording).
  const dir = process.argv.includes('--quick') ? join(HERE, 'quick') : HERE;
  writeLiveSection(dir, JSON.parse(readFileSync(join(dir, 'live-results.json'), 'utf8')) as LiveBenchResults);
} else if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const quick = process.argv.includes('--quick');
  const dynamo = await startDynamoLocal({});
  try {
    const r = await runLiveBench({ endpoint: dynamo.endpoint, quick, log: (l) => console.log(l) });
    writeLiveSection(quick ? join(HERE, 'quick') : HERE, r);
  } finally {
    await dynamo.stop();
  }
}
