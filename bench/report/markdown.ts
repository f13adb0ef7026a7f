// bench/RESULTS.md, one small function per section: prose from bench/report/templates, tables here.
import { coldStartMarkdown } from '../cold-start-report.js';
import { latencyMarkdown } from '../latency-report.js';
import { liveQueriesMarkdown } from '../live-queries-report.js';
import { observabilityMarkdown } from '../observe-report.js';
import type { RunResults } from '../results.js';
import { FANOUTS } from '../seed.js';
import { describeTrustedDocuments } from '../trusted-documents.js';
import { CPU_BOUND, OWN_BOUND, f, find, type Derived } from './derive.js';
import { fill } from './template.js';

function table(head: string[], rows: (string | number)[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

function header(r: RunResults, d: Derived): string {
  return fill('header', {
    command: `npm run bench${r.settings.mode === 'quick' ? ' -- --quick' : ''}`,
    generatedAt: r.generatedAt,
    durationS: r.durationS,
    met: d.targets.filter((t) => t.met).length,
    targets: d.targets.length,
    cpus: r.versions.cpus,
    node: r.versions.node,
    packages: Object.entries(r.versions.packages)
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
  });
}

function howMeasured(r: RunResults): string {
  const s = r.settings;
  return fill('how-measured', {
    nodeFlags: (s.nodeFlags ?? []).join(' ') || 'no flags',
    pinning: s.pinned
      ? ` With \`taskset\` each server under test is pinned to CPU ${String(s.cpuUnderTest)}; DynamoDB Local, the stub and the load generator may use both CPUs.`
      : ' No CPU pinning.',
    phaseWarmupS: s.phaseWarmupS,
    rounds: s.rounds,
    warmupS: s.warmupS,
    stubWarmupS: s.stubWarmupS,
    windowS: s.windowS,
    bigWindowS: s.bigWindowS,
    stubWindowS: s.stubWindowS,
    loadBefore: r.loadAverage.before.map((x) => x.toFixed(1)).join(' '),
    loadAfter: r.loadAverage.after.map((x) => x.toFixed(1)).join(' '),
  });
}

function targets(r: RunResults, d: Derived): string {
  const skipped = r.skipped.length
    ? `\nSkipped (the schema does not serve them): ${r.skipped.map((x) => `${x.scenario} (${x.reason})`).join('; ')}.\n`
    : '';
  const rows = d.targets.map((t) => [t.id, t.target, t.measured, t.met ? 'yes' : '**no**']);
  return `## Targets\n${skipped}\n${table(['target', 'required', 'measured', 'met'], rows)}\n`;
}

function batchedVsNaive(r: RunResults): string {
  const scenarios = [...new Set(r.measured.filter((m) => m.backend === 'dynamodb-local').map((m) => m.scenario))];
  const head = ['scenario', 'ours op/s', 'naive op/s', 'ratio', 'ours p50/p99 ms', 'naive p50/p99 ms'];
  head.push('ours calls/op', 'naive calls/op', 'ours RCU/op', 'naive RCU/op', 'ours CPU ms/op', 'naive CPU ms/op');
  const rows = scenarios.map((sc) => {
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
  });
  return `## Batched (ours) vs naive, against DynamoDB Local\n\n${table(head, rows)}\n`;
}

function floors(r: RunResults): string {
  const rows = r.floors.map((fl) => [
    fl.scenario,
    fl.floor,
    fl.calls,
    f(find(r, fl.scenario, 'ours', 'dynamodb-local')?.callsPerOp, 2),
    find(r, fl.scenario, 'naive', 'dynamodb-local')?.sample.calls ?? '–',
    fl.why,
  ]);
  const head = ['scenario', 'floor', 'ours (sample)', 'ours (under load)', 'naive (sample)', 'why the floor'];
  return `### Calls per operation against the floor\n\n${table(head, rows)}\n`;
}

function fanoutGrowth(d: Derived): string {
  const head = ['list', 'backend', 'variant', 'calls / item', 'RCU / item', 'server CPU µs / item', 'CPU fit r²'];
  head.push('CPU µs / item within a page (1–100)');
  const rows = d.slopes.map((x) => [
    x.family,
    x.backend,
    x.variant,
    f(x.callsPerItem, 4),
    f(x.rcuPerItem, 4),
    f(x.cpuUsPerItem, 1),
    f(x.cpuR2),
    f(x.cpuUsPerItemInPage, 1),
  ]);
  const chart = '![DynamoDB calls and server CPU per operation against fan-out](fanout.svg)';
  return `${fill('fanout-growth', { fanouts: FANOUTS.join(', ') })}\n${table(head, rows)}\n\n${chart}\n`;
}

function serverCost(r: RunResults, d: Derived): string {
  const intro = fill('server-cost', {
    ownBound: OWN_BOUND,
    sdkPerCallUs: f(r.sdk.perCallUs, 1),
    sdkPerItemUs: f(r.sdk.perItemUs, 2),
    sdkR2: f(r.sdk.r2, 3),
    cpuBound: CPU_BOUND,
  });
  const head = ['scenario', 'ours CPU ms/op', 'memo', 'textbook', 'naive', 'plain', 'SDK in situ (ours − memo)'];
  head.push('own (memo − plain)', 'own / (plain + SDK in situ)', 'SDK fitted ms/op', 'old: ours / (plain + SDK fitted)');
  head.push('ours op/s', 'textbook op/s', 'plain op/s');
  const rows = d.overhead.map((o) => [
    o.scenario,
    f(o.oursMs, 3),
    f(o.memoMs, 3),
    f(o.textbookMs, 3),
    f(find(r, o.scenario, 'naive', 'stub')?.cpuMsPerOp, 3),
    f(o.plainMs, 3),
    f(o.sdkInSituMs, 3),
    f(o.ownMs, 3),
    f(o.ownRatio),
    f(o.sdkMs, 3),
    f(o.ratio),
    f(o.oursOpsPerSec, 0),
    f(o.textbookOpsPerSec, 0),
    f(find(r, o.scenario, 'plain', 'none')?.opsPerSec, 0),
  ]);
  return [intro, table(head, rows), '', profileLine(r), calibration(r), ''].join('\n');
}

function profileLine(r: RunResults): string {
  if (!r.profile) return '';
  const top = r.profile.byModule
    .slice(0, 10)
    .map((m) => `${m.module} ${(100 * m.share).toFixed(1)} %`)
    .join(', ');
  const own = 100 * r.profile.byModule.filter((m) => m.module.startsWith('src/')).reduce((a, m) => a + m.share, 0);
  return `Where ours' CPU goes (self time under a CPU profile of ours on the canonical ops, full breakdown in [PROFILE.md](PROFILE.md)): ${top}; our own code (src/) ${own.toFixed(1)} %.\n`;
}

function calibration(r: RunResults): string {
  const points = r.sdk.before.points
    .map((p, i) => `${p.command.replace('Command', '')}×${p.items} ${f(p.cpuUsPerCall, 0)} / ${f(r.sdk.after.points[i]?.cpuUsPerCall, 0)}`)
    .join(', ');
  return `SDK calibration points (CPU µs per call, before / after): ${points}.\n`;
}

function trustedDocuments(r: RunResults): string {
  return r.trustedDocuments ? `## Trusted documents\n\n${describeTrustedDocuments(r.trustedDocuments)}.\n` : '';
}

function writes(r: RunResults): string {
  const head = ['op', 'concurrency', 'ops', 'op/s (c ÷ mean latency)', 'p50 ms', 'p99 ms', 'WCU/op', 'analytic WCU', 'RCU/op'];
  head.push('calls/op', 'CPU ms/op');
  const rows = r.writes.map((w) => [
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
  ]);
  const why = [...new Set(r.writes.map((w) => w.scenario))]
    .map((id) => `- ${id}: ${r.writes.find((w) => w.scenario === id)!.analyticWhy}.`)
    .join('\n');
  return `${fill('writes', {})}\n${table(head, rows)}\n\n${why}\n`;
}

function placement(r: RunResults): string {
  return `## Process placement\n\n${table(
    ['pid', 'cpus', 'process'],
    r.placement.map((p) => [p.pid, p.cpus, p.role]),
  )}\n`;
}

/** The whole RESULTS.md, section by section. */
export function markdown(r: RunResults, d: Derived): string {
  return [
    header(r, d),
    howMeasured(r),
    targets(r, d),
    batchedVsNaive(r),
    floors(r),
    fanoutGrowth(d),
    serverCost(r, d),
    r.latency ? latencyMarkdown(r.latency) : '',
    r.coldStart ? coldStartMarkdown(r.coldStart) : '',
    r.observability ? observabilityMarkdown(r.observability) : '',
    trustedDocuments(r),
    writes(r),
    r.liveQueries ? liveQueriesMarkdown(r.liveQueries) : '',
    placement(r),
  ].join('\n');
}
