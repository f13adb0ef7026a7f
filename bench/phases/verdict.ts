// The run fails when an answer failed under load, an op took more calls than its floor, or a
// @live-query fact (re-runs exactly for the writes that concern them) was missed: all
// are deterministic facts, so even the smoke run (CI) catches them. Targets on ratios are reported.
import { join } from 'node:path';
import type { Phase } from './bench.js';

export const verdict: Phase = {
  title: 'verdict',
  async run(b) {
    b.log(`\n${b.summary ?? ''}`);
    if (b.results)
      b.log(`results: ${join(b.options.outDir, 'results.json')}, ${join(b.options.outDir, 'RESULTS.md')} (${b.results.durationS} s)`);
    const failures: string[] = [];
    const errors =
      b.measured.reduce((a, m) => a + m.errors, 0) +
      b.writes.reduce((a, w) => a + w.errors, 0) +
      (b.latency?.rows.reduce((a, x) => a + x.errors, 0) ?? 0);
    if (errors > 0) failures.push(`${errors} requests failed or answered GraphQL errors under load (see ${b.logDir}).`);
    for (const fl of b.floors.filter((x) => !x.met))
      failures.push(`${fl.scenario} took ${fl.calls} DynamoDB calls, above its floor of ${fl.floor} (${fl.why}).`);
    for (const x of b.liveQueries?.facts.filter((y) => !y.held) ?? [])
      failures.push(`@live queries: ${x.id} was ${x.measured}, not ${x.expected}.`);
    if (failures.length) throw new Error(failures.join('\n'));
  },
};
