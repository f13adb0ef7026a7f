// Server cost without the database: ours, its memo variant (the SDK answered from a memo of real
// answers), the textbook peer and naive against the stub, plain Apollo from memory, all in the
// same interleaved windows. Ours minus memo is the SDK's cost in situ; memo minus plain is ours.
import { stats } from '../walk.js';
import { compare } from '../windows.js';
import type { Phase } from './bench.js';
import { STUB_TARGETS } from './servers.js';
import { sdkRun } from './sdk.js';

export const stubCost: Phase = {
  title: 'server cost without the database: ours, memo, textbook and naive against the stub, plain Apollo from memory',
  async run(b) {
    b.sdkBefore = await sdkRun(b);
    const targets = STUB_TARGETS.map((l) => b.target(l));
    await b.warmUp(targets, b.stubScenarios);
    for (const s of b.stubScenarios) {
      const bodies = new Map(targets.map((t) => [t, b.walked(t, s)]));
      const rows = await compare(s, targets, bodies, b.settings.stubWindowS, b.settings.stubWarmupS, b.settings.rounds);
      b.measured.push(...rows);
      const cpu = (v: string) => rows.find((r) => r.variant === v)?.cpuMsPerOp ?? NaN;
      b.log(
        `${s.id.padEnd(16)} ${rows.map((r) => `${r.variant} ${r.cpuMsPerOp.toFixed(3)} cpu-ms/op ${r.opsPerSec.toFixed(0)} op/s`).join(' | ')}`,
      );
      b.log(
        `${''.padEnd(16)} SDK in situ (ours − memo) ${(cpu('ours') - cpu('memo')).toFixed(3)} ms, our own (memo − plain) ${(cpu('memo') - cpu('plain')).toFixed(3)} ms`,
      );
    }
    // Every body was recorded while the answers were checked: under load the memo only replays.
    const memo = (await stats(b.target('memo@stub').child)).memo;
    if (memo) b.log(`memo: ${memo.hits} answers replayed, ${memo.misses} requests sent to the stub (the first of each body)`);
  },
};
