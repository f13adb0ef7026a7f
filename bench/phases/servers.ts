// One server process per variant and backend: ours and naive against DynamoDB Local; ours, its
// memo variant, the textbook peer and naive against the stub; plain Apollo from memory.
import type { Phase } from './bench.js';

export const servers: Phase = {
  title: 'servers under test',
  async run(b) {
    await b.startServer('ours', 'dynamodb-local', b.dynamo!.endpoint);
    await b.startServer('naive', 'dynamodb-local', b.dynamo!.endpoint);
    for (const v of ['ours', 'memo', 'textbook', 'naive'] as const) await b.startServer(v, 'stub', b.stubEndpoint);
    await b.startServer('plain', 'none');
    b.log('process placement:');
    for (const p of b.placement) b.log(`  pid ${String(p.pid).padEnd(7)} cpus ${p.cpus.padEnd(5)} ${p.role}`);
    if (!b.options.pinned) b.log('  (no CPU pinning: --no-pin, fewer than 2 CPUs, or no taskset)');
  },
};

/** The stub phase's servers, in the order their windows interleave. */
export const STUB_TARGETS = ['ours@stub', 'memo@stub', 'textbook@stub', 'naive@stub', 'plain@none'];
