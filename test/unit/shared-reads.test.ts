import { describe, expect, it } from 'vitest';
import type { Item } from '../../src/data/dynamo/batch.js';
import type { Db } from '../../src/data/dynamo/db.js';
import { createLoaders } from '../../src/data/dynamo/loaders.js';
import { markArrival, SharedReads } from '../../src/data/dynamo/shared-reads.js';
import { keys, type Key } from '../../src/data/keys.js';

type BatchGetInput = { RequestItems: Record<string, { Keys: Key[]; ConsistentRead?: boolean }> };

interface Request {
  keys: Key[];
  consistent: boolean;
  /** Answers the request with each key's item at `version` (or fails it). */
  answer(version: number | Error): void;
}

/** A Db with only batchGet, whose requests the test answers one by one; `sent(n)` resolves when the n-th request is on the wire. */
function heldDb() {
  const requests: Request[] = [];
  const arrivals: (() => void)[] = [];
  const db = {
    tableName: 't',
    batchGet(input: BatchGetInput) {
      const asked = input.RequestItems.t!;
      return new Promise((resolve, reject) => {
        requests.push({
          keys: asked.Keys,
          consistent: asked.ConsistentRead === true,
          answer: (v) => (v instanceof Error ? reject(v) : resolve({ Responses: { t: asked.Keys.map((k) => ({ ...k, version: v })) } })),
        });
        arrivals.splice(0).forEach((wake) => wake());
      });
    },
  };
  const sent = async (n: number): Promise<Request> => {
    while (requests.length < n) await new Promise<void>((wake) => arrivals.push(wake));
    return requests[n - 1]!;
  };
  return { db: db as unknown as Db, requests, sent };
}

const game = keys.game('g1');
const version = (r: Item | null | Error) => (r instanceof Error || r === null ? r : r.version);

describe('shared setup reads', () => {
  it('does not join a read sent before the subscribe arrived: it waits for a read of its own', async () => {
    const { db, requests, sent } = heldDb();
    const shared = new SharedReads();
    const early = shared.read(db, [game], markArrival());
    const first = await sent(1);
    // This subscribe arrives while the first read is on the wire: a write committed just before
    // it may be missing from that read's answer.
    const late = shared.read(db, [game], markArrival());
    first.answer(1);
    expect((await early).map(version)).toEqual([1]);
    const second = await sent(2);
    second.answer(2);
    expect((await late).map(version)).toEqual([2]);
    expect(requests.map((r) => r.consistent)).toEqual([true, true]);
  });

  it('joins a read sent after the subscribe arrived, and one queued and not yet sent', async () => {
    const { db, requests, sent } = heldDb();
    const shared = new SharedReads();
    const arrivedEarly = markArrival();
    const queued = [shared.read(db, [game], markArrival()), shared.read(db, [game], markArrival())];
    const first = await sent(1);
    const joined = shared.read(db, [game], arrivedEarly); // arrived before `first` was sent, asks only now
    first.answer(7);
    expect((await Promise.all([...queued, joined])).map((r) => r.map(version))).toEqual([[7], [7], [7]]);
    expect(requests.map((r) => r.keys)).toEqual([[game]]);
  });

  it('reads a hot key once at a time: every subscribe arriving during a read shares the next one', async () => {
    const { db, requests, sent } = heldDb();
    const shared = new SharedReads();
    const crowd = [shared.read(db, [game], markArrival())];
    const first = await sent(1);
    for (let i = 0; i < 200; i++) crowd.push(shared.read(db, [game], markArrival()));
    first.answer(1);
    (await sent(2)).answer(2);
    const answers = (await Promise.all(crowd)).map((r) => version(r[0]!));
    expect(answers).toEqual([1, ...Array<number>(200).fill(2)]);
    expect(requests).toHaveLength(2);
  });

  it('keeps at most `concurrency` reads on the wire, gathering the keys asked meanwhile into the next', async () => {
    const { db, requests, sent } = heldDb();
    const shared = new SharedReads({ concurrency: 2 });
    const a = shared.read(db, [keys.user('a')], markArrival());
    const first = await sent(1);
    const b = shared.read(db, [keys.user('b')], markArrival());
    await sent(2);
    const c = [shared.read(db, [keys.user('c')], markArrival()), shared.read(db, [keys.user('d')], markArrival())];
    // Two reads are on the wire: c and d wait, together, for one of them to end.
    first.answer(1);
    const third = await sent(3);
    expect(third.keys).toEqual([keys.user('c'), keys.user('d')]);
    third.answer(3);
    requests[1]!.answer(2);
    expect([await a, await b, ...(await Promise.all(c))].map((r) => r.map(version))).toEqual([[1], [2], [3], [3]]);
    expect(requests).toHaveLength(3);
  });

  it('gives every subscriber sharing a failed read the error, and the item loader rejects with it', async () => {
    const { db, sent } = heldDb();
    const shared = new SharedReads();
    const arrival = markArrival();
    const loaders = [createLoaders(db, { shared, arrival }), createLoaders(db, { shared, arrival })];
    const loads = loaders.map((l) => l.item.load(game));
    (await sent(1)).answer(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    for (const load of loads) await expect(load).rejects.toThrow('slow down');
  });
});
