// The in-process bus and a subscription's bounded queue: resume, de-duplication, gaps, slow readers.
import { describe, expect, it } from 'vitest';
import { createMemoryBus, type BusEntry } from '../../src/live/bus.js';
import { Feed, type Delivery } from '../../src/live/feed.js';
import type { ChangeRecord } from '../../src/live/stream/records.js';

const record = (id: string): ChangeRecord => ({
  id,
  shardId: 's',
  sequenceNumber: id,
  kind: 'INSERT',
  keys: { PK: 'X', SK: id },
  byTtl: false,
  approximateTime: 0,
});
const ids = (entries: BusEntry[] | null) => entries?.map((e) => e.record.id) ?? null;

describe('memory bus', () => {
  it('replays what came after a position, drops a record published twice, and orders positions', async () => {
    const bus = createMemoryBus(10);
    const start = bus.head();
    await bus.publish([record('a'), record('b')]);
    await bus.publish([record('b'), record('c')]);
    expect(ids(await bus.replay(start))).toEqual(['a', 'b', 'c']);
    const afterA = (await bus.replay(start))![0]!.position;
    expect(ids(await bus.replay(afterA))).toEqual(['b', 'c']);
    expect(bus.isAfter(bus.head(), afterA)).toBe(true);
  });

  it('cannot replay past its window, across a gap, or from another process', async () => {
    const bus = createMemoryBus(2);
    const start = bus.head();
    await bus.publish([record('a'), record('b'), record('c')]);
    expect(await bus.replay(start)).toBeNull();
    const head = bus.head();
    bus.gap('trimmed');
    await bus.publish([record('d')]);
    expect(await bus.replay(head)).toBeNull();
    expect(ids(await bus.replay(bus.head()))).toEqual([]);
    expect(await createMemoryBus().replay(head)).toBeNull();
  });
});

const delivery = (position: string): Delivery => ({ position, index: 0, event: { kind: 'RESYNC' }, entry: null });

describe('feed', () => {
  it('hands events over in order and ends on return()', async () => {
    let closed = 0;
    const feed = new Feed(5, () => closed++);
    feed.push(delivery('p1'));
    feed.push(delivery('p2'));
    expect((await feed.next()).value.position).toBe('p1');
    expect((await feed.next()).value.position).toBe('p2');
    const waiting = feed.next();
    feed.push(delivery('p3'));
    expect((await waiting).value.position).toBe('p3');
    const pending = feed.next();
    await feed.return();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(closed).toBe(1);
    expect(await feed.next()).toEqual({ value: undefined, done: true });
  });

  it('gives a reader that falls behind its limit one RESYNC instead of unbounded memory', async () => {
    const feed = new Feed(3, () => undefined);
    for (let i = 1; i <= 9; i++) feed.push({ position: `p${i}`, index: 0, event: { kind: 'PLAYER_JOINED' } as never, entry: null });
    const first = (await feed.next()).value;
    expect(first.event.kind).toBe('RESYNC');
    const rest = [];
    for (let i = 0; i < 2; i++) rest.push((await feed.next()).value.position);
    expect([first.position, ...rest]).toEqual(['p7', 'p8', 'p9']);
  });

  it('while held, keeps live events and after release delivers only those after the replay', async () => {
    const feed = new Feed(10, () => undefined);
    feed.hold();
    feed.push(delivery('3'));
    feed.push(delivery('4'));
    feed.release([delivery('2'), delivery('3')], '1', (a, b) => Number(a) > Number(b), false);
    const got = [];
    for (let i = 0; i < 3; i++) got.push((await feed.next()).value.position);
    expect(got).toEqual(['2', '3', '4']);
  });
});
