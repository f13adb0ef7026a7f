// Soak: a mixed load (the reliability tests' workload: follows, unfollows, reactions, removals,
// joins, starts and the reads that list them) for a few minutes against a server this script starts
// as its own process, on DynamoDB Local in memory. It samples the server's memory (RSS, and heap
// after a forced GC, so the slope is not garbage waiting to be collected), and reports throughput,
// latency, errors by code, the memory slope, and whether every counter still equals its items.
//
//   npm run soak                                  # 3 minutes, 16 requests in flight
//   npm run soak -- --duration 60 --concurrency 8 --sample-every 2 --warmup 10
//
// Writes bench/soak-results.json and bench/SOAK.md. On demand only, never in CI.
import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { signToken } from '../src/auth.js';
import { loadConfig } from '../src/config.js';
import { ensureTable } from '../src/ops/admin.js';
import { createClients } from '../src/data/dynamo/client.js';
import { startDynamoLocal } from '../src/ops/local.js';
import { createLogger } from '../src/log.js';
import { appOptions, createApp } from '../src/http/server.js';
import { createServices } from '../src/services.js';
import { invariantViolations } from '../test/reliability/support.js';
import { DOMAIN_CODES, operations, scopeOf, seedWorld, type Operation } from '../test/reliability/workload.js';

const TABLE = 'soak';
const SELF = fileURLToPath(import.meta.url);
const OUT_JSON = fileURLToPath(new URL('./soak-results.json', import.meta.url));
const OUT_MD = fileURLToPath(new URL('./SOAK.md', import.meta.url));
/** Heap growth (after GC) over the measured part of the run below which memory counts as flat. */
const FLAT_HEAP_MB_PER_MIN = 1;

interface MemorySample {
  /** Seconds since the load started. */
  t: number;
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  requests: number;
}

// ---- The server process -------------------------------------------------------------------

async function serve(endpoint: string) {
  const config = loadConfig({ DYNAMODB_ENDPOINT: endpoint, TABLE_NAME: TABLE });
  const services = createServices(config, { logger: createLogger({ silent: true }) });
  const app = createApp({ ...appOptions(services), reportCost: true, checkReady: async () => true });
  const { url } = await app.listen(0, '127.0.0.1');
  process.on('message', (m: { type: string }) => {
    if (m.type === 'memory') {
      (globalThis as { gc?: () => void }).gc?.();
      process.send!({ type: 'memory', usage: process.memoryUsage() });
    }
    if (m.type === 'stop') void app.stop().finally(() => process.exit(0));
  });
  process.send!({ type: 'ready', url });
}

// ---- The load generator ---------------------------------------------------------------------

function startServer(endpoint: string): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(SELF, ['--serve', endpoint], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('The server did not start within 60 s.')), 60_000);
    child.once('exit', (code) => reject(new Error(`The server exited during start-up (code ${code}).`)));
    child.on('message', (m: { type: string; url?: string }) => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        resolve({ child, url: m.url! });
      }
    });
  });
}

function memoryOf(child: ChildProcess): Promise<NodeJS.MemoryUsage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('The server did not report its memory within 10 s.')), 10_000);
    const onMessage = (m: { type: string; usage?: NodeJS.MemoryUsage }) => {
      if (m.type !== 'memory') return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(m.usage!);
    };
    child.on('message', onMessage);
    child.send({ type: 'memory' });
  });
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 100) / 100;

/** Least-squares slope of y over t, per minute. */
function slopePerMinute(points: { t: number; y: number }[]): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const num = points.reduce((a, p) => a + (p.t - mt) * (p.y - my), 0);
  const den = points.reduce((a, p) => a + (p.t - mt) ** 2, 0);
  return den === 0 ? 0 : Math.round((num / den) * 60 * 1000) / 1000;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 10) / 10;
}

