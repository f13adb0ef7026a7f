// @live queries under measurement (issue 23 item 8), a phase of `npm run bench`
// (bench/phases/live-queries.ts): the server in its own process (bench/live-server.ts), clients on
// bare graphql-transport-ws sockets here, writes the lab's join and leave transactions from
// outside the server. In order:
//   delay     one live lobby; joins and leaves one at a time, every other one right after the
//             last result (the throttle then holds the run), the others after a pause; each delay
//             split into its parts from the server's own times (stream, throttle, run, delivery)
//   memory    games × watchers idle live lobbies, 20 per connection: server heap and RSS after GC
//   facts     a write nobody read, then a marker write to one game: exactly that game's watchers
//             re-run and get a result, nobody else (deterministic: the quick run fails on a miss)
//   steady    a fixed rate of joins and leaves, round robin over the games (so no two writes to
//             one game fall within the throttle): matching time per record, re-runs per write,
//             server CPU, DynamoDB calls and capacity per minute (bench/live-queries-load.ts)
//   polling   the live lobbies closed, clients polling the same query every second over HTTP
import { loadavg } from 'node:os';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type WebSocket from 'ws';
import { loadConfig } from '../src/config.js';
import { runPolling, runSteady, type PollingResults, type SteadyResults } from './live-queries-load.js';
import { clientErrors, now, openClient, SEATED, startRig, until, type Rig, type ServerStats, type Watcher } from './live-queries-rig.js';

const SIZES = {
  quick: { games: 20, watchers: 50, delayWrites: 20, rate: 2, steadyS: 10, pollers: 50, pollingS: 10 },
  full: { games: 200, watchers: 50, delayWrites: 100, rate: 2, steadyS: 60, pollers: 100, pollingS: 30 },
};
const PER_CONNECTION = 20;

export interface DelayPart {
  totalMs: number;
  streamMs: number;
  throttleMs: number;
  runMs: number;
  deliveryMs: number;
  /** Executions between the record and the result: 1 unless a run was retried (UNAVAILABLE, index lag). */
  attempts: number;
  backToBack: boolean;
}

export interface Fact {
  id: string;
  expected: number;
  measured: number;
  held: boolean;
}

export interface LiveQueryResults {
  mode: 'quick' | 'full';
  pollMs: number;
  throttleMs: number;
  games: number;
  watchers: number;
  liveQueries: number;
  connections: number;
  delays: DelayPart[];
  /** os.loadavg() (1 minute) before and after the delay measurement: other work on the machine. */
  delayLoad: number[];
  memory: { heapBytesPerLiveQuery: number; externalBytesPerLiveQuery: number; rssBytesPerLiveQuery: number };
  facts: Fact[];
  steady: SteadyResults;
  polling: PollingResults;
}

const fact = (id: string, expected: number, measured: number): Fact => ({ id, expected, measured, held: expected === measured });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measureDelay(rig: Rig, n: number, throttleMs: number): Promise<DelayPart[]> {
  const g = rig.games.length - 1;
  const w: Watcher = { game: g, results: 0, playerCount: -1, revision: 0, lastAt: 0 };
  const ws = await openClient(rig.wsUrl, [w], rig.games);
  await until('the first result', () => w.results === 1);
  const parts: DelayPart[] = [];
  for (let i = 0; i < n; i++) {
    const backToBack = i % 2 === 0;
    if (!backToBack) await sleep(throttleMs + 100);
    const expected = w.playerCount === SEATED ? SEATED + 1 : SEATED;
    const sent = now();
    await rig.toggle(g);
    const committed = now();
    await until('the updated result', () => w.playerCount === expected, 10_000);
    const s = await rig.stats(false);
    const arrival = s.arrivals.find((a) => a.pk === `GAME#${rig.games[g]}` && a.at >= sent)?.at ?? NaN;
    const first = s.runs.find((r) => r.start >= arrival);
    const last = s.runs.filter((r) => r.end <= w.lastAt).at(-1);
    const attempts = s.runs.filter((r) => r.start >= arrival && r.end <= w.lastAt).length;
    parts.push({
      totalMs: w.lastAt - committed,
      streamMs: arrival - committed,
      throttleMs: (first?.start ?? NaN) - arrival,
      runMs: (last?.end ?? NaN) - (first?.start ?? NaN),
      deliveryMs: w.lastAt - (last?.end ?? NaN),
      attempts,
      backToBack,
    });
  }
  ws.terminate();
  await until('the delay lobby to close', async () => (await rig.stats(false)).liveQueries === 0);
  return parts;
}

/**
 * Opens the lobbies of `watchers`, 20 per connection, 5 connections at a time, each batch's first
 * results awaited before the next (clients arrive over time, not all in one instant); the
 * server's stats once all are idle.
 */
async function openLobbies(rig: Rig, watchers: Watcher[], sockets: WebSocket[]): Promise<ServerStats> {
  const step = 5 * PER_CONNECTION;
  for (let i = 0; i < watchers.length; i += step) {
    const batch = watchers.slice(i, i + step);
    const conns = Array.from({ length: Math.ceil(batch.length / PER_CONNECTION) }, (_, k) =>
      batch.slice(k * PER_CONNECTION, (k + 1) * PER_CONNECTION),
    );
    sockets.push(...(await Promise.all(conns.map((ws) => openClient(rig.wsUrl, ws, rig.games)))));
    await until(`${batch.length} first results`, () => batch.every((w) => w.results === 1));
  }
  await until('the server to settle', async () => (await rig.stats(false)).idle);
  return rig.stats();
}

