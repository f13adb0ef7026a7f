// Latency as a user feels it: ours, the textbook peer (Apollo + DataLoader by the book) and naive
// (N+1) against the stub DynamoDB with its latency model (bench/latency-model.ts), each op read
// whole (every page, the next page's cursor taken from the answer) by a closed loop of clients, at
// concurrency 1 and at a saturating concurrency. The floor of an op is its fewest sequential waves
// under the model (Monte Carlo median: a wave lasts as long as its slowest call) plus the stub's
// timer overshoot per wave plus our server's CPU for the op: what an ideal server on our CPU would
// answer in.
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { DEFAULT_MODEL, planMedianMs, type Call, type LatencyModel } from './latency-model.js';
import { OPEN_GAME_DISTINCT_USERS, OPEN_GAME_PLAYERS, OPEN_GAMES } from './seed.js';
import { startNode, stopChildren, type Child } from './processes.js';
import type { ReadScenario } from './operations.js';
import type { ServerStats } from './server.js';
import { median } from './stats.js';

export const LATENCY_VARIANTS = ['ours', 'textbook', 'naive'] as const;
export type LatencyVariant = (typeof LATENCY_VARIANTS)[number];

export interface LatencyRow {
  scenario: string;
  family: ReadScenario['family'];
  fanout: number;
  variant: LatencyVariant;
  concurrency: number;
  ops: number;
  p50Ms: number;
  p99Ms: number;
  opsPerSec: number;
  /** Sequential waves and calls per op, from extensions.dynamodb (summed over the op's pages). */
  waves: number;
  calls: number;
  cpuMsPerOp: number;
  errors: number;
}

export interface LatencyFloor {
  scenario: string;
  minWaves: number;
  /** Median of the fewest waves under the model, ms. */
  modelMs: number;
  overshootMs: number;
  /** Ours' server CPU per op at concurrency 1. */
  cpuMs: number;
  floorMs: number;
  why: string;
}

export interface LatencyResults {
  model: LatencyModel;
  seed: number;
  concurrencies: number[];
  /** Per command: mean drawn delay and mean delivered delay (ms) over the whole phase. */
  delivered: Record<string, { calls: number; drawnMs: number; deliveredMs: number }>;
  rows: LatencyRow[];
  floors: LatencyFloor[];
}

export interface LatencySettings {
  /** Ops per variant at concurrency 1 (after `warmOps`), or as many as fit in `lowMaxS` seconds. */
  lowOps: number;
  lowMaxS: number;
  warmOps: number;
  /** Seconds of the saturating window (after a warm-up of half that). */
  highS: number;
  high: number;
  seed: number;
  spec?: string;
}

const pageSize = (s: ReadScenario, k: number) => Math.min(Number(s.pages[k]!.first), s.fanout - k * Number(s.pages[k]!.first));

/** The fewest sequential waves an op can be served in, page by page, and why. */
export function minimumWaves(s: ReadScenario): { waves: Call[][]; why: string } {
  const n = s.pages.length;
  const waves: Call[][] = [];
  for (let k = 0; k < n; k++) {
    const size = pageSize(s, k);
    if (s.family === 'followers')
      waves.push(
        ...(n === 1
          ? [[['Query', size + 1] as Call]]
          : [
              [
                ['BatchGetItem', 1],
                ['Query', size],
              ] as Call[],
            ]),
        [['BatchGetItem', size]],
      );
    if (s.family === 'players')
      waves.push(
        ...(k === 0
          ? [[['Query', size + 1] as Call]]
          : [
              [
                ['BatchGetItem', 1],
                ['Query', size],
              ] as Call[],
            ]),
        [['BatchGetItem', size]],
      );
    if (s.family === 'feed')
      waves.push(
        n === 1
          ? [['Query', size + 1]]
          : [
              ['BatchGetItem', 1],
              ['Query', size],
            ],
      );
    if (s.family === 'following')
      waves.push(
        [
          ['BatchGetItem', 1],
          ['Query', size],
        ],
        [['BatchGetItem', size]],
      );
    if (s.family === 'openGames') {
      const batches = Array.from(
        { length: Math.ceil(OPEN_GAME_DISTINCT_USERS / 100) },
        (_, i) => ['BatchGetItem', Math.min(100, OPEN_GAME_DISTINCT_USERS - i * 100)] as Call,
      );
      waves.push(
        [['Query', OPEN_GAMES]],
        Array.from({ length: OPEN_GAMES }, () => ['Query', OPEN_GAME_PLAYERS] as Call),
        batches,
      );
    }
  }
  const why: Record<ReadScenario['family'], string> = {
    followers:
      n === 1 ? 'the user with its followers (one Query), then their profiles' : 'per page: the user ∥ the follows, then their profiles',
    players: 'the game with its players (one Query), then their users; a later page: the game ∥ the players, then their users',
    feed: n === 1 ? 'the user with its photos (one Query)' : 'per page: the user ∥ the photos',
    following: 'the user ∥ the follows (InvertedIndex), then the profiles',
    openGames: 'the open games, then every game’s players (in parallel), then the distinct users',
  };
  return { waves, why: why[s.family] };
}

