// DynamoDB misbehaving behind a fault-injecting proxy: throttling, 5xx, cut connections and slow
// answers. The server retries a bounded number of times with backoff, answers UNAVAILABLE when
// the retries run out, answers every request within a bound, and leaves no half-written state.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { always, either, fault, onCommands, sometimes, stuck, timed, times, type Injected } from '../helpers/faults.js';
import { errorCodes, expectNoErrors, startTestServer, type TestServer } from '../helpers/server.js';
import { closeAndDrop, invariantViolations, pool, scanAll, seedUsers } from './support.js';
import { DOMAIN_CODES, OPS, operations, scopeOf, seedWorld, type World } from './workload.js';

// The server's DynamoDB client: 3 attempts, each given up after 300 ms.
const TIMEOUT_MS = 300;
const MAX_ATTEMPTS = 3;
// One call's worst case: every attempt times out, plus the SDK's backoff for throttling (at most
// 1 s, then 2 s); an operation makes at most three calls one after another.
const CALL_BOUND_MS = MAX_ATTEMPTS * TIMEOUT_MS + 3_000;

let s: TestServer;
let users: string[];
const logged: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
const logger = {
  info: () => {},
  warn: (msg: string, fields?: Record<string, unknown>) => void logged.push({ level: 'warn', msg, fields }),
  error: (msg: string, fields?: Record<string, unknown>) => void logged.push({ level: 'error', msg, fields }),
};
beforeAll(async () => {
  s = await startTestServer({ timeoutMs: TIMEOUT_MS, maxAttempts: MAX_ATTEMPTS, reportCost: false, logger });
  users = await seedUsers(s.clients.doc, s.tableName, 12, 'flt');
});
afterEach(() => s.recorder.inject(() => undefined));
afterAll(() => closeAndDrop(s));

const READ_USER = `query($u: String!) { user(username: $u) { username followerCount } }`;

async function timedExecute(query: string, opts: Parameters<TestServer['execute']>[1]) {
  const started = performance.now();
  const res = await s.execute(query, opts);
  return { res, ms: performance.now() - started };
}

describe('an availability fault that passes', () => {
  it('is retried with backoff, and the client never sees it', async () => {
    const seen: { command: string; at: number }[] = [];
    s.recorder.inject(timed(times(2, fault.provisionedThroughputExceeded, onCommands('BatchGetItem')), seen));
    const { res } = await timedExecute(READ_USER, { variables: { u: users[0] } });
    expectNoErrors(res);
    expect(res.data!.user).toEqual({ username: users[0], followerCount: 0 });
    expect(seen.map((c) => c.command)).toEqual(['BatchGetItem', 'BatchGetItem', 'BatchGetItem']);
    // Full-jitter backoff on a 1 s throttling base: the two waits are random but not both zero.
    expect(seen[2]!.at - seen[0]!.at).toBeGreaterThan(5);
  });
});

describe('an availability fault that outlasts the retries', () => {
  const cases: [string, () => Injected][] = [
    ['ProvisionedThroughputExceededException', fault.provisionedThroughputExceeded],
    ['ThrottlingException', fault.throttling],
    ['500 InternalServerError', fault.internalServerError],
    ['503 ServiceUnavailable', fault.serviceUnavailable],
    ['a connection cut before DynamoDB sees the call', fault.dropBefore],
    ['an answer held until the client times out', fault.held],
  ];
  it.each(cases)(`%s: answers UNAVAILABLE after exactly ${MAX_ATTEMPTS} attempts, within the bound`, async (_name, make) => {
    s.recorder.inject(always(make));
    const { res, ms } = await timedExecute(READ_USER, { variables: { u: users[1] } });
    expect(res.status).toBe(200);
    expect(errorCodes(res)).toEqual(['UNAVAILABLE']);
    expect(res.errors![0]!.extensions).toMatchObject({ retryable: true });
    expect(res.data).toEqual({ user: null });
    expect(res.calls.map((c) => c.command)).toEqual(Array(MAX_ATTEMPTS).fill('BatchGetItem'));
    expect(ms).toBeLessThan(CALL_BOUND_MS);
  });

  it('refuses a write with UNAVAILABLE and writes none of it', async () => {
    const [a, b] = [users[2]!, users[3]!];
    s.recorder.inject(always(fault.internalServerError, onCommands('TransactWriteItems')));
    const res = await s.execute(OPS.follow, { variables: { u: b }, as: a });
    expect(errorCodes(res)).toEqual(['UNAVAILABLE']);
    s.recorder.inject(() => undefined);
    expect(await invariantViolations(s.clients.doc, s.tableName, { users: [a, b] })).toEqual([]);
    const items = await scanAll(s.clients.doc, s.tableName);
    expect(items.filter((it) => it.SK === `#FRIEND#${a}`)).toEqual([]);
  });
});

