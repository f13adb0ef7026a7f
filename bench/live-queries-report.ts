// The @live-query section of bench/RESULTS.md and its rows of the targets table, from what
// bench/live-queries.ts measured. Prose in bench/report/templates/live-queries.md.
import { cpus } from 'node:os';
import type { DelayPart, LiveQueryResults } from './live-queries.js';
import { NOISE, pct, type Cost } from './live-queries-load.js';
import { f } from './report/derive.js';
import { fill } from './report/template.js';
import type { ReportTarget } from './results.js';

const MATCH_P99_MS = 1;
const MEMORY_KB = 50;

const perMinute = (c: Cost, x: number) => (x * 60) / c.seconds;

export function liveQueryTargets(r: LiveQueryResults): ReportTarget[] {
  const total = r.delays.map((d) => d.totalMs);
  const s = r.steady;
  const delayTarget = r.pollMs + 50;
  return [
    {
      id: 'live query: write → updated result',
      target: `p50 ≤ STREAM_POLL_MS + 50 = ${delayTarget} ms`,
      measured: `p50 ${f(pct(total, 50), 0)} ms, p99 ${f(pct(total, 99), 0)} ms (${total.length} writes)`,
      met: pct(total, 50) <= delayTarget,
    },
    {
      id: `live query: matching one record (${r.liveQueries} open)`,
      target: `p99 ≤ ${MATCH_P99_MS} ms`,
      measured: `p50 ${f(s.matchMs.p50, 3)} ms, p99 ${f(s.matchMs.p99, 3)} ms, max ${f(s.matchMs.max, 1)} ms (${s.matchMs.count} records)`,
      met: s.matchMs.p99 <= MATCH_P99_MS,
    },
    {
      id: 'live query: re-runs per write',
      target: `= the live queries it concerns (${r.watchers}), never all ${r.liveQueries}`,
      measured: `${f(s.runs / s.writes, 2)} (${s.runs} re-runs for ${s.writes} writes of ${f(s.records / s.writes, 1)} records each)`,
      met: s.runs === r.watchers * s.writes,
    },
    {
      id: 'live query: memory per idle live query',
      target: `≤ ${MEMORY_KB} KB (RSS)`,
      measured: `${f(r.memory.rssBytesPerLiveQuery / 1024, 1)} KB RSS, ${f(r.memory.heapBytesPerLiveQuery / 1024, 1)} KB heap, ${f(r.memory.externalBytesPerLiveQuery / 1024, 1)} KB external (${r.liveQueries} live queries on ${r.connections} connections)`,
      met: r.memory.rssBytesPerLiveQuery <= MEMORY_KB * 1024,
    },
    ...r.facts.map((x) => ({ id: `live query fact: ${x.id}`, target: `= ${x.expected}`, measured: String(x.measured), met: x.held })),
  ];
}

const ms = (xs: number[]) => `${f(pct(xs, 50), 0)} / ${f(pct(xs, 99), 0)}`;

function delayRow(label: string, ds: DelayPart[]): string {
  const col = (k: keyof Omit<DelayPart, 'backToBack'>) => ms(ds.map((d) => d[k]));
  return `| ${label} | ${ds.length} | ${col('totalMs')} | ${col('streamMs')} | ${col('throttleMs')} | ${col('runMs')} | ${col('deliveryMs')} |`;
}

