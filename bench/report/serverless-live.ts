// The serverless flavour's section of bench/RESULTS.md (bench/serverless-live.ts measures it):
// written between its own markers, so a run of this phase alone replaces it and nothing else.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAN_OUT_CHUNK } from '../../src/serverless/fan-out.js';
import type { ServerlessLiveResults } from '../serverless-live.js';

const START = '<!-- serverless-live:start -->';
const END = '<!-- serverless-live:end -->';
/** The target for the delay from a commit to the post, at 1,000 subscribers of one game. */
export const SERVERLESS_P99_TARGET_MS = 1_000;

export function serverlessLiveSection(r: ServerlessLiveResults): string {
  const met = r.delay.p99Ms <= SERVERLESS_P99_TARGET_MS;
  const calls = Object.entries(r.perEvent.calls)
    .sort(([, a], [, b]) => b - a)
    .map(([k, v]) => `${k} ${v.toFixed(1)}`)
    .join(', ');
  return [
    START,
    '## Live updates on API Gateway + Lambda (serverless flavour, emulated)',
    '',
    `\`bench/serverless-live.ts\` (${r.mode} run): the routes and delivery functions in the bench process behind the emulators of \`test/helpers\` (API Gateway's WebSocket API and management API; Lambda's event source reading the real stream of a DynamoDB Local of its own, polled every 25 ms), ${r.subscribers} subscribers of one game on bare graphql-transport-ws sockets, ${r.events} joins (the lab's transaction, from outside the API) one at a time, once every subscriber's catch-up is over; posts ${r.concurrency} at a time.`,
    '',
    `- **Delay from a commit to the post reaching a subscriber** (${r.delay.samples} messages): p50 ${r.delay.p50Ms.toFixed(0)} ms, p99 ${r.delay.p99Ms.toFixed(0)} ms, max ${r.delay.maxMs.toFixed(0)} ms; commit to the last subscriber ${r.toLastMs.toFixed(0)} ms (median). Target p99 ≤ ${SERVERLESS_P99_TARGET_MS} ms at 1,000 subscribers: **${r.subscribers < 1_000 ? 'not measured in this run' : met ? 'met' : 'not met'}**. On AWS add Lambda's stream polling (a shard 4 times a second: up to 250 ms) and the network to API Gateway.`,
    `- **DynamoDB per event** (the delivery function's calls through the metered door): ${r.perEvent.totalCalls.toFixed(1)} calls (${calls}), ${r.perEvent.wcu.toFixed(1)} WCU, ${r.perEvent.rcu.toFixed(1)} RCU.`,
    `- **DynamoDB per delivered message**: ${r.perMessage.calls.toFixed(2)} calls, ${r.perMessage.wcu.toFixed(2)} WCU, ${r.perMessage.rcu.toFixed(3)} RCU (per event one PutItem keeps it in the replay window and one starts its fan-out's progress, and one UpdateItem per chunk of ${FAN_OUT_CHUNK} subscribers records it: ${r.chunks} here; no write per subscriber once its catch-up is over; the topic's subscribers are read in 1 MB pages; the other Queries look up live queries' watches for the batch's records).`,
    '',
    'The machine has 2 cores shared by the functions, DynamoDB Local and the sockets: absolute times are upper bounds.',
    END,
  ].join('\n');
}

/** Puts the section into `dir`/RESULTS.md (replacing an earlier one) and its figures, as JSON, beside it. */
export function writeServerlessLiveSection(dir: string, r: ServerlessLiveResults): void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'RESULTS.md');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const section = serverlessLiveSection(r);
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  const next =
    start >= 0 && end > start ? text.slice(0, start) + section + text.slice(end + END.length) : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
  writeFileSync(join(dir, 'serverless-live.json'), `${JSON.stringify(r, null, 2)}\n`);
}
