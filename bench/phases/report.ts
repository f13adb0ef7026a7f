// Writes results.json, RESULTS.md and the charts from what the phases measured (bench/report.ts).
import { loadavg } from 'node:os';
import { NODE_FLAGS } from '../processes.js';
import { writeReport } from '../report.js';
import { CPU_UNDER_TEST, TABLE, versions } from '../settings.js';
import type { Phase } from './bench.js';

export const report: Phase = {
  title: 'the report',
  async run(b) {
    if (!b.sdk) throw new Error('The report needs the SDK calibration.');
    const pinned = b.options.pinned;
    b.results = {
      generatedAt: new Date().toISOString(),
      durationS: Math.round((Date.now() - b.started) / 1000),
      versions: versions(),
      loadAverage: { before: b.loadBefore, after: loadavg() },
      settings: {
        ...b.settings,
        nodeFlags: NODE_FLAGS,
        pinned,
        cpuUnderTest: pinned ? CPU_UNDER_TEST : null,
        table: TABLE,
        items: b.items,
      },
      placement: b.placement,
      skipped: b.skipped,
      floors: b.floors,
      measured: b.measured,
      sdk: b.sdk,
      writes: b.writes,
      latency: b.latency,
      coldStart: b.coldStart,
      profile: b.profile,
      observability: b.observability,
      trustedDocuments: b.trustedDocuments,
      liveQueries: b.liveQueries,
    };
    b.summary = writeReport(b.results, b.options.outDir);
  },
};
