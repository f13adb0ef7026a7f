// The database killed (SIGKILL) and restarted mid-load, on its own DynamoDB Local with its data on
// disk: every request answers within a bound (UNAVAILABLE while the database is down), /readyz
// says 503 while it is down and 200 once it is back, requests succeed again without restarting
// the server, and no counter disagrees with its items afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../src/auth.js';
import { isLoopback, loadConfig } from '../../src/config.js';
import { createReadyCheck } from '../../src/data/dynamo/ready.js';
import { ensureTable } from '../../src/ops/admin.js';
import { createClients, type DynamoClients } from '../../src/data/dynamo/client.js';
import { freePort, startDynamoLocal, type EmbeddedDynamo } from '../../src/ops/local.js';
import { createLogger } from '../../src/log.js';
import { appOptions, createApp, type App } from '../../src/http/server.js';
import { createServices } from '../../src/services.js';
import { invariantViolations } from './support.js';
import { DOMAIN_CODES, operations, scopeOf, seedWorld, type Operation, type World } from './workload.js';

const TIMEOUT_MS = 300;
const MAX_ATTEMPTS = 3;
// Three sequential calls, each: every attempt timing out plus the SDK's longest backoff.
const REQUEST_BOUND_MS = 3 * (MAX_ATTEMPTS * TIMEOUT_MS + 3_000);
const TABLE = 'reliability-restart';

let dataDir: string;
let port: number;
let db: EmbeddedDynamo;
let seedClients: DynamoClients;
let serverClients: DynamoClients;
let readyClients: DynamoClients;
let app: App;
let url: string;
let world: World;
const config = loadConfig({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000', TABLE_NAME: TABLE });

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'dynamo-restart-'));
  port = await freePort();
  db = await startDynamoLocal({ dataDir, port });
  if (!isLoopback(db.endpoint)) throw new Error(`Refusing ${db.endpoint}: loopback only.`);
  seedClients = createClients({ endpoint: db.endpoint, region: 'local', timeoutMs: 5_000, maxAttempts: 3 });
  await ensureTable(seedClients.raw, TABLE);
  world = await seedWorld(seedClients.doc, TABLE, { users: 30, games: 1, photos: 2, seated: 40 });

  serverClients = createClients({ endpoint: db.endpoint, region: 'local', timeoutMs: TIMEOUT_MS, maxAttempts: MAX_ATTEMPTS });
  readyClients = createClients({ endpoint: db.endpoint, region: 'local', timeoutMs: 500, maxAttempts: 1 });
  const services = createServices(config, { clients: serverClients, logger: createLogger({ silent: true }) });
  app = createApp({
    ...appOptions(services),
    reportCost: false,
    metricsRoute: false,
    checkReady: createReadyCheck(readyClients.raw, TABLE),
  });
  ({ url } = await app.listen(0, '127.0.0.1'));
}, 120_000);

afterAll(async () => {
  await app?.stop();
  for (const c of [serverClients, readyClients, seedClients]) c?.raw.destroy();
  await db?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

interface Outcome {
  op: string;
  startedAt: number;
  endedAt: number;
  status: number;
  codes: string[];
}

async function run(op: Operation): Promise<Outcome> {
  const startedAt = performance.now();
  try {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await signToken(config.auth, op.as)}` },
      body: JSON.stringify({ query: op.query, variables: op.variables }),
      signal: AbortSignal.timeout(REQUEST_BOUND_MS),
    });
    const body = (await res.json()) as { errors?: { extensions?: { code?: string } }[] };
    return {
      op: op.name,
      startedAt,
      endedAt: performance.now(),
      status: res.status,
      codes: (body.errors ?? []).map((e) => String(e.extensions?.code)),
    };
  } catch (err) {
    return { op: op.name, startedAt, endedAt: performance.now(), status: 0, codes: [`NO ANSWER: ${(err as Error).name}`] };
  }
}

async function readyz(): Promise<number> {
  return (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5_000) })).status;
}

/** Polls until `check` holds; fails the test, saying what never happened, if `ms` pass first. */
async function eventually(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Not within ${ms} ms: ${what}.`);
}

describe('the database killed and restarted mid-load', () => {
  it('answers UNAVAILABLE within the bound while it is down, reports it on /readyz, recovers by itself, and loses nothing', async () => {
    expect(await readyz()).toBe(200);
    const next = operations(world, 4242);
    const outcomes: Outcome[] = [];
    let running = true;
    const workers = Array.from({ length: 6 }, async () => {
      while (running) outcomes.push(await run(next()));
    });
    // However the waits end, the load stops before the test does.
    let restartAt = 0;
    let backAt = 0;
    let downAt = 0;
    try {
      await eventually(
        async () => outcomes.filter((o) => o.codes.length === 0).length >= 20,
        20_000,
        '20 answered operations before the kill',
      );

      process.kill(db.pid, 'SIGKILL');
      await db.stop();
      downAt = performance.now();
      await eventually(async () => (await readyz()) === 503, 5_000, '/readyz 503 with the database down');
      // Let the load meet the dead database for a while.
      await eventually(
        async () => outcomes.filter((o) => o.startedAt > downAt).length >= 30,
        20_000,
        '30 operations sent to the dead database',
      );

      restartAt = performance.now();
      db = await startDynamoLocal({ dataDir, port });
      await eventually(async () => (await readyz()) === 200, 30_000, '/readyz 200 after the restart');
      backAt = performance.now();
      await eventually(
        async () => outcomes.filter((o) => o.startedAt > backAt && o.codes.length === 0).length >= 20,
        20_000,
        '20 answered operations after the restart',
      );
    } finally {
      running = false;
      await Promise.all(workers);
    }

    const slow = outcomes.filter((o) => o.endedAt - o.startedAt > REQUEST_BOUND_MS || o.status !== 200);
    expect(slow).toEqual([]);
    const whileDown = outcomes.filter((o) => o.startedAt > downAt && o.endedAt < restartAt);
    expect(whileDown.length).toBeGreaterThan(0);
    // Nothing succeeds while it is down; the only other answer is a refusal made without the database.
    expect(whileDown.filter((o) => o.codes.length !== 1 || !['UNAVAILABLE', 'CANNOT_FOLLOW_SELF'].includes(o.codes[0]!))).toEqual([]);
    expect(whileDown.filter((o) => o.codes[0] === 'UNAVAILABLE').length).toBeGreaterThan(whileDown.length / 2);
    const unexpected = outcomes.filter((o) => o.codes.some((c) => c !== 'UNAVAILABLE' && !DOMAIN_CODES.has(c)));
    expect(unexpected).toEqual([]);
    const afterBack = outcomes.filter((o) => o.startedAt > backAt);
    expect(afterBack.filter((o) => o.codes.length === 0).length).toBeGreaterThanOrEqual(20);

    expect(await invariantViolations(seedClients.doc, TABLE, scopeOf(world))).toEqual([]);
  }, 150_000);
});
