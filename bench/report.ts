// Turns a run's measurements into bench/results.json (machine-readable), bench/RESULTS.md (the
// tables, the targets and how they were measured) and bench/fanout.svg (cost against fan-out).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ColdStartResults } from './cold-start.js';
import type { Variant } from './server.js';
import { observabilityMarkdown, observabilityTargets } from './observe-report.js';
import type { ObserveOverhead } from './observe-overhead.js';
import { coldStartMarkdown, coldStartTargets } from './cold-start-report.js';
import type { LatencyResults } from './latency.js';
import type { ProfileSummary } from './profile.js';
import { latencyChart, latencyMarkdown, latencyTargets } from './latency-report.js';
import { FANOUTS } from './seed.js';
import { linearFit, round } from './stats.js';
import { logPanelFrame, svgPage } from './svg.js';

export interface WindowResult {
  reqPerSec: number;
  /** Operations per second: requests per second over the pages one op reads. */
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  callsPerOp: number;
  itemsPerOp: number;
  rcuPerOp: number;
  wcuPerOp: number;
  cpuMsPerOp: number;
  /** Server CPU time over the window's wall time, drain included (1 = one core busy). */
  serverCpuUtil: number;
  requests: number;
  /** Operations the server completed in the window (requests ÷ pages per op). */
  ops: number;
  callsByCommand: Record<string, number>;
  itemsByCommand: Record<string, number>;
  errors: number;
}

export interface Measured extends Omit<WindowResult, 'requests' | 'ops' | 'callsByCommand' | 'itemsByCommand'> {
  /** Over all windows: calls and items per op of each command. */
  callsByCommandPerOp: Record<string, number>;
  itemsByCommandPerOp: Record<string, number>;
  scenario: string;
  variant: Variant;
  backend: 'dynamodb-local' | 'stub' | 'none';
  connections: number;
  /** One op read alone before the load, as extensions.dynamodb reported it. */
  sample: { calls: number; rcu: number; callsByCommand: Record<string, number> };
  windows: WindowResult[];
}

export interface WriteResult {
  scenario: string;
  concurrency: number;
  ops: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  callsPerOp: number;
  callsByCommand: Record<string, number>;
  wcuPerOp: number;
  rcuPerOp: number;
  cpuMsPerOp: number;
  analyticWcu: number;
  analyticWhy: string;
  errors: number;
}

export interface RunResults {
  generatedAt: string;
  durationS: number;
  /** os.loadavg() at the start and end: other work on the machine during the run. */
  loadAverage: { before: number[]; after: number[] };
  versions: Record<string, unknown> & { node: string; cpus: string; packages: Record<string, string> };
  settings: Record<string, unknown> & {
    mode: string;
    phaseWarmupS: number;
    warmupS: number;
    stubWarmupS: number;
    windowS: number;
    bigWindowS: number;
    stubWindowS: number;
    rounds: number;
    pinned: boolean;
    nodeFlags?: string[];
  };
  placement: { role: string; pid: number; cpus: string }[];
  /** Ops the schema does not serve, with graphql's reason. */
  skipped: { scenario: string; reason: string }[];
  floors: { scenario: string; floor: number; why: string; calls: number; callsByCommand: Record<string, number>; met: boolean }[];
  measured: Measured[];
  sdk: SdkFit & { before: SdkFit; after: SdkFit };
  writes: WriteResult[];
  /** Ours, textbook and naive under the stub's latency model (bench/latency.ts). */
  latency?: LatencyResults;
  coldStart?: ColdStartResults;
  profile?: ProfileSummary;
  /** Server CPU per op with metrics, with tracing, and with neither (bench/observe-overhead.ts). */
  observability?: ObserveOverhead;
}

export interface SdkFit {
  perCallUs: number;
  perItemUs: number;
  r2: number;
  byCommand: Record<string, { perCallUs: number; perItemUs: number }>;
  iterations: number;
  points: { command: string; items: number; cpuUsPerCall: number; systemUsPerCall: number }[];
}

interface Target {
  id: string;
  target: string;
  measured: string;
  met: boolean;
  note?: string;
}

const FAMILIES = ['followers', 'players', 'feed'] as const;
const RATIO_TARGET: Record<number, number> = { 1: 0.95, 10: 3, 100: 6, 1000: 8 };
const CPU_BOUND = 1.25;
const MARGINAL_US = 20;

