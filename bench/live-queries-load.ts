// The load parts of the @live-query benchmark (bench/live-queries.ts): a steady stream of writes
// under the open live lobbies, and the same lobby polled every second over HTTP instead. Every
// figure of CPU, DynamoDB calls and capacity is the server process's own (bench/live-server.ts).
import { now, POLLED, until, type Rig, type ServerStats, type Watcher } from './live-queries-rig.js';

export interface Cost {
  seconds: number;
  cpuMs: number;
  /** Calls and capacity of the server's document client (runs or requests), and of its stream reader. */
  calls: number;
  callsByCommand: Record<string, number>;
  rcu: number;
  readerCalls: number;
}

export interface SteadyResults extends Cost {
  rate: number;
  writes: number;
  records: number;
  runs: number;
  matched: number;
  /** New results the clients received (a run whose result did not change sends nothing). */
  results: number;
  matchMs: { p50: number; p99: number; max: number; count: number };
}

export interface PollingResults extends Cost {
  clients: number;
  polls: number;
  failed: number;
  writes: number;
}

/** Records nobody read, written with each join or leave: they must cost matching only, never a run. */
export const NOISE = 10;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
};

function cost(a: ServerStats, b: ServerStats, seconds: number): Cost {
  const sum = (x: Record<string, number>) => Object.values(x).reduce((t, v) => t + v, 0);
  return {
    seconds,
    cpuMs: (b.cpu.user + b.cpu.system - a.cpu.user - a.cpu.system) / 1000,
    calls: b.calls.calls - a.calls.calls,
    callsByCommand: Object.fromEntries(
      Object.entries(b.calls.callsByCommand).map(([k, v]) => [k.replace('Command', ''), v - (a.calls.callsByCommand[k] ?? 0)]),
    ),
    rcu: b.calls.rcu - a.calls.rcu,
    readerCalls: sum(b.reader.calls) - sum(a.reader.calls),
  };
}

/** Joins and leaves at `rate` a second (each with NOISE records nobody read) for `seconds`, round robin over the games; returns how many. */
async function writeStream(rig: Rig, games: number, rate: number, seconds: number): Promise<number> {
  const t0 = now();
  let i = 0;
  while (now() - t0 < seconds * 1000) {
    await rig.toggle(i % games);
    await rig.noise(NOISE);
    i++;
    await sleep(t0 + (i * 1000) / rate - now());
  }
  return i;
}

export async function runSteady(
  rig: Rig,
  watchers: Watcher[],
  o: { rate: number; seconds: number; perGame: number; log: (l: string) => void },
): Promise<SteadyResults> {
  const games = rig.games.length - 1;
  const matchMs: number[] = [];
  const stats = async () => {
    const s = await rig.stats(false);
    matchMs.push(...s.matchMs);
    return s;
  };
  const s0 = await rig.stats(false);
  const results0 = watchers.reduce((a, w) => a + w.results, 0);
  o.log(`live queries: ${o.rate} joins and leaves a second for ${o.seconds} s under ${watchers.length} live lobbies`);
  const writes = await writeStream(rig, games, o.rate, o.seconds);
  // Settled: every lobby shows its game's last write, every record was seen, nothing runs.
  await until('every lobby to show its game’s last write', () => watchers.every((w) => w.playerCount === rig.seated(w.game)), 120_000);
  await until('the server to settle', async () => {
    const s = await stats();
    return s.idle && s.records >= s0.records + (2 + NOISE) * writes;
  });
  const s1 = await stats();
  const r: SteadyResults = {
    ...cost(s0, s1, o.seconds),
    rate: o.rate,
    writes,
    records: s1.records - s0.records,
    runs: s1.queries.runs - s0.queries.runs,
    matched: s1.queries.matched - s0.queries.matched,
    results: watchers.reduce((a, w) => a + w.results, 0) - results0,
    matchMs: { p50: pct(matchMs, 50), p99: pct(matchMs, 99), max: Math.max(...matchMs), count: matchMs.length },
  };
  o.log(
    `live queries: ${writes} writes, ${r.records} records, ${r.runs} re-runs (${(r.runs / writes).toFixed(1)} a write), match p50 ${r.matchMs.p50.toFixed(3)} ms p99 ${r.matchMs.p99.toFixed(3)} ms; server CPU ${(r.cpuMs / writes).toFixed(1)} ms a write, ${r.calls} DynamoDB calls (${(r.calls / writes).toFixed(1)} a write)`,
  );
  return r;
}

export async function runPolling(
  rig: Rig,
  o: { clients: number; seconds: number; rate: number; log: (l: string) => void },
): Promise<PollingResults> {
  const games = rig.games.length - 1;
  o.log(`live queries: ${o.clients} clients polling the lobby every second over HTTP for ${o.seconds} s, the same writes meanwhile`);
  const s0 = await rig.stats(false);
  const t0 = now();
  const end = t0 + o.seconds * 1000;
  let polls = 0;
  let failed = 0;
  const client = async (c: number) => {
    // Spread over the first second, as independent clients would be.
    for (let next = t0 + (1000 * c) / o.clients; next < end; next += 1000) {
      await sleep(next - now());
      const res = await fetch(rig.httpUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: POLLED, variables: { id: rig.games[c % games] } }),
      });
      const body = (await res.json()) as { errors?: unknown[] };
      polls++;
      if (!res.ok || body.errors) failed++;
    }
  };
  const [writes] = await Promise.all([
    writeStream(rig, games, o.rate, o.seconds),
    ...Array.from({ length: o.clients }, (_, c) => client(c)),
  ]);
  await until('the server to settle', async () => (await rig.stats(false)).idle);
  const s1 = await rig.stats(false);
  const r: PollingResults = { ...cost(s0, s1, o.seconds), clients: o.clients, polls, failed, writes };
  o.log(
    `live queries: polling: ${polls} polls (${failed} failed), ${r.calls} DynamoDB calls, ${r.rcu.toFixed(1)} RCU, server CPU ${r.cpuMs.toFixed(0)} ms`,
  );
  return r;
}
