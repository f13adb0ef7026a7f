// The Redis bus against a real redis-server: the same contract as the in-process bus (order,
// de-duplication, replay or null, gaps), across two instances, and through a Redis restart.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEntry } from '../../src/live/bus.js';
import type { ChangeRecord } from '../../src/live/stream/records.js';
import { createRedisBus, type RedisBus } from '../../src/live/redis-bus.js';
import { createLogger } from '../../src/log.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

const logger = createLogger({ silent: true });
const open = (prefix: string, replayRecords = 1_000) =>
  createRedisBus({ url: redis.url, prefix, replayRecords, dedupeSeconds: 600, logger, blockMs: 500 });

function rec(n: number, id = randomUUID()): ChangeRecord {
  return {
    id,
    shardId: 'shard-1',
    sequenceNumber: String(n),
    kind: 'INSERT',
    keys: { PK: `GAME#g${n}`, SK: `USER#u${n}` },
    newImage: { n, tags: new Set(['a', 'b']) },
    byTtl: false,
    approximateTime: 1_700_000_000_000 + n,
  };
}

/** Collects a bus's entries and gaps; waits for a count with a bound. */
function collect(bus: RedisBus) {
  const entries: BusEntry[] = [];
  const gaps: string[] = [];
  const waiters: (() => void)[] = [];
  const stop = bus.listen(
    (e) => (entries.push(e), waiters.splice(0).forEach((w) => w())),
    (r) => (gaps.push(r), waiters.splice(0).forEach((w) => w())),
  );
  const until = async (ok: () => boolean, what: string, ms = 10_000) => {
    const deadline = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}: ${entries.length} entries, gaps ${JSON.stringify(gaps)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 200);
        waiters.push(() => (clearTimeout(t), r()));
      });
    }
  };
  return { entries, gaps, stop, until };
}

describe('Redis bus', () => {
  it('delivers every entry to every instance in one order, and drops a record id published twice by two publishers', async () => {
    const prefix = randomUUID();
    const [a, b] = [await open(prefix), await open(prefix)];
    const ca = collect(a);
    const cb = collect(b);
    const records = [1, 2, 3, 4].map((n) => rec(n));
    await a.publish(records.slice(0, 3));
    await b.publish(records.slice(1)); // 2 and 3 again from another publisher (a failover), then 4
    await ca.until(() => ca.entries.length >= 4, '4 entries on a');
    await cb.until(() => cb.entries.length >= 4, '4 entries on b');
    expect(ca.entries.map((e) => e.record.sequenceNumber)).toEqual(['1', '2', '3', '4']);
    expect(cb.entries.map((e) => e.position)).toEqual(ca.entries.map((e) => e.position));
    expect(ca.entries[0]!.record.newImage!.tags).toEqual(new Set(['a', 'b']));
    expect(a.isAfter(ca.entries[1]!.position, ca.entries[0]!.position)).toBe(true);
    expect(a.isAfter(ca.entries[0]!.position, ca.entries[1]!.position)).toBe(false);
    await a.close();
    await b.close();
  });

  it('replays what came after a position on any instance, and gives null for a trimmed, unknown, foreign or gapped position', async () => {
    const prefix = randomUUID();
    const a = await open(prefix, 5);
    const b = await open(prefix, 5);
    const cb = collect(b);
    const from = a.head();
    await a.publish([rec(1), rec(2), rec(3)]);
    await cb.until(() => cb.entries.length === 3, '3 entries');
    const replayed = await b.replay(cb.entries[0]!.position);
    expect(replayed!.map((e) => e.record.sequenceNumber)).toEqual(['2', '3']);
    expect((await b.replay(from))!.length).toBe(3);
    expect(await b.replay('not-a-position')).toBeNull();
    expect(await b.replay(`${b.epoch()}.99999999999999-0`)).toBeNull();
    expect(await b.replay(`other-epoch.0-0`)).toBeNull();
    // MAXLEN ~ 5 trims whole nodes: publish enough that the first entries are surely gone.
    for (let i = 0; i < 30; i++) await a.publish(Array.from({ length: 10 }, (_, j) => rec(100 + i * 10 + j)));
    expect(await b.replay(cb.entries[0]!.position)).toBeNull();
    const recent = b.head();
    a.gap('test gap');
    await cb.until(() => cb.gaps.includes('test gap'), 'the gap on the other instance');
    // A listener that fell behind the 5-entry window is told so, never silently skipped ahead.
    if (cb.entries.length < 303) expect(cb.gaps.length).toBeGreaterThan(1);
    expect(await b.replay(cb.entries.at(-1)!.position)).toBeNull(); // the gap lies after it
    expect(await b.replay(b.head())).toEqual([]); // after the gap marker: whole again
    expect(recent).not.toBe(b.head());
    await a.close();
    await b.close();
  });

  it('survives a Redis restart: publish fails while it is down, every listener gets a gap, old cursors resync, new entries flow', async () => {
    const prefix = randomUUID();
    const a = await open(prefix);
    const b = await open(prefix);
    const cb = collect(b);
    await a.publish([rec(1)]);
    await cb.until(() => cb.entries.length === 1, 'the first entry');
    const oldCursor = cb.entries[0]!.position;
    const oldEpoch = b.epoch();
    await redis.kill();
    await expect(a.publish([rec(2)])).rejects.toThrow();
    expect(await b.replay(oldCursor)).toBeNull();
    await redis.start();
    await cb.until(() => cb.gaps.length >= 1, 'a gap after the restart', 20_000);
    expect(b.epoch()).not.toBe(oldEpoch);
    expect(await b.replay(oldCursor)).toBeNull();
    const r3 = rec(3);
    await a.publish([r3]);
    await cb.until(() => cb.entries.some((e) => e.record.id === r3.id), 'an entry after the restart', 20_000);
    await a.close();
    await b.close();
  });
});