const f = (x: number | null | undefined, d = 2) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));
const find = (r: RunResults, scenario: string, variant: string, backend: string) =>
  r.measured.find((m) => m.scenario === scenario && m.variant === variant && m.backend === backend);

/** What the SDK's own work costs for an op's calls and items, command by command. */
export function sdkCostMs(sdk: SdkFit, m: Pick<Measured, 'callsByCommandPerOp' | 'itemsByCommandPerOp'>): number {
  let us = 0;
  for (const [command, calls] of Object.entries(m.callsByCommandPerOp)) {
    const fit = sdk.byCommand[command] ?? { perCallUs: sdk.perCallUs, perItemUs: sdk.perItemUs };
    us += fit.perCallUs * calls + fit.perItemUs * (m.itemsByCommandPerOp[command] ?? 0);
  }
  return us / 1000;
}

function derive(r: RunResults) {
  const ratios = FAMILIES.flatMap((fam) =>
    FANOUTS.map((n) => {
      const o = find(r, `${fam}-${n}`, 'ours', 'dynamodb-local');
      const nv = find(r, `${fam}-${n}`, 'naive', 'dynamodb-local');
      const perRound = o && nv ? o.windows.map((w, i) => w.opsPerSec / (nv.windows[i]?.opsPerSec ?? NaN)) : [];
      return {
        family: fam,
        fanout: n,
        ours: o?.opsPerSec,
        naive: nv?.opsPerSec,
        ratio: o && nv ? o.opsPerSec / nv.opsPerSec : NaN,
        perRound,
        target: RATIO_TARGET[n]!,
      };
    }),
  ).filter((x) => x.ours !== undefined);

  const slopes = FAMILIES.flatMap((fam) =>
    (['dynamodb-local', 'stub'] as const).flatMap((backend) =>
      (['ours', 'naive', 'plain'] as const).flatMap((variant) => {
        const pts = FANOUTS.map(
          (n) => [n, find(r, `${fam}-${n}`, variant, backend === 'stub' && variant === 'plain' ? 'none' : backend)] as const,
        ).filter((p): p is readonly [(typeof FANOUTS)[number], Measured] => p[1] !== undefined);
        if (pts.length < 2 || (variant === 'plain' && backend === 'dynamodb-local')) return [];
        const fit = (k: 'callsPerOp' | 'rcuPerOp' | 'cpuMsPerOp') => linearFit(pts.map(([n, m]) => [n, m[k]]));
        const onePage = pts.filter(([n]) => n <= 100);
        const pageSlope = onePage.length >= 2 ? linearFit(onePage.map(([n, m]) => [n, m.cpuMsPerOp])).slope * 1000 : NaN;
        return [
          {
            family: fam,
            backend: variant === 'plain' ? 'none' : backend,
            variant,
            callsPerItem: fit('callsPerOp').slope,
            rcuPerItem: fit('rcuPerOp').slope,
            cpuUsPerItem: fit('cpuMsPerOp').slope * 1000,
            cpuR2: fit('cpuMsPerOp').r2,
            cpuUsPerItemInPage: pageSlope,
          },
        ];
      }),
    ),
  );

  const overhead = r.measured
    .filter((m) => m.variant === 'ours' && m.backend === 'stub')
    .map((o) => {
      const p = find(r, o.scenario, 'plain', 'none');
      const sdkMs = sdkCostMs(r.sdk, o);
      const bound = p ? CPU_BOUND * (p.cpuMsPerOp + sdkMs) : NaN;
      return {
        scenario: o.scenario,
        oursMs: o.cpuMsPerOp,
        plainMs: p?.cpuMsPerOp ?? NaN,
        sdkMs,
        boundMs: bound,
        ratio: o.cpuMsPerOp / (bound / CPU_BOUND),
        met: o.cpuMsPerOp <= bound,
      };
    });

  const targets: Target[] = [];
  for (const fl of r.floors) {
    targets.push({
      id: `calls ${fl.scenario}`,
      target: `≤ ${fl.floor} calls (floor)`,
      measured: `${fl.calls} calls (${Object.entries(fl.callsByCommand)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ')})`,
      met: fl.met,
    });
  }
  for (const x of ratios) {
    targets.push({
      id: `throughput ${x.family}-${x.fanout}`,
      target: `batched/naive ≥ ${x.target}`,
      measured: `×${f(x.ratio)}`,
      met: x.ratio >= x.target,
    });
  }
  for (const o of overhead) {
    targets.push({
      id: `server CPU ${o.scenario} (stub)`,
      target: `≤ ${CPU_BOUND} × (plain + SDK) = ${f(o.boundMs, 3)} ms`,
      measured: `${f(o.oursMs, 3)} ms (${f(o.ratio)} × (plain ${f(o.plainMs, 3)} + SDK ${f(o.sdkMs, 3)}))`,
      met: o.met,
    });
  }
  // Within one page (fan-out 1 to 100) an extra item costs only itself; across pages the slope also
  // carries each extra page's fixed cost, so it is shown beside.
  for (const s of slopes.filter((x) => x.variant === 'ours' && x.backend === 'stub')) {
    const plainSlope = slopes.find((x) => x.variant === 'plain' && x.family === s.family);
    targets.push({
      id: `marginal CPU ${s.family} (stub)`,
      target: `≤ ${MARGINAL_US} µs per extra item in a page`,
      measured: `${f(s.cpuUsPerItemInPage, 1)} µs/item in a page (1→1000 across pages: ${f(s.cpuUsPerItem, 1)}; plain Apollo ${f(plainSlope?.cpuUsPerItemInPage, 1)})`,
      met: s.cpuUsPerItemInPage <= MARGINAL_US,
    });
  }
  if (r.latency) targets.push(...latencyTargets(r.latency));
  if (r.coldStart) targets.push(...coldStartTargets(r.coldStart));
  if (r.observability) targets.push(...observabilityTargets(r.observability));
  return { ratios, slopes, overhead, targets };
}