function sideBySide(r: LiveQueryResults): string {
  const s = r.steady;
  const p = r.polling;
  const perClient = (x: number) => perMinute(p, x) / p.clients;
  const rows = [
    `| live queries (${r.liveQueries} open, ${s.rate} writes/s) | ${r.liveQueries} | ${f(perMinute(s, s.calls), 0)} | ${f(perMinute(s, s.rcu), 1)} | ${f(perMinute(s, s.calls) / r.liveQueries, 2)} | ${f(perMinute(s, s.readerCalls), 0)} | ${f(s.cpuMs / s.seconds / 10, 1)} % |`,
    `| polling every second, measured | ${p.clients} | ${f(perMinute(p, p.calls), 0)} | ${f(perMinute(p, p.rcu), 1)} | ${f(perClient(p.calls), 2)} | ${f(perMinute(p, p.readerCalls), 0)} | ${f(p.cpuMs / p.seconds / 10, 1)} % |`,
    `| polling every second, ${r.liveQueries} clients (× per client) | ${r.liveQueries} | ${f(perClient(p.calls) * r.liveQueries, 0)} | ${f(perClient(p.rcu) * r.liveQueries, 1)} | ${f(perClient(p.calls), 2)} | – | – |`,
  ];
  return [
    '| who | clients | DynamoDB calls / min | RCU / min | calls / min per client | stream reader calls / min | server CPU (one core) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

export function liveQueriesMarkdown(r: LiveQueryResults): string {
  const s = r.steady;
  const p = r.polling;
  const slowest = [...r.delays].sort((a, b) => b.totalMs - a.totalMs)[0]!;
  const byCommand = (c: Cost, n: number) =>
    Object.entries(c.callsByCommand)
      .filter(([, v]) => v > 0)
      .map(([k, v]) => `${f(v / n, 2)} ${k}`)
      .join(', ');
  const delayTable = [
    '| writes | n | commit → result p50 / p99 ms | commit → record on the bus | record → run starts (throttle) | run | run → client |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    delayRow(
      'right after the last result',
      r.delays.filter((d) => d.backToBack),
    ),
    delayRow(
      `after a pause (throttle + 100 ms)`,
      r.delays.filter((d) => !d.backToBack),
    ),
    delayRow('all', r.delays),
  ].join('\n');
  return fill('live-queries', {
    mode: r.mode,
    pollMs: r.pollMs,
    throttleMs: r.throttleMs,
    liveQueries: r.liveQueries,
    games: r.games,
    watchers: r.watchers,
    connections: r.connections,
    delayTable,
    slowest: `${f(slowest.totalMs, 0)} ms = stream ${f(slowest.streamMs, 0)} + throttle ${f(slowest.throttleMs, 0)} + run ${f(slowest.runMs, 0)} + delivery ${f(slowest.deliveryMs, 0)} ms (${slowest.backToBack ? 'right after the last result' : 'after a pause'}), the run in ${slowest.attempts} execution${slowest.attempts === 1 ? '' : 's'}; load average ${r.delayLoad.map((x) => f(x, 1)).join(' → ')} on ${cpus().length} CPUs`,
    heapKB: f(r.memory.heapBytesPerLiveQuery / 1024, 1),
    rssKB: f(r.memory.rssBytesPerLiveQuery / 1024, 1),
    externalKB: f(r.memory.externalBytesPerLiveQuery / 1024, 1),
    noise: NOISE,
    facts: r.facts.map((x) => `- ${x.id}: ${x.measured} (expected ${x.expected}): **${x.held ? 'held' : 'MISSED'}**`).join('\n'),
    rate: s.rate,
    seconds: s.seconds,
    writes: s.writes,
    records: s.records,
    runs: s.runs,
    runsPerWrite: f(s.runs / s.writes, 2),
    matchedPerRecord: f(s.matched / (2 * s.writes), 2),
    results: s.results,
    matchP50: f(s.matchMs.p50, 3),
    matchP99: f(s.matchMs.p99, 3),
    matchMax: f(s.matchMs.max, 1),
    cpuPerWrite: f(s.cpuMs / s.writes, 1),
    cpuPerRun: f(s.cpuMs / s.runs, 2),
    callsPerWrite: f(s.calls / s.writes, 1),
    callsPerRun: f(s.calls / s.runs, 2),
    callsByCommand: byCommand(s, s.writes),
    rcuPerWrite: f(s.rcu / s.writes, 1),
    rcuPerPoll: f(p.rcu / p.polls, 2),
    pollers: p.clients,
    polls: p.polls,
    pollsFailed: p.failed,
    pollCallsByCommand: byCommand(p, p.polls),
    sideBySide: sideBySide(r),
  });
}