async function main() {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '180' },
      concurrency: { type: 'string', default: '16' },
      'sample-every': { type: 'string', default: '5' },
      warmup: { type: 'string', default: '20' },
      seed: { type: 'string', default: '1' },
    },
  });
  const durationS = Number(values.duration);
  const concurrency = Number(values.concurrency);
  const sampleEveryS = Number(values['sample-every']);
  const warmupS = Number(values.warmup);
  for (const [name, v] of Object.entries({ duration: durationS, concurrency, 'sample-every': sampleEveryS, warmup: warmupS })) {
    if (!Number.isFinite(v) || v <= 0 || (name !== 'duration' && name !== 'warmup' && !Number.isInteger(v)))
      throw new Error(`--${name} must be a positive number, got ${String(v)}.`);
  }
  if (warmupS >= durationS) throw new Error('--warmup must be shorter than --duration.');

  console.log(
    `soak: ${durationS} s, ${concurrency} in flight, memory every ${sampleEveryS} s (slope measured after ${warmupS} s of warm-up)`,
  );
  const db = await startDynamoLocal();
  const clients = createClients({ endpoint: db.endpoint, region: 'local', timeoutMs: 5_000, maxAttempts: 3 });
  let server: { child: ChildProcess; url: string } | undefined;
  try {
    await ensureTable(clients.raw, TABLE);
    // Enough open seats (300 games x 20) that joins keep landing for the whole run, not only the first minute.
    const world = await seedWorld(clients.doc, TABLE, { users: 200, games: 300, photos: 60, seated: 30 });
    server = await startServer(db.endpoint);
    const config = loadConfig({ DYNAMODB_ENDPOINT: db.endpoint, TABLE_NAME: TABLE });
    const tokens = new Map<string, string>();
    for (const u of world.users) tokens.set(u, await signToken(config.auth, u, { expiresIn: '2h' }));

    const next = operations(world, Number(values.seed), 12);
    const latencies: number[] = [];
    const byOutcome: Record<string, number> = {};
    const byOperation: Record<string, { count: number; ok: number; totalMs: number }> = {};
    const unexpected: { op: string; status: number; codes: string[] }[] = [];
    let requests = 0;
    const run = async (op: Operation) => {
      const started = performance.now();
      let status = 0;
      let codes: string[];
      try {
        const res = await fetch(`${server!.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.get(op.as)}` },
          body: JSON.stringify({ query: op.query, variables: op.variables }),
          signal: AbortSignal.timeout(30_000),
        });
        status = res.status;
        const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
        codes = (body.errors ?? []).map((e) => String(e.extensions?.code));
      } catch (err) {
        codes = [`NO_ANSWER:${(err as Error).name}`];
      }
      const ms = performance.now() - started;
      requests++;
      latencies.push(ms);
      const outcome = codes.length ? codes.join(',') : 'ok';
      byOutcome[outcome] = (byOutcome[outcome] ?? 0) + 1;
      const o = (byOperation[op.name] ??= { count: 0, ok: 0, totalMs: 0 });
      o.count++;
      o.totalMs += ms;
      if (!codes.length) o.ok++;
      if (status !== 200 || codes.some((c) => !DOMAIN_CODES.has(c))) unexpected.push({ op: op.name, status, codes });
    };

    const samples: MemorySample[] = [];
    const sample = async (t: number) => {
      const u = await memoryOf(server!.child);
      samples.push({
        t: Math.round(t * 10) / 10,
        rssMb: mb(u.rss),
        heapUsedMb: mb(u.heapUsed),
        heapTotalMb: mb(u.heapTotal),
        externalMb: mb(u.external),
        requests,
      });
    };
    await sample(0);
    const startedAt = performance.now();
    const endAt = startedAt + durationS * 1000;
    const workers = Array.from({ length: concurrency }, async () => {
      while (performance.now() < endAt) await run(next());
    });
    let lastReport = 0;
    while (performance.now() < endAt) {
      await new Promise((r) => setTimeout(r, Math.min(sampleEveryS * 1000, Math.max(0, endAt - performance.now()))));
      const t = (performance.now() - startedAt) / 1000;
      await sample(t);
      if (t - lastReport >= 30 || performance.now() >= endAt) {
        const last = samples.at(-1)!;
        console.log(
          `  ${Math.round(t)} s: ${requests} requests, ${Math.round(requests / t)}/s, heap ${last.heapUsedMb} MB, rss ${last.rssMb} MB`,
        );
        lastReport = t;
      }
    }
    await Promise.all(workers);
    const elapsedS = (performance.now() - startedAt) / 1000;
    await sample(elapsedS);

    const violations = await invariantViolations(clients.doc, TABLE, scopeOf(world));
    const measured = samples.filter((x) => x.t >= warmupS);
    const heapSlope = slopePerMinute(measured.map((x) => ({ t: x.t, y: x.heapUsedMb })));
    const rssSlope = slopePerMinute(measured.map((x) => ({ t: x.t, y: x.rssMb })));
    const sorted = [...latencies].sort((a, b) => a - b);
    const first = samples[0]!;
    const last = samples.at(-1)!;
    const results = {
      when: new Date().toISOString(),
      settings: {
        durationS,
        concurrency,
        sampleEveryS,
        warmupS,
        seed: Number(values.seed),
        world: { users: world.users.length, games: world.games.length, photos: world.photos.length },
      },
      environment: {
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
        database: 'DynamoDB Local (in memory), same machine',
      },
      throughput: { requests, elapsedS: Math.round(elapsedS * 10) / 10, perSecond: Math.round((requests / elapsedS) * 10) / 10 },
      latencyMs: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: percentile(sorted, 100) },
      outcomes: byOutcome,
      operations: Object.fromEntries(
        Object.entries(byOperation).map(([k, v]) => [k, { count: v.count, ok: v.ok, meanMs: Math.round((v.totalMs / v.count) * 10) / 10 }]),
      ),
      unexpectedErrors: { count: unexpected.length, first: unexpected.slice(0, 10) },
      memory: {
        start: { rssMb: first.rssMb, heapUsedMb: first.heapUsedMb },
        afterWarmup: measured[0] ? { rssMb: measured[0].rssMb, heapUsedMb: measured[0].heapUsedMb } : null,
        end: { rssMb: last.rssMb, heapUsedMb: last.heapUsedMb },
        heapSlopeMbPerMin: heapSlope,
        rssSlopeMbPerMin: rssSlope,
        flat: heapSlope < FLAT_HEAP_MB_PER_MIN,
        samples,
      },
      invariants: { violations: violations.length, first: violations.slice(0, 10) },
    };
    writeFileSync(OUT_JSON, `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(OUT_MD, report(results));
    console.log(
      `soak: ${requests} requests (${results.throughput.perSecond}/s), p95 ${results.latencyMs.p95} ms, unexpected errors ${unexpected.length}, heap ${first.heapUsedMb} -> ${last.heapUsedMb} MB (slope ${heapSlope} MB/min), rss ${first.rssMb} -> ${last.rssMb} MB (slope ${rssSlope} MB/min), invariant violations ${violations.length}`,
    );
    console.log(`soak: wrote ${OUT_JSON} and ${OUT_MD}`);
    if (unexpected.length || violations.length || !results.memory.flat) process.exitCode = 1;
  } finally {
    if (server) {
      const exited = new Promise((r) => server!.child.once('exit', r));
      server.child.send({ type: 'stop' });
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    }
    clients.raw.destroy();
    await db.stop();
  }
}

type Results = {
  when: string;
  settings: {
    durationS: number;
    concurrency: number;
    sampleEveryS: number;
    warmupS: number;
    world: { users: number; games: number; photos: number };
  };
  environment: { node: string; platform: string; database: string };
  throughput: { requests: number; elapsedS: number; perSecond: number };
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  outcomes: Record<string, number>;
  operations: Record<string, { count: number; ok: number; meanMs: number }>;
  unexpectedErrors: { count: number };
  memory: {
    start: { rssMb: number; heapUsedMb: number };
    afterWarmup: { rssMb: number; heapUsedMb: number } | null;
    end: { rssMb: number; heapUsedMb: number };
    heapSlopeMbPerMin: number;
    rssSlopeMbPerMin: number;
    flat: boolean;
    samples: MemorySample[];
  };
  invariants: { violations: number };
};

function report(r: Results): string {
  const rows = (o: Record<string, number | string>[]) => o.map((x) => `| ${Object.values(x).join(' | ')} |`).join('\n');
  return `# Soak results

Generated by \`npm run soak\` (bench/soak.ts) on ${r.when}: ${r.settings.durationS} s of mixed load, ${r.settings.concurrency} requests in
flight, against a server in its own process on ${r.environment.database} (${r.environment.node}, ${r.environment.platform}).
The workload is the reliability tests' (test/reliability/workload.ts) over ${r.settings.world.users} users, ${r.settings.world.games} games and
${r.settings.world.photos} photos. Raw figures: bench/soak-results.json.

## Verdict

- Memory: heap after GC ${r.memory.start.heapUsedMb} MB at start, ${r.memory.afterWarmup?.heapUsedMb ?? '-'} MB after the ${r.settings.warmupS} s warm-up, ${r.memory.end.heapUsedMb} MB at the end;
  slope after warm-up **${r.memory.heapSlopeMbPerMin} MB/min** (flat below ${FLAT_HEAP_MB_PER_MIN} MB/min: **${r.memory.flat ? 'flat' : 'GROWING'}**).
  RSS ${r.memory.start.rssMb} MB to ${r.memory.end.rssMb} MB, slope ${r.memory.rssSlopeMbPerMin} MB/min.
- Errors a client could not act on (5xx, INTERNAL_SERVER_ERROR, no answer): **${r.unexpectedErrors.count}**.
- Counters that disagree with their items afterwards: **${r.invariants.violations}**.

## Throughput and latency

| requests | seconds | per second | p50 ms | p95 ms | p99 ms | max ms |
|---|---|---|---|---|---|---|
| ${r.throughput.requests} | ${r.throughput.elapsedS} | ${r.throughput.perSecond} | ${r.latencyMs.p50} | ${r.latencyMs.p95} | ${r.latencyMs.p99} | ${r.latencyMs.max} |

| operation | count | ok | mean ms |
|---|---|---|---|
${rows(Object.entries(r.operations).map(([name, o]) => ({ name, count: o.count, ok: o.ok, mean: o.meanMs })))}

Outcomes (a domain code is a correct answer: following someone twice is ALREADY_FOLLOWING):

| outcome | count |
|---|---|
${rows(
  Object.entries(r.outcomes)
    .sort(([, a], [, b]) => b - a)
    .map(([outcome, count]) => ({ outcome, count })),
)}

## Memory samples (server process)

| t (s) | requests | RSS MB | heap used MB (after GC) | heap total MB | external MB |
|---|---|---|---|---|---|
${rows(r.memory.samples.map((x) => ({ t: x.t, requests: x.requests, rss: x.rssMb, heap: x.heapUsedMb, total: x.heapTotalMb, external: x.externalMb })))}
`;
}

if (process.argv[2] === '--serve') {
  serve(process.argv[3]!).catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