/** A write nobody read, then a marker write to game 0 (one record each): only game 0's watchers may run. */
async function measureFacts(rig: Rig, watchers: Watcher[], perGame: number): Promise<Fact[]> {
  const s0 = await rig.stats(false);
  const before = watchers.map((w) => w.results);
  const put = (Item: Record<string, unknown>) => rig.clients.doc.send(new PutCommand({ TableName: rig.table, Item }));
  // The marker player's profile first: no live query read it (yet), so it must re-run nobody.
  await put({ PK: 'USER#marker', SK: '#METADATA#marker', username: 'marker', name: 'Marker', email: 'marker@example.com' });
  const id = rig.games[0]!;
  await put({ PK: `GAME#${id}`, SK: 'USER#marker', game_id: id, username: 'marker' });
  const mine = watchers.filter((w) => w.game === 0);
  await until('the marker to reach its watchers', () => mine.every((w) => w.results > before[watchers.indexOf(w)]!));
  await until('the server to settle', async () => {
    const s = await rig.stats(false);
    return s.idle && s.records >= s0.records + 2;
  });
  const s1 = await rig.stats(false);
  const delta = (game0: boolean) => watchers.reduce((a, w, i) => a + ((w.game === 0) === game0 ? w.results - before[i]! : 0), 0);
  return [
    fact('re-runs for the marker write (its game’s watchers)', perGame, s1.queries.runs - s0.queries.runs),
    fact('live queries the marker record matched', perGame, s1.queries.matched - s0.queries.matched),
    fact('new results on the marker game’s live queries', perGame, delta(true)),
    fact('new results on live queries of other games (the unrelated write included)', 0, delta(false)),
    fact('stream records seen (the unrelated write and the marker)', 2, s1.records - s0.records),
  ];
}

export async function runLiveQueryBench(opts: {
  endpoint: string;
  quick: boolean;
  cpus?: string;
  log: (line: string) => void;
}): Promise<LiveQueryResults> {
  const { log } = opts;
  const size = opts.quick ? SIZES.quick : SIZES.full;
  const { streamPollMs: pollMs, liveQueryThrottleMs: throttleMs } = loadConfig({}).live;
  const rig = await startRig({ endpoint: opts.endpoint, pollMs, games: size.games + 1, cpus: opts.cpus });
  const sockets: WebSocket[] = [];
  try {
    log(`live queries: stream poll ${pollMs} ms, throttle ${throttleMs} ms; delay over ${size.delayWrites} writes`);
    const loadBefore = loadavg()[0]!;
    const delays = await measureDelay(rig, size.delayWrites, throttleMs);
    const delayLoad = [loadBefore, loadavg()[0]!];
    const n = size.games * size.watchers;
    const watchers: Watcher[] = Array.from({ length: n }, (_, q) => ({
      game: q % size.games,
      results: 0,
      playerCount: -1,
      revision: 0,
      lastAt: 0,
    }));
    log(`live queries: opening ${n} live lobbies (${size.games} games × ${size.watchers} watchers, ${PER_CONNECTION} per connection)`);
    // Memory is the slope from half to all of them: the first half pays the process's one-time
    // growth (code, V8's reservations, connection pools).
    const half = await openLobbies(rig, watchers.slice(0, n / 2), sockets);
    const all = await openLobbies(rig, watchers.slice(n / 2), sockets);
    const memory = {
      heapBytesPerLiveQuery: (all.heapUsed - half.heapUsed) / (n / 2),
      externalBytesPerLiveQuery: (all.external - half.external) / (n / 2),
      rssBytesPerLiveQuery: (all.rss - half.rss) / (n / 2),
    };
    log(
      `live queries: ${(memory.heapBytesPerLiveQuery / 1024).toFixed(1)} KB heap, ${(memory.rssBytesPerLiveQuery / 1024).toFixed(1)} KB RSS per idle live query`,
    );
    const facts = await measureFacts(rig, watchers, size.watchers);
    for (const f of facts) log(`live queries: ${f.id}: ${f.measured} (expected ${f.expected})${f.held ? '' : ' — MISSED'}`);
    const steady = await runSteady(rig, watchers, { rate: size.rate, seconds: size.steadyS, perGame: size.watchers, log });
    // Matching is exact whatever the timing: each join or leave's 2 records concern its game's watchers, the noise nobody.
    facts.push(
      fact(
        'live queries matched in the steady stream (2 records a write × watchers; noise none)',
        2 * size.watchers * steady.writes,
        steady.matched,
      ),
    );
    for (const s of sockets.splice(0)) s.terminate();
    await until('the live lobbies to close', async () => (await rig.stats(false)).liveQueries === 0);
    const polling = await runPolling(rig, { clients: size.pollers, seconds: size.pollingS, rate: size.rate, log });
    if (clientErrors.length)
      throw new Error(`live-query bench: the server sent ${clientErrors.length} errors, the first: ${clientErrors[0]}`);
    return {
      mode: opts.quick ? 'quick' : 'full',
      pollMs,
      throttleMs,
      games: size.games,
      watchers: size.watchers,
      liveQueries: n,
      connections: Math.ceil(n / PER_CONNECTION),
      delays,
      delayLoad,
      memory,
      facts,
      steady,
      polling,
    };
  } finally {
    for (const s of sockets) s.terminate();
    await rig.stop();
  }
}
