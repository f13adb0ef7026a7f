// Writes against DynamoDB Local (ours): each op a fresh (user, target) pair, at concurrency 1 and 16.
import { signToken } from '../../src/auth.js';
import { loadConfig } from '../../src/config.js';
import { writeScenarios } from '../operations.js';
import { TABLE } from '../settings.js';
import { writeRun } from '../windows.js';
import type { Phase } from './bench.js';

export const writes: Phase = {
  title: 'writes against DynamoDB Local (ours)',
  async run(b) {
    const config = loadConfig({ DYNAMODB_ENDPOINT: b.dynamo!.endpoint, TABLE_NAME: TABLE });
    const ours = b.target('ours@dynamodb-local');
    for (const w of writeScenarios.filter((x) => b.selected(x.id) && b.servable(x.id, x.query))) {
      const users = new Set<string>();
      for (let i = 0; i < w.capacity; i++) users.add(w.op(i).as);
      const tokens = new Map<string, string>();
      for (const u of users) tokens.set(u, await signToken(config.auth, u, { expiresIn: '2h' }));
      const next = { i: 0 };
      for (const c of [1, 16]) {
        const amount = b.settings.writeAmounts[c]!;
        await writeRun(ours, w, c, Math.min(20, amount), next, tokens); // warm-up
        const r = await writeRun(ours, w, c, amount, next, tokens);
        b.writes.push(r);
        b.log(
          `${w.id.padEnd(13)} c=${String(c).padEnd(3)} ${r.reqPerSec.toFixed(0).padStart(5)} op/s p50 ${r.p50Ms} ms p99 ${r.p99Ms} ms ${r.wcuPerOp.toFixed(2)} WCU/op (analytic minimum ${w.analytic.wcu}) ${r.rcuPerOp.toFixed(2)} RCU/op ${r.callsPerOp.toFixed(2)} calls/op errors ${r.errors}`,
        );
      }
    }
  },
};