describe('a transaction DynamoDB cancels for a reason of its own', () => {
  it('answers CONFLICT with our code and message only; the cancellation reasons go to the log', async () => {
    const [a, b] = [users[7]!, users[8]!];
    const reasons = [
      { Code: 'None' },
      { Code: 'ValidationError', Message: 'Item size has exceeded the maximum allowed size' },
      { Code: 'None' },
    ];
    s.recorder.inject(always(() => fault.transactionCanceled(reasons), onCommands('TransactWriteItems')));
    logged.length = 0;
    const res = await s.execute(OPS.follow, { variables: { u: b }, as: a });
    s.recorder.inject(() => undefined);
    expect(res.errors).toEqual([
      {
        message: 'The change could not be applied because the data changed at the same time. Try again.',
        path: ['followUser'],
        locations: expect.any(Array),
        extensions: { code: 'CONFLICT' },
      },
    ]);
    expect(JSON.stringify(res)).not.toMatch(/ValidationError|maximum allowed size|cancellation/i);
    expect(logged).toEqual([
      {
        level: 'warn',
        msg: 'refused',
        fields: {
          code: 'CONFLICT',
          path: ['followUser'],
          reasons: ['None', 'ValidationError', 'None'],
          messages: ['', 'Item size has exceeded the maximum allowed size', ''],
        },
      },
    ]);
  });
});

describe('a write whose answer is lost after DynamoDB applied it', () => {
  it.each([
    ['the connection is cut', fault.dropAfter],
    ['the answer is held until the client times out', fault.held],
  ])('follow, when %s, is retried with the same request token and applied once', async (_name, make) => {
    const [a, b] = [users[4]!, users[5]!];
    s.recorder.inject(times(1, make, onCommands('TransactWriteItems')));
    const res = await s.execute(OPS.follow, { variables: { u: b }, as: a });
    s.recorder.inject(() => undefined);
    const tokens = res.calls.filter((c) => c.command === 'TransactWriteItems').map((c) => c.body.ClientRequestToken);
    expect(tokens).toHaveLength(2);
    expect(tokens[1]).toBe(tokens[0]);
    expect(await invariantViolations(s.clients.doc, s.tableName, { users: [a, b] })).toEqual([]);
    const followers = (await scanAll(s.clients.doc, s.tableName)).filter(
      (it) => it.PK === `USER#${b}` && String(it.SK).startsWith('#FRIEND#'),
    );
    expect(followers).toHaveLength(1);
    // DynamoDB recognises the token and answers the retry with the first attempt's success.
    expectNoErrors(res);
    expect(res.data!.followUser).toEqual({ username: b, followerCount: 1 });
    // Leave the pair as found for the next case.
    expectNoErrors(await s.execute(OPS.unfollow, { variables: { u: b }, as: a }));
  });

  it('uploadPhoto, when the connection is cut, stores exactly one photo', async () => {
    const owner = users[6]!;
    s.recorder.inject(times(1, fault.dropAfter, onCommands('TransactWriteItems')));
    const res = await s.execute(`mutation { uploadPhoto(input: { location: "https://photos.example.com/once.jpg" }) { timestamp } }`, {
      as: owner,
    });
    s.recorder.inject(() => undefined);
    const photos = (await scanAll(s.clients.doc, s.tableName)).filter(
      (it) => it.PK === `USER#${owner}` && String(it.SK).startsWith('PHOTO#'),
    );
    expect(photos.map((p) => p.location)).toEqual(['https://photos.example.com/once.jpg']);
    expectNoErrors(res);
    expect(res.data!.uploadPhoto.timestamp).toBe(photos[0]!.timestamp);
  });

  it('startGame, when the connection is cut, tells the creator the game started', async () => {
    const world = await seedWorld(s.clients.doc, s.tableName, { users: 50, games: 1, photos: 0, seated: 50 });
    const { id, creator } = world.games[0]!;
    s.recorder.inject(times(1, fault.dropAfter, onCommands('UpdateItem')));
    const res = await s.execute(OPS.start, { variables: { id }, as: creator });
    s.recorder.inject(() => undefined);
    const game = (await scanAll(s.clients.doc, s.tableName)).find((it) => it.PK === `GAME#${id}` && it.SK === `#METADATA#${id}`);
    expect(game!.start_time).toEqual(expect.any(String));
    // The retried UpdateItem finds its own earlier write; answering GAME_NOT_OPEN would tell the
    // creator their start failed when it was the one that succeeded.
    expect({ errors: res.errors?.map((e) => [e.extensions?.code, e.message]), data: res.data }).toEqual({
      errors: undefined,
      data: { startGame: { id, status: 'STARTED' } },
    });
  });
});

