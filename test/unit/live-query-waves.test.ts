// Which runs share a read wave (src/data/dynamo/wave.ts): the re-runs one record makes due at the
// same moment join one wave; a later record's runs get a new one; a retry reads alone. Driven
// through the in-process bus with runs that note the wave they were given.
import type { ExecutionResult } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReadSet } from '../../src/data/dynamo/read-set.js';
import type { ReadWave } from '../../src/data/dynamo/wave.js';
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

let seq = 0;
const record = (PK: string, SK: string): ChangeRecord => ({
  id: `w${++seq}`,
  shardId: 's',
  sequenceNumber: String(seq),
  kind: 'INSERT',
  keys: { PK, SK },
  newImage: { PK, SK },
  byTtl: false,
  approximateTime: Date.now(),
});

/** A run over game g's partition that notes the wave it was given; `fail` runs answer UNAVAILABLE. */
function noting(waves: (ReadWave | undefined)[], state: { fail: number } = { fail: 0 }) {
  return async (reads: ReadSet, wave?: ReadWave): Promise<ExecutionResult> => {
    waves.push(wave);
    reads.query({ KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': 'GAME#g' } }, undefined);
    if (state.fail-- > 0) return { errors: [new AppError('UNAVAILABLE', 'try again')] };
    return { data: { runs: waves.length } };
  };
}

async function until(done: () => boolean, what: string) {
  for (let i = 0; i < 100_000 && !done(); i++) await new Promise((r) => setImmediate(r));
  if (!done()) throw new Error(`Never happened: ${what}`);
}

describe('read waves of live-query runs', () => {
  it('put the runs one record causes in one wave, and a later record’s runs in a new one', async () => {
    bus = createMemoryBus(100);
    queries = createLiveQueries({ bus, logger: createLogger({ silent: true }), throttleMs: 0, backoffMs: 1 });
    const seen = Array.from({ length: 10 }, () => [] as (ReadWave | undefined)[]);
    for (const waves of seen) open.push(queries.open(noting(waves)));
    for (const q of open) await q.next();
    await bus.publish([record('GAME#g', 'USER#a')]);
    await until(() => seen.every((w) => w.length === 2) && queries.idle(), 'ten re-runs');
    const first = seen[0]![1]!;
    expect(first).toBeDefined();
    expect(seen.map((w) => w[1])).toEqual(seen.map(() => first));
    expect(first.members).toBe(10);
    // It takes runs only in the turn it was made in.
    await new Promise((r) => setImmediate(r));
    expect(first.joinable).toBe(false);
    // The next record: a wave of its own, never the closed one.
    await bus.publish([record('GAME#g', 'USER#b')]);
    await until(() => seen.every((w) => w.length === 3) && queries.idle(), 'ten more re-runs');
    const second = seen[0]![2]!;
    expect(second).not.toBe(first);
    expect(seen.map((w) => w[2])).toEqual(seen.map(() => second));
  });

  it('give a retry no wave: after UNAVAILABLE a run reads afresh', async () => {
    bus = createMemoryBus(100);
    queries = createLiveQueries({ bus, logger: createLogger({ silent: true }), throttleMs: 0, backoffMs: 1 });
    const waves: (ReadWave | undefined)[] = [];
    const q = queries.open(noting(waves, { fail: 2 }));
    open.push(q);
    await q.next();
    expect(waves).toHaveLength(3);
    expect(waves[0]).toBeDefined();
    expect(waves.slice(1)).toEqual([undefined, undefined]);
  });
});
