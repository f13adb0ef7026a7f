import { describe, expect, it } from 'vitest';
import {
  BATCH_GET_LIMIT,
  UnprocessedKeyError,
  backoffDelay,
  batchGetKeys,
  type Item,
  type RetryPolicy,
} from '../../src/data/dynamo/batch.js';
import type { Db } from '../../src/data/dynamo/db.js';
import { keys, type Key } from '../../src/data/keys.js';
import { createLoaders } from '../../src/data/dynamo/loaders.js';

type BatchGetInput = { RequestItems: Record<string, { Keys: Key[] }> };

/** A stub with only what batchGetKeys uses; `answer` decides each response from the keys asked. */
function stubDb(answer: (keys: Key[], call: number) => { found: Key[]; unprocessed: Key[] } | Error) {
  const requests: Key[][] = [];
  const db = {
    tableName: 't',
    async batchGet(input: BatchGetInput) {
      const asked = input.RequestItems.t!.Keys;
      requests.push(asked);
      const a = answer(asked, requests.length);
      if (a instanceof Error) throw a;
      return {
        Responses: { t: a.found.map((k) => ({ ...k, value: k.PK })) },
        UnprocessedKeys: a.unprocessed.length ? { t: { Keys: a.unprocessed } } : {},
      };
    },
  };
  return { db: db as unknown as Db, requests };
}

const noWait: RetryPolicy = { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 100, sleep: async () => {}, random: () => 0.5 };
const userKeys = (n: number, prefix = 'user') => Array.from({ length: n }, (_, i) => keys.user(`${prefix}${i}`));

describe('batchGetKeys', () => {
  it('asks for each distinct key once, at most 100 per request', async () => {
    const ks = userKeys(250);
    const { db, requests } = stubDb((asked) => ({ found: asked, unprocessed: [] }));
    const out = await batchGetKeys(db, [...ks, ...ks.slice(0, 50)], noWait);
    expect(requests.map((r) => r.length)).toEqual([100, 100, 50]);
    expect(out).toHaveLength(300);
    expect((out[299] as Item).PK).toBe(ks[49]!.PK);
  });

  it('returns results in key order with null for a missing item', async () => {
    const ks = userKeys(3);
    const { db } = stubDb((asked) => ({ found: [...asked].reverse().filter((k) => k.PK !== ks[1]!.PK), unprocessed: [] }));
    const out = await batchGetKeys(db, ks, noWait);
    expect(out.map((o) => (o === null ? null : (o as Item).PK))).toEqual([ks[0]!.PK, null, ks[2]!.PK]);
  });

  it('retries UnprocessedKeys and merges results across attempts', async () => {
    const ks = userKeys(5);
    const { db, requests } = stubDb((asked, call) =>
      call === 1
        ? { found: asked.slice(0, 2), unprocessed: asked.slice(2) }
        : call === 2
          ? { found: asked.slice(0, 1), unprocessed: asked.slice(1) }
          : { found: asked, unprocessed: [] },
    );
    const out = await batchGetKeys(db, ks, noWait);
    expect(requests.map((r) => r.length)).toEqual([5, 3, 2]);
    expect(out.every((o) => o !== null && !(o instanceof Error))).toBe(true);
  });

  it('gives an error for a key still unprocessed after the bound, and only for that key', async () => {
    const ks = userKeys(3);
    const { db, requests } = stubDb((asked) => ({
      found: asked.filter((k) => k.PK !== ks[2]!.PK),
      unprocessed: asked.filter((k) => k.PK === ks[2]!.PK),
    }));
    const out = await batchGetKeys(db, ks, noWait);
    expect(requests).toHaveLength(noWait.maxAttempts);
    expect(out[0]).toMatchObject({ PK: ks[0]!.PK });
    expect(out[1]).toMatchObject({ PK: ks[1]!.PK });
    expect(out[2]).toBeInstanceOf(UnprocessedKeyError);
  });

  it('waits a jittered, growing, capped delay between attempts', async () => {
    const delays: number[] = [];
    const policy: RetryPolicy = { ...noWait, maxAttempts: 6, sleep: async (ms) => void delays.push(ms), random: () => 0.999 };
    const k = keys.user('slow');
    const { db } = stubDb(() => ({ found: [], unprocessed: [k] }));
    await batchGetKeys(db, [k], policy);
    expect(delays).toEqual([19, 39, 79, 99, 99]);
    expect(backoffDelay(3, { ...policy, random: () => 0 })).toBe(0);
  });

  it('fails the whole batch when DynamoDB itself fails (the loader turns that into per-key errors)', async () => {
    const throttled = Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' });
    const { db } = stubDb(() => throttled);
    await expect(batchGetKeys(db, userKeys(2), noWait)).rejects.toThrow('slow down');
  });
});

describe('the item loader', () => {
  it('batches every by-key read of one tick into one request, deduplicated', async () => {
    const { db, requests } = stubDb((asked) => ({ found: asked, unprocessed: [] }));
    const loaders = createLoaders(db);
    const [a, b] = [keys.user('ana'), keys.game('g1')];
    await Promise.all([loaders.item.load(a), loaders.item.load(b), loaders.item.load({ ...a })]);
    expect(requests).toEqual([[a, b]]);
  });

  it('splits more than 100 keys of one tick into requests of 100', async () => {
    const { db, requests } = stubDb((asked) => ({ found: asked, unprocessed: [] }));
    const loaders = createLoaders(db);
    await loaders.item.loadMany(userKeys(BATCH_GET_LIMIT * 2 + 50));
    expect(requests.map((r) => r.length)).toEqual([100, 100, 50]);
  });

  it('is per request: a new set of loaders reads again', async () => {
    const { db, requests } = stubDb((asked) => ({ found: asked, unprocessed: [] }));
    await createLoaders(db).item.load(keys.user('ana'));
    await createLoaders(db).item.load(keys.user('ana'));
    expect(requests).toHaveLength(2);
  });
});
