// Turns a run's measurements into bench/results.json (machine-readable), bench/RESULTS.md (the
// tables, the targets and how they were measured; bench/report/markdown.ts) and the charts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { latencyChart } from './latency-report.js';
import { derive } from './report/derive.js';
import { fanoutChart } from './report/fanout-chart.js';
import { markdown } from './report/markdown.js';
import type { RunResults } from './results.js';
import { round } from './stats.js';

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
  writeFileSync(join(outDir, 'fanout.svg'), fanoutChart(r));
  if (r.latency) writeFileSync(join(outDir, 'latency.svg'), latencyChart(r.latency));
  writeFileSync(join(outDir, 'RESULTS.md'), markdown(r, d));
  const met = d.targets.filter((t) => t.met).length;
  return [
    `targets met: ${met} of ${d.targets.length}`,
    ...d.targets.filter((t) => !t.met).map((t) => `  missed: ${t.id}: ${t.measured} (target ${t.target})`),
  ].join('\n');
}
