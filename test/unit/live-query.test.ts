// A live query's runs, driven through the in-process bus with runs whose read sets and results the
// test decides: coalescing, no-change suppression, revisions, retries, held records, gaps, limits.
import type { ExecutionResult } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReadSet } from '../../src/data/dynamo/read-set.js';
import { AppError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { createMemoryBus, type Bus } from '../../src/live/bus.js';
import type { LiveQuery } from '../../src/live/query/live-query.js';
import { createLiveQueries, type LiveQueries } from '../../src/live/query/registry.js';
import type { ChangeRecord } from '../../src/live/stream/records.js';

let bus: Bus;
let queries: LiveQueries;
const open: LiveQuery[] = [];
afterEach(async () => {
  for (const q of open.splice(0)) await q.return();
  queries?.close();
});

function setUp(throttleMs = 0, maxReads?: number) {
  bus = createMemoryBus(100);
  queries = createLiveQueries({ bus, logger: createLogger({ silent: true }), throttleMs, maxReads, backoffMs: 1 });
}

let seq = 0;
const record = (PK: string, SK: string, image: Record<string, unknown> = {}): ChangeRecord => ({
  id: `r${++seq}`,
  shardId: 's',
  sequenceNumber: String(seq),
  kind: 'INSERT',
  keys: { PK, SK },
  newImage: { PK, SK, ...image },
  byTtl: false,
  approximateTime: Date.now(),
});

/** A run that reads game g's partition and answers with `state.value`, pausing while `state.gate` is set. */
function gameRun(state: { value: number; runs: number; gate?: Promise<void>; result?: () => ExecutionResult }) {
  return async (reads: ReadSet): Promise<ExecutionResult> => {
    state.runs++;
    if (state.gate) await state.gate;
    reads.query({ KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': 'GAME#g' } }, undefined);
    return state.result ? state.result() : { data: { value: state.value } };
  };
}

function start(run: (reads: ReadSet) => Promise<ExecutionResult>) {
  const q = queries.open(run);
  open.push(q);
  return q;
}

const next = async (q: LiveQuery) => (await q.next()).value as ExecutionResult;
const revisionOf = (r: ExecutionResult) => (r.extensions as { live: { revision: number } }).live.revision;

/** Waits, a bounded number of turns of the event loop, until `done()` holds. */
async function until(done: () => boolean, what: string) {
  for (let i = 0; i < 100_000 && !done(); i++) await new Promise((r) => setImmediate(r));
  if (!done()) throw new Error(`Never happened: ${what}`);
}

describe('a live query', () => {
  it('sends its first result at once, then a new revision only when a matched record changes the result', async () => {
    setUp();
    const state = { value: 1, runs: 0 };
    const q = start(gameRun(state));
    const first = await next(q);
    expect([first.data, revisionOf(first)]).toEqual([{ value: 1 }, 1]);
    // A record for the game that changes nothing: a run, nothing sent (else revision 2 would hold value 1).
    await bus.publish([record('GAME#g', 'USER#a')]);
    await until(() => state.runs === 2, 'the second run');
    state.value = 2;
    await bus.publish([record('GAME#g', 'USER#b')]);
    const second = await next(q);
    expect([second.data, revisionOf(second)]).toEqual([{ value: 2 }, 2]);
    // A record for another partition matches nothing; the marker after it matches once.
    const matched = queries.stats().matched;
    await bus.publish([record('GAME#other', 'USER#a')]);
    state.value = 3;
    await bus.publish([record('GAME#g', 'USER#marker')]);
    expect((await next(q)).data).toEqual({ value: 3 });
    expect(queries.stats().matched - matched).toBe(1);
  });

  it('coalesces a burst into one run in flight and one pending', async () => {
    setUp();
    let open!: () => void;
    const state = { value: 1, runs: 0, gate: undefined as Promise<void> | undefined };
    const q = start(gameRun(state));
    await next(q);
    state.gate = new Promise((r) => (open = r));
    await bus.publish([record('GAME#g', 'USER#1')]);
    await until(() => state.runs === 2, 'a run in flight, held at the gate');
    for (let i = 2; i <= 50; i++) await bus.publish([record('GAME#g', `USER#${i}`)]);
    state.value = 50;
    state.gate = undefined;
    open();
    expect((await next(q)).data).toEqual({ value: 50 });
    // One more run for the 49 records that came while it ran; then a marker proves there was no other.
    await until(() => state.runs === 3, 'the pending run');
    state.value = 51;
    await bus.publish([record('GAME#g', 'USER#marker')]);
    expect((await next(q)).data).toEqual({ value: 51 });
    expect(state.runs).toBe(4);
  });

  it('keeps runs at least the throttle apart', async () => {
    setUp(150);
    const state = { value: 1, runs: 0 };
    const q = start(gameRun(state));
    await next(q);
    const t0 = performance.now();
    state.value = 2;
    await bus.publish([record('GAME#g', 'USER#x')]);
    await next(q);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(100);
  });

  it('holds a record that arrives during a run and runs again if the new read set covers it', async () => {
    setUp();
    let open!: () => void;
    const state = { value: 1, runs: 0, gate: new Promise<void>((r) => (open = r)) as Promise<void> | undefined };
    const q = start(gameRun(state));
    // While the first run is in flight (nothing filed yet), a record for what it is about to read.
    await bus.publish([record('GAME#g', 'USER#early')]);
    state.gate = undefined;
    open();
    expect((await next(q)).data).toEqual({ value: 1 });
    state.value = 2;
    expect((await next(q)).data).toEqual({ value: 2 });
    expect(state.runs).toBe(2);
  });

  it('does not settle on an index read that lags the record that caused the run: it reads again, a bounded number of times', async () => {
    setUp();
    const open = { PK: 'GAME#n', SK: '#METADATA#n', map: 'M', open_timestamp: 't', people: 1 };
    // What OpenGamesIndex returns, run by run: empty, then (the index a moment behind) empty again, then the game.
    const index: Record<string, unknown>[][] = [[], [], [open]];
    let runs = 0;
    const q = start(async (reads) => {
      const items = index[Math.min(runs++, index.length - 1)]!;
      reads.query(
        {
          IndexName: 'OpenGamesIndex',
          KeyConditionExpression: '#m = :m',
          ExpressionAttributeNames: { '#m': 'map' },
          ExpressionAttributeValues: { ':m': 'M' },
        },
        undefined,
      );
      reads.indexRead('OpenGamesIndex', items);
      return { data: { open: items.length } };
    });
    expect((await next(q)).data).toEqual({ open: 0 });
    await bus.publish([record('GAME#n', '#METADATA#n', open)]);
    // The run caused by the record saw an index without it, so it read again until it did.
    expect((await next(q)).data).toEqual({ open: 1 });
    expect(runs).toBe(3);
  });

  it('gives up on a lagging index after the bound and sends what it read', async () => {
    setUp();
    let runs = 0;
    const q = start(async (reads) => {
      runs++;
      reads.query(
        {
          IndexName: 'OpenGamesIndex',
          KeyConditionExpression: '#m = :m',
          ExpressionAttributeNames: { '#m': 'map' },
          ExpressionAttributeValues: { ':m': 'M' },
        },
        undefined,
      );
      reads.indexRead('OpenGamesIndex', []);
      return { data: { open: 0, runs } };
    });
    await next(q);
    await bus.publish([record('GAME#n', '#METADATA#n', { map: 'M', open_timestamp: 't' })]);
    expect((await next(q)).data).toEqual({ open: 0, runs: 4 }); // the first run, then 3 attempts (lagAttempts)
  });

  it('retries UNAVAILABLE with backoff and never sends it as a revision', async () => {
    setUp();
    let failures = 2;
    const state = {
      value: 1,
      runs: 0,
      result: (): ExecutionResult =>
        failures-- > 0 ? { errors: [new AppError('UNAVAILABLE', 'try again')] } : { data: { value: state.value } },
    };
    const q = start(gameRun(state));
    const first = await next(q);
    expect([first.data, revisionOf(first)]).toEqual([{ value: 1 }, 1]);
    expect(state.runs).toBe(3);
  });

  it('sends a result that became an error as such', async () => {
    setUp();
    let gone = false;
    const state = {
      value: 1,
      runs: 0,
      result: (): ExecutionResult =>
        gone ? { data: { game: null }, errors: [new AppError('NOT_FOUND', 'The game g does not exist.')] } : { data: { game: 1 } },
    };
    const q = start(gameRun(state));
    await next(q);
    gone = true;
    await bus.publish([record('GAME#g', '#METADATA#g')]);
    const r = await next(q);
    expect(r.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    expect(revisionOf(r)).toBe(2);
  });

  it('runs every live query again after a gap in the stream', async () => {
    setUp();
    const a = { value: 1, runs: 0 };
    const b = { value: 1, runs: 0 };
    const qa = start(gameRun(a));
    const qb = start(gameRun(b));
    await next(qa);
    await next(qb);
    a.value = 2;
    b.value = 2;
    bus.gap('trimmed');
    expect((await next(qa)).data).toEqual({ value: 2 });
    expect((await next(qb)).data).toEqual({ value: 2 });
  });

  it('ends with a limit error when its read set is too large', async () => {
    setUp(0, 2);
    const q = start(async (reads) => {
      for (let i = 0; i < 3; i++) reads.key({ PK: `USER#${i}`, SK: `#METADATA#${i}` });
      return { data: { ok: true } };
    });
    const err = await q.next().then(
      () => null,
      (e: AppError) => e,
    );
    expect(err?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'maxLiveQueryReads' });
    expect(queries.count()).toBe(0);
  });

  it('forgets everything when closed: no run for a later record', async () => {
    setUp();
    const state = { value: 1, runs: 0 };
    const q = start(gameRun(state));
    await next(q);
    await q.return();
    expect(queries.count()).toBe(0);
    const matched = queries.stats().matched;
    await bus.publish([record('GAME#g', 'USER#late')]);
    expect(queries.stats().matched).toBe(matched);
    expect(state.runs).toBe(1);
    expect(await q.next()).toEqual({ value: undefined, done: true });
  });
});