export function writeReport(r: RunResults, outDir: string): string {
  const d = derive(r);
  const json = {
    ...r,
    measured: r.measured.map((m) => ({
      ...m,
      ...Object.fromEntries(
        Object.entries(m)
          .filter(([, v]) => typeof v === 'number')
          .map(([k, v]) => [k, round(v as number, 4)]),
      ),
      windows: m.windows.map((w) => Object.fromEntries(Object.entries(w).map(([k, v]) => [k, round(v, 4)]))),
    })),
    throughputRatios: d.ratios.map((x) => ({
      ...x,
      ratio: round(x.ratio),
      perRound: x.perRound.map((p) => round(p)),
      ours: round(x.ours ?? NaN),
      naive: round(x.naive ?? NaN),
    })),
    slopes: d.slopes.map((s) => ({
      ...s,
      callsPerItem: round(s.callsPerItem, 4),
      rcuPerItem: round(s.rcuPerItem, 4),
      cpuUsPerItem: round(s.cpuUsPerItem, 2),
      cpuR2: round(s.cpuR2),
      cpuUsPerItemInPage: round(s.cpuUsPerItemInPage, 2),
    })),
    serverOverhead: d.overhead.map((o) =>
      Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? round(v, 4) : v])),
    ),
    targets: d.targets,
  };
  writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(join(outDir, 'fanout.svg'), chart(r));
  if (r.latency) writeFileSync(join(outDir, 'latency.svg'), latencyChart(r.latency));
  writeFileSync(join(outDir, 'RESULTS.md'), markdown(r, d));
  const met = d.targets.filter((t) => t.met).length;
  return [
    `targets met: ${met} of ${d.targets.length}`,
    ...d.targets.filter((t) => !t.met).map((t) => `  missed: ${t.id}: ${t.measured} (target ${t.target})`),
  ].join('\n');
}

