// The benchmark: `npm run bench` (full, several minutes) or `npm run bench -- --quick` (CI smoke,
// under 3 minutes); options in bench/settings.ts. Server, load generator and database are
// separate processes:
//   this process      orchestration and autocannon (the load generator)
//   DynamoDB Local    in memory, started with startDynamoLocal
//   stub DynamoDB     bench/stub-dynamo.ts: answers at once from memory (server cost without a database)
//   servers           bench/server.ts, one per variant and backend (ours, memo, textbook, naive, plain)
// With taskset (default when there are 2+ CPUs; --no-pin turns it off) each server under test is
// pinned to CPU 1, so its CPU time is measured on one core it never leaves; DynamoDB Local, the stub
// and the load generator may use both CPUs (DynamoDB Local is the bottleneck of most read
// scenarios, and confining it to one core with the load generator starved it).
//
// The run is the list of phases in bench/phases/index.ts, one module each, run in order.
import { Bench } from './phases/bench.js';
import { PHASES } from './phases/index.js';
import { stopEverything } from './phases/stop.js';
import { NODE_FLAGS } from './processes.js';
import { readOptions, versions } from './settings.js';

async function main() {
  const b = new Bench(readOptions(process.argv.slice(2)));
  const v = versions();
  b.log(
    `benchmark (${b.settings.mode}) — node ${v.node}, ${v.cpus}, ${v.memoryGiB} GiB, load average ${b.loadBefore.map((x) => x.toFixed(1)).join(' ')}`,
  );
  b.log(
    `packages: ${Object.entries(v.packages)
      .map(([k, x]) => `${k} ${x}`)
      .join(', ')}`,
  );
  b.log(`settings: ${JSON.stringify(b.settings)}, node flags ${NODE_FLAGS.join(' ')}${b.options.only ? `, only ${b.options.only}` : ''}`);
  b.place('orchestrator + autocannon load generator (this process)', process.pid);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void stopEverything(b).finally(() => process.exit(130)));
  try {
    for (const phase of PHASES) {
      b.heading(phase.title);
      await phase.run(b);
    }
  } finally {
    await stopEverything(b);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