interface Answer {
  data?: any;
  errors?: unknown[];
  extensions?: { dynamodb?: { totalCalls: number; waves: number } };
}

function post(agent: Agent, port: number, body: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { agent, host: '127.0.0.1', port, path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Answer);
          } catch (err) {
            reject(err as Error);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const dig = (data: any, path: string[]) => path.reduce((d, k) => d?.[k], data);
const comparable = (data: unknown) => JSON.stringify(data, (k, v) => (k === 'cursor' || k === 'pageInfo' ? undefined : v));

interface Op {
  ms: number;
  waves: number;
  calls: number;
  ok: boolean;
  data: string[];
}

/** Reads one op: every page in turn, each with the cursor the previous one answered. */
async function readOp(agent: Agent, port: number, s: ReadScenario): Promise<Op> {
  const t0 = performance.now();
  const op: Op = { ms: 0, waves: 0, calls: 0, ok: true, data: [] };
  let after: string | undefined;
  for (const [k, vars] of s.pages.entries()) {
    const res = await post(agent, port, JSON.stringify({ query: s.query, variables: { ...vars, ...(after ? { after } : {}) } }));
    const conn = s.connectionPath.length ? dig(res.data, s.connectionPath) : undefined;
    if (res.errors?.length || !res.data || (conn && conn.edges.length !== pageSize(s, k))) op.ok = false;
    after = conn?.pageInfo.endCursor ?? undefined;
    op.waves += res.extensions?.dynamodb?.waves ?? 0;
    op.calls += res.extensions?.dynamodb?.totalCalls ?? 0;
    op.data.push(comparable(res.data));
  }
  op.ms = performance.now() - t0;
  return op;
}

/** A closed loop of `concurrency` clients, each reading ops back to back, until `ops` are done or `seconds` pass. */
export async function closedLoop(
  port: number,
  s: ReadScenario,
  concurrency: number,
  limit: { ops?: number; seconds?: number },
): Promise<Op[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const done: Op[] = [];
  const deadline = limit.seconds ? performance.now() + limit.seconds * 1000 : Infinity;
  let started = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < (limit.ops ?? Infinity) && performance.now() < deadline) {
        started++;
        done.push(await readOp(agent, port, s));
      }
    }),
  );
  agent.destroy();
  return done;
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
};

async function stats<T>(port: unknown): Promise<T> {
  return (await (await fetch(`http://127.0.0.1:${String(port)}/__bench/stats`)).json()) as T;
}

type StubStats = { delays: LatencyResults['delivered'] };

/**
 * Starts a stub with the latency model and a server of each variant against it, measures every
 * scenario at concurrency 1 and `settings.high`, stops them, and returns the rows and floors.
 */
