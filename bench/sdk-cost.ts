// What the AWS SDK itself costs the server, per call and per item: this process sends GetItem,
// BatchGetItem and Query through the same client and Db the server uses, against the stub
// endpoint (which answers at once, in its own process), and measures its own CPU per call. After a
// warm-up (the JIT matters: cold calls cost twice as much), each point is measured in several
// interleaved repetitions and the median kept. Least-squares fits cpu = a + b·items per command,
// and one over all commands, give the figures the server's overhead is judged against.
//
//   node --import tsx bench/sdk-cost.ts <endpoint> <table> <iterations> [repetitions]
import { createClients } from '../src/data/dynamo/client.js';
import { Db } from '../src/data/dynamo/db.js';
import { keys } from '../src/data/keys.js';
import { followedUser, poolUser } from './seed.js';
import { median, sdkFits } from './stats.js';

const [endpoint, table, iterArg, repArg] = process.argv.slice(2) as [string, string, string | undefined, string | undefined];
const iterations = Number(iterArg ?? 400);
const repetitions = Number(repArg ?? 3);
const { doc } = createClients({ endpoint, region: 'local', timeoutMs: 3_000, maxAttempts: 4 });
const db = new Db(doc, table);
const CONCURRENCY = 16;

interface Point {
  /** The low-level command name, as the server's stats name it. */
  command: string;
  items: number;
  cpuUsPerCall: number;
  /** The kernel's share (system time: sockets, wake-ups). */
  systemUsPerCall: number;
}

async function run(n: number, call: () => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < n) await call();
    }),
  );
}

async function measure(call: () => Promise<unknown>): Promise<{ cpu: number; system: number }> {
  const before = process.cpuUsage();
  await run(iterations, call);
  const d = process.cpuUsage(before);
  return { cpu: (d.user + d.system) / iterations, system: d.system / iterations };
}

const cases: { command: string; items: number; call: () => Promise<unknown> }[] = [
  { command: 'GetItemCommand', items: 1, call: () => db.get({ TableName: table, Key: keys.user(poolUser(1)) }) },
];
for (const k of [1, 10, 100]) {
  const ks = Array.from({ length: k }, (_, i) => keys.user(poolUser(i)));
  cases.push({ command: 'BatchGetItemCommand', items: k, call: () => db.batchGet({ RequestItems: { [table]: { Keys: ks } } }) });
  cases.push({
    command: 'QueryCommand',
    items: k,
    call: () =>
      db.query({
        TableName: table,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)',
        ExpressionAttributeValues: { ':pk': keys.user.pk(followedUser(1000)), ':p': keys.follow.skPrefix },
        Limit: k,
      }),
  });
}

for (const c of cases) await run(Math.max(200, iterations / 2), c.call);
const samples = new Map(cases.map((c) => [c, [] as { cpu: number; system: number }[]]));
for (let r = 0; r < repetitions; r++) for (const c of cases) samples.get(c)!.push(await measure(c.call));
const points: Point[] = cases.map((c) => ({
  command: c.command,
  items: c.items,
  cpuUsPerCall: median(samples.get(c)!.map((s) => s.cpu)),
  systemUsPerCall: median(samples.get(c)!.map((s) => s.system)),
}));

const fits = sdkFits(points);
process.stdout.write(`${JSON.stringify({ pid: process.pid, iterations, repetitions, concurrency: CONCURRENCY, points, ...fits })}\n`);
doc.destroy();