function table(head: string[], rows: (string | number)[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

function markdown(r: RunResults, d: ReturnType<typeof derive>): string {
  const s = r.settings;
  const local = r.measured.filter((m) => m.backend === 'dynamodb-local');
  const scenarios = [...new Set(local.map((m) => m.scenario))];
  const met = d.targets.filter((t) => t.met).length;
  const out: string[] = [];
  out.push(`# Benchmark results

Generated by \`npm run bench${s.mode === 'quick' ? ' -- --quick' : ''}\` on ${r.generatedAt} in ${r.durationS} s. Only ratios and
counts are claims; absolute numbers (requests per second, milliseconds) describe this machine and
DynamoDB Local, not DynamoDB.

**Targets met: ${met} of ${d.targets.length}.** Machine: ${r.versions.cpus}, Node ${r.versions.node}; ${Object.entries(r.versions.packages)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}.

## How it was measured

- Processes: the load generator (autocannon, in the orchestrator), DynamoDB Local (Java, in memory),
  a stub DynamoDB endpoint and one server process per variant are separate processes, each Node process
  started with \`${(s.nodeFlags ?? []).join(' ') || 'no flags'}\` (the production start script's heap setting).${
    s.pinned
      ? ` With \`taskset\` each server under test is pinned to CPU ${s.cpuUnderTest}; DynamoDB Local, the stub and the load generator may use both CPUs.`
      : ' No CPU pinning.'
  }
- Variants: **ours** is \`createApp\` (src/http/server.ts) with our resolvers; **naive** serves the same SDL
  with bench/naive resolvers, one GetItem per related item (the N+1 pattern of AppSync/Amplify
  resolver maps), through the same \`Db\` so its calls are metered the same way; **plain** serves the
  same SDL from memory with plain Apollo Server (no database).
- Windows: before each phase every server serves each of the phase's ops for ${s.phaseWarmupS} s (V8 needs
  thousands of requests to optimise a path). Then, per op, ${s.rounds} rounds per variant, interleaved (A B A B …),
  after a further ${s.warmupS} s warm-up of each (${s.stubWarmupS} s against the stub); ${s.windowS} s windows against DynamoDB Local (${s.bigWindowS} s above fan-out 100), ${s.stubWindowS} s against the stub.
  16 connections for every op and variant. Figures are medians over windows. After each window the harness waits until the server has answered every request it
  took (those cut off at the window's end too), so their cost is counted and the next window starts idle.
- Load average of the machine (other work shares it): ${r.loadAverage.before.map((x) => x.toFixed(1)).join(' ')} at the start,
  ${r.loadAverage.after.map((x) => x.toFixed(1)).join(' ')} at the end.
- Per-op counts come from the server process itself (GET /__bench/stats before and after each window):
  CPU is \`process.cpuUsage()\` of the whole server process; calls, items and capacity are every command
  its DynamoDB client completed. They are divided by the GraphQL requests the server completed in
  the window. The "sample" column is extensions.dynamodb of one op read alone before the load.
- An op with fan-out 1000 reads all 10 pages of 100 (\`first\` is at most 100): each page is one
  HTTP request carrying the previous page's real cursor, so ops/s = requests/s ÷ 10 and latency is
  per page. Games hold at most 50 players through the API; the benchmark seeds bigger partitions
  directly.
- Every answer is checked: no GraphQL errors under load (autocannon verifyBody), the expected
  number of edges on each page, and the same data from every variant.

## Targets
${r.skipped.length ? `\nSkipped (the schema does not serve them): ${r.skipped.map((x) => `${x.scenario} (${x.reason})`).join('; ')}.\n` : ''}
${table(
  ['target', 'required', 'measured', 'met'],
  d.targets.map((t) => [t.id, t.target, t.measured, t.met ? 'yes' : '**no**']),
)}

## Batched (ours) vs naive, against DynamoDB Local

${table(
  [
    'scenario',
    'ours op/s',
    'naive op/s',
    'ratio',
    'ours p50/p99 ms',
    'naive p50/p99 ms',
    'ours calls/op',
    'naive calls/op',
    'ours RCU/op',
    'naive RCU/op',
    'ours CPU ms/op',
    'naive CPU ms/op',
  ],
  scenarios.map((sc) => {
    const o = find(r, sc, 'ours', 'dynamodb-local')!;
    const n = find(r, sc, 'naive', 'dynamodb-local')!;
    return [
      sc,
      f(o.opsPerSec, 1),
      f(n.opsPerSec, 1),
      `×${f(o.opsPerSec / n.opsPerSec)}`,
      `${f(o.p50Ms, 0)} / ${f(o.p99Ms, 0)}`,
      `${f(n.p50Ms, 0)} / ${f(n.p99Ms, 0)}`,
      f(o.callsPerOp, 1),
      f(n.callsPerOp, 1),
      f(o.rcuPerOp, 1),
      f(n.rcuPerOp, 1),
      f(o.cpuMsPerOp, 3),
      f(n.cpuMsPerOp, 3),
    ];
  }),
)}

### Calls per operation against the floor

${table(
  ['scenario', 'floor', 'ours (sample)', 'ours (under load)', 'naive (sample)', 'why the floor'],
  r.floors.map((fl) => [
    fl.scenario,
    fl.floor,
    fl.calls,
    f(find(r, fl.scenario, 'ours', 'dynamodb-local')?.callsPerOp, 2),
    find(r, fl.scenario, 'naive', 'dynamodb-local')?.sample.calls ?? '–',
    fl.why,
  ]),
)}

## Fan-out growth

Least-squares slope of cost per extra related item over fan-outs ${FANOUTS.join(', ')} (an op reads all its pages).

${table(
  ['list', 'backend', 'variant', 'calls / item', 'RCU / item', 'server CPU µs / item', 'CPU fit r²', 'CPU µs / item within a page (1–100)'],
  d.slopes.map((x) => [
    x.family,
    x.backend,
    x.variant,
    f(x.callsPerItem, 4),
    f(x.rcuPerItem, 4),
    f(x.cpuUsPerItem, 1),
    f(x.cpuR2),
    f(x.cpuUsPerItemInPage, 1),
  ]),
)}

![DynamoDB calls and server CPU per operation against fan-out](fanout.svg)

## Server cost without the database

Ours and naive against the stub endpoint (a separate process answering GetItem, BatchGetItem and
Query at once from memory), beside plain Apollo Server answering from memory. The SDK's own cost,
measured in a separate process through the same client and \`Db\` against the stub, is
${f(r.sdk.perCallUs, 1)} µs per call + ${f(r.sdk.perItemUs, 2)} µs per item (fit r² ${f(r.sdk.r2, 3)}); the bound is
${CPU_BOUND} × (plain + SDK cost of ours' calls and items per op).

${table(
  [
    'scenario',
    'ours CPU ms/op',
    'naive CPU ms/op',
    'plain CPU ms/op',
    'SDK ms/op',
    'bound ms/op',
    'ours / (plain + SDK)',
    'ours op/s',
    'plain op/s',
  ],
  d.overhead.map((o) => [
    o.scenario,
    f(o.oursMs, 3),
    f(find(r, o.scenario, 'naive', 'stub')?.cpuMsPerOp, 3),
    f(o.plainMs, 3),
    f(o.sdkMs, 3),
    f(o.boundMs, 3),
    f(o.ratio),
    f(find(r, o.scenario, 'ours', 'stub')?.opsPerSec, 0),
    f(find(r, o.scenario, 'plain', 'none')?.opsPerSec, 0),
  ]),
)}

${
  r.profile
    ? `Where that CPU goes (self time under a CPU profile of ours on the canonical ops, full breakdown in [PROFILE.md](PROFILE.md)): ${r.profile.byModule
        .slice(0, 10)
        .map((m) => `${m.module} ${(100 * m.share).toFixed(1)} %`)
        .join(
          ', ',
        )}; our own code (src/) ${(100 * r.profile.byModule.filter((m) => m.module.startsWith('src/')).reduce((a, m) => a + m.share, 0)).toFixed(1)} %.\n\n`
    : ''
}SDK calibration points (CPU µs per call, before / after): ${r.sdk.before.points
    .map((p, i) => `${p.command.replace('Command', '')}×${p.items} ${f(p.cpuUsPerCall, 0)} / ${f(r.sdk.after.points[i]?.cpuUsPerCall, 0)}`)
    .join(', ')}.

${r.latency ? latencyMarkdown(r.latency) : ''}
${r.coldStart ? coldStartMarkdown(r.coldStart) : ''}
${r.observability ? observabilityMarkdown(r.observability) : ''}
## Writes (ours, DynamoDB Local)

Each op takes a fresh (user, target) pair so none fails as a repeat, and concurrent ops touch
different items. The analytic minimum counts the base table only (2 WCU per transactional item
≤ 1 KB); DynamoDB Local's ConsumedCapacity for a transaction also counts the writes to the global
secondary indexes its items are in (every item is in InvertedIndex, users also in EmailIndex, games
also in OpenGamesIndex and GamesByMapIndex), and a ConditionCheck may or may not be charged.

${table(
  ['op', 'concurrency', 'ops', 'op/s (c ÷ mean latency)', 'p50 ms', 'p99 ms', 'WCU/op', 'analytic WCU', 'RCU/op', 'calls/op', 'CPU ms/op'],
  r.writes.map((w) => [
    w.scenario,
    w.concurrency,
    w.ops,
    f(w.reqPerSec, 0),
    f(w.p50Ms, 0),
    f(w.p99Ms, 0),
    f(w.wcuPerOp),
    w.analyticWcu,
    f(w.rcuPerOp),
    `${f(w.callsPerOp)} (${Object.entries(w.callsByCommand)
      .filter(([, v]) => v > 0)
      .map(([k, v]) => `${f(v)} ${k.replace('Command', '')}`)
      .join(', ')})`,
    f(w.cpuMsPerOp, 3),
  ]),
)}

${[...new Set(r.writes.map((w) => w.scenario))].map((id) => `- ${id}: ${r.writes.find((w) => w.scenario === id)!.analyticWhy}.`).join('\n')}

## Process placement

${table(
  ['pid', 'cpus', 'process'],
  r.placement.map((p) => [p.pid, p.cpus, p.role]),
)}
`);
  return out.join('\n');
}

// A hand-written log-log chart: calls per op and server CPU per op against fan-out, ours solid,
// naive dashed, one colour per list.
function chart(r: RunResults): string {
  const W = 960;
  const H = 420;
  const colours: Record<string, string> = { followers: '#1f77b4', players: '#d62728', feed: '#2ca02c' };
  const panels = [
    { title: 'DynamoDB calls per op', key: 'callsPerOp' as const, x0: 70 },
    { title: 'server CPU ms per op', key: 'cpuMsPerOp' as const, x0: 540 },
  ];
  const pw = 380;
  const top = 50;
  const ph = 290;
  const xs = (n: number, x0: number) => x0 + (Math.log10(n) / 3) * pw;
  const parts = svgPage(W, H, 'Cost against fan-out, DynamoDB Local (log-log; ours solid, naive dashed)');
  for (const p of panels) {
    const values = r.measured
      .filter((m) => m.backend === 'dynamodb-local' && /^(followers|players|feed)-\d+$/.test(m.scenario))
      .map((m) => m[p.key])
      .filter((v) => v > 0);
    const lo = Math.floor(Math.log10(Math.min(...values, 1)));
    const hi = Math.ceil(Math.log10(Math.max(...values, 10)));
    const ys = (v: number) => top + ph - ((Math.log10(v) - lo) / (hi - lo || 1)) * ph;
    parts.push(
      ...logPanelFrame({
        title: p.title,
        x0: p.x0,
        top,
        pw,
        ph,
        lo,
        hi,
        ys,
        xs: (n) => xs(n, p.x0),
        xTicks: FANOUTS,
        xLabel: 'related items per op (fan-out)',
      }),
    );
    for (const fam of FAMILIES) {
      for (const variant of ['ours', 'naive'] as const) {
        const pts = FANOUTS.map((n) => [n, find(r, `${fam}-${n}`, variant, 'dynamodb-local')?.[p.key]] as const).filter(
          (q): q is readonly [(typeof FANOUTS)[number], number] => typeof q[1] === 'number' && q[1] > 0,
        );
        if (pts.length === 0) continue;
        const line = pts.map(([n, v]) => `${xs(n, p.x0).toFixed(1)},${ys(v).toFixed(1)}`).join(' ');
        parts.push(
          `<polyline points="${line}" fill="none" stroke="${colours[fam]}" stroke-width="2"${variant === 'naive' ? ' stroke-dasharray="6 4"' : ''}/>`,
        );
        for (const [n, v] of pts)
          parts.push(`<circle cx="${xs(n, p.x0).toFixed(1)}" cy="${ys(v).toFixed(1)}" r="3" fill="${colours[fam]}"/>`);
      }
    }
  }
  let lx = 70;
  for (const fam of FAMILIES) {
    parts.push(
      `<line x1="${lx}" x2="${lx + 24}" y1="${H - 18}" y2="${H - 18}" stroke="${colours[fam]}" stroke-width="2"/>`,
      `<text x="${lx + 30}" y="${H - 14}">${fam}</text>`,
    );
    lx += 120;
  }
  parts.push(
    `<line x1="${lx}" x2="${lx + 24}" y1="${H - 18}" y2="${H - 18}" stroke="#333" stroke-width="2"/><text x="${lx + 30}" y="${H - 14}">ours (batched)</text>`,
    `<line x1="${lx + 140}" x2="${lx + 164}" y1="${H - 18}" y2="${H - 18}" stroke="#333" stroke-width="2" stroke-dasharray="6 4"/><text x="${lx + 170}" y="${H - 14}">naive (GetItem per item)</text>`,
    '</svg>',
  );
  return `${parts.join('\n')}\n`;
}