export async function runLatency(
  scenarios: ReadScenario[],
  settings: LatencySettings,
  o: { here: string; table: string; serverCpus?: string; logDir: string; log: (...xs: unknown[]) => void },
): Promise<LatencyResults> {
  const spec = settings.spec ?? 'default';
  const stub = await startNode({
    name: 'latency-stub',
    role: 'stub DynamoDB with the latency model',
    script: join(o.here, 'stub-dynamo.ts'),
    args: [o.table, '--latency', spec, '--seed', String(settings.seed)],
    logFile: join(o.logDir, 'stub-latency.log'),
  });
  const endpoint = `http://127.0.0.1:${String(stub.ready.port)}`;
  const servers = new Map<LatencyVariant, Child>();
  for (const v of LATENCY_VARIANTS)
    servers.set(
      v,
      await startNode({
        name: `${v}@latency`,
        role: `server ${v}@latency`,
        script: join(o.here, 'server.ts'),
        args: [v, endpoint, o.table],
        cpus: o.serverCpus,
        logFile: join(o.logDir, `server-${v}-latency.log`),
      }),
    );
  try {
    const rows: LatencyRow[] = [];
    const floors: LatencyFloor[] = [];
    const stub0 = await stats<StubStats>(stub.ready.port);
    for (const s of scenarios) {
      // Every variant must answer the same data before its latency counts.
      const reference = new Map<LatencyVariant, string>();
      for (const [v, child] of servers) {
        const first = await closedLoop(Number(child.ready.port), s, 1, { ops: 1 });
        if (!first[0]?.ok) throw new Error(`${s.id} on ${v}@latency answered errors or the wrong number of edges.`);
        reference.set(v, first[0].data.join('\n'));
      }
      if (new Set(reference.values()).size !== 1) throw new Error(`${s.id}: the variants answered different data under the latency model.`);
      let oursOvershoot = NaN;
      for (const [v, child] of servers) {
        const port = Number(child.ready.port);
        for (const c of [settings.high, 1]) {
          await closedLoop(port, s, c, c === 1 ? { ops: settings.warmOps } : { seconds: settings.highS / 2 });
          const st0 = await stats<ServerStats>(port);
          const sb0 = await stats<StubStats>(stub.ready.port);
          const t0 = performance.now();
          const ops = await closedLoop(
            port,
            s,
            c,
            c === 1 ? { ops: settings.lowOps, seconds: settings.lowMaxS } : { seconds: settings.highS },
          );
          const wallS = (performance.now() - t0) / 1000;
          const st1 = await stats<ServerStats>(port);
          const sb1 = await stats<StubStats>(stub.ready.port);
          const ms = ops.map((x) => x.ms);
          const row: LatencyRow = {
            scenario: s.id,
            family: s.family,
            fanout: s.fanout,
            variant: v,
            concurrency: c,
            ops: ops.length,
            p50Ms: percentile(ms, 0.5),
            p99Ms: percentile(ms, 0.99),
            opsPerSec: ops.length / wallS,
            waves: median(ops.map((x) => x.waves)),
            calls: median(ops.map((x) => x.calls)),
            cpuMsPerOp: (st1.cpu.user + st1.cpu.system - st0.cpu.user - st0.cpu.system) / 1000 / ops.length,
            errors: ops.filter((x) => !x.ok).length,
          };
          rows.push(row);
          if (v === 'ours' && c === 1) oursOvershoot = overshoot(sb0.delays, sb1.delays);
          o.log(
            `${s.id.padEnd(16)} ${v.padEnd(8)} c=${String(c).padEnd(3)} p50 ${row.p50Ms.toFixed(1).padStart(7)} ms p99 ${row.p99Ms.toFixed(1).padStart(7)} ms ${row.opsPerSec.toFixed(0).padStart(5)} op/s waves ${row.waves} calls ${row.calls} cpu ${row.cpuMsPerOp.toFixed(2)} ms/op`,
          );
        }
      }
      const plan = minimumWaves(s);
      const model = (await stats<{ model: LatencyModel | null }>(stub.ready.port)).model ?? DEFAULT_MODEL;
      const modelMs = planMedianMs(model, plan.waves);
      const cpuMs = rows.find((r) => r.scenario === s.id && r.variant === 'ours' && r.concurrency === 1)!.cpuMsPerOp;
      const overshootMs = plan.waves.length * oursOvershoot;
      floors.push({
        scenario: s.id,
        minWaves: plan.waves.length,
        modelMs,
        overshootMs,
        cpuMs,
        floorMs: modelMs + overshootMs + cpuMs,
        why: plan.why,
      });
    }
    const stub1 = await stats<StubStats & { model: LatencyModel | null }>(stub.ready.port);
    const delivered = Object.fromEntries(
      Object.entries(stub1.delays).map(([k, d]) => {
        const before = stub0.delays[k] ?? { calls: 0, drawnMs: 0, deliveredMs: 0 };
        const calls = d.calls - before.calls;
        return [k, { calls, drawnMs: (d.drawnMs - before.drawnMs) / calls, deliveredMs: (d.deliveredMs - before.deliveredMs) / calls }];
      }),
    );
    return { model: stub1.model ?? DEFAULT_MODEL, seed: settings.seed, concurrencies: [1, settings.high], delivered, rows, floors };
  } finally {
    await stopChildren([stub, ...servers.values()]);
  }
}

/** Mean ms the stub's timers fired after the drawn delay, over the calls between two stats. */
function overshoot(a: StubStats['delays'], b: StubStats['delays']): number {
  let calls = 0;
  let late = 0;
  for (const [k, d] of Object.entries(b)) {
    const x = a[k] ?? { calls: 0, drawnMs: 0, deliveredMs: 0 };
    calls += d.calls - x.calls;
    late += d.deliveredMs - x.deliveredMs - (d.drawnMs - x.drawnMs);
  }
  return calls ? late / calls : 0;
}
