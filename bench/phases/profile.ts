// Where the server CPU goes: ours against the stub under a CPU profile (bench/profile.ts).
import { canonicalScenarios, readScenarios } from '../operations.js';
import { profileServer, writeProfile } from '../profile.js';
import { HERE, ROOT, TABLE } from '../settings.js';
import type { Phase } from './bench.js';

export const profile: Phase = {
  title: 'where the server CPU goes: ours against the stub under a CPU profile',
  async run(b) {
    const profiled = [...canonicalScenarios(), ...readScenarios([100]).filter((x) => x.family !== 'players')].filter((x) =>
      b.scenarios.some((y) => y.id === x.id),
    );
    if (!profiled.length) return b.log('no scenario selected: skipped');
    b.profile = await profileServer(profiled, {
      here: HERE,
      root: ROOT,
      endpoint: b.stubEndpoint!,
      table: TABLE,
      serverCpus: b.serverCpus,
      logDir: b.logDir,
      seconds: b.quick ? 1 : 4,
    });
    writeProfile(b.profile, b.options.outDir);
    b.log(
      `profile: ${b.profile.byModule
        .slice(0, 6)
        .map((m) => `${m.module} ${(100 * m.share).toFixed(1)} %`)
        .join(', ')}`,
    );
  },
};