describe('mixed load while a quarter of all calls fail', () => {
  // Its own server, with a client timeout no busy machine reaches on a healthy call: only the
  // injected faults fail calls, and a slow answer is one held until the client gives up, so the
  // outcome depends on the faults alone, never on how fast DynamoDB Local answers today.
  const LOAD_TIMEOUT_MS = 5_000;
  const LOAD_REQUEST_BOUND_MS = 3 * (MAX_ATTEMPTS * LOAD_TIMEOUT_MS + 3_000);
  let load: TestServer;
  let world: World;
  beforeAll(async () => {
    load = await startTestServer({ timeoutMs: LOAD_TIMEOUT_MS, maxAttempts: MAX_ATTEMPTS, reportCost: false });
    world = await seedWorld(load.clients.doc, load.tableName, { users: 70, games: 2, photos: 3, seated: 45 });
  }, 60_000);
  afterAll(() => closeAndDrop(load));

  it('answers every request within the bound with data, a domain code or UNAVAILABLE, and leaves every counter equal to its items', async () => {
    const faults = [
      fault.provisionedThroughputExceeded,
      fault.throttling,
      fault.internalServerError,
      fault.serviceUnavailable,
      fault.dropBefore,
      fault.dropAfter,
      fault.held,
    ];
    // A quarter of calls fail at random, so most are saved by a retry; a few requests fail on
    // every attempt, so the run certainly includes answers whose retries ran out.
    load.recorder.inject(either(stuck(3, fault.serviceUnavailable), sometimes(0.25, faults, 7)));
    const next = operations(world, 99);
    const ops = Array.from({ length: 150 }, next);
    const results = await pool(
      16,
      ops.map((op) => async () => {
        const started = performance.now();
        const res = await load.execute(op.query, { variables: op.variables, as: op.as });
        return { res, ms: performance.now() - started };
      }),
    );
    load.recorder.inject(() => undefined);

    const unexpected = results
      .map(({ res, ms }, i) => ({ op: ops[i]!.name, ms: Math.round(ms), status: res.status, codes: errorCodes(res) }))
      .filter((r) => r.status !== 200 || r.ms > LOAD_REQUEST_BOUND_MS || r.codes.some((c) => c !== 'UNAVAILABLE' && !DOMAIN_CODES.has(c)));
    expect(unexpected).toEqual([]);
    const unavailable = results.filter(({ res }) => errorCodes(res).includes('UNAVAILABLE')).length;
    const ok = results.filter(({ res }) => !res.errors).length;
    expect({ ok: ok > 0, unavailable: unavailable > 0 }).toEqual({ ok: true, unavailable: true });

    expect(await invariantViolations(load.clients.doc, load.tableName, scopeOf(world))).toEqual([]);
  }, 180_000);
});
