// Every op is read once on every server first: the answers are checked (and must agree), the
// calls ours reported are compared with each op's floor (a deterministic count: a miss fails the
// run at its end), and the page bodies get their real cursors for the load windows.
import { canonicalScenarios, readScenarios } from '../operations.js';
import type { Phase } from './bench.js';
import { STUB_TARGETS } from './servers.js';

export const answers: Phase = {
  title: 'checking every answer, and calls per op against the floor',
  async run(b) {
    b.scenarios = [...readScenarios(b.settings.fanouts), ...canonicalScenarios()].filter(
      (s) => b.selected(s.id) && b.servable(s.id, s.query),
    );
    for (const x of b.skipped) b.log(`skipped ${x.scenario}: ${x.reason}`);
    const ours = b.target('ours@dynamodb-local');
    await b.walkAll([ours, b.target('naive@dynamodb-local')], b.scenarios);
    await b.walkAll(
      STUB_TARGETS.map((l) => b.target(l)),
      b.stubScenarios,
    );
    for (const s of b.scenarios) {
      const w = b.walked(ours, s);
      const met = w.calls <= s.floor.calls;
      b.floors.push({ scenario: s.id, floor: s.floor.calls, why: s.floor.why, calls: w.calls, callsByCommand: w.callsByCommand, met });
      if (!met) b.log(`FLOOR MISSED ${s.id}: ${w.calls} calls, floor ${s.floor.calls} (${s.floor.why})`);
    }
  },
};
