// Shard lineage: which shards the reader starts, from where, and in which order.
import { describe, expect, it } from 'vitest';
import { backoffMs, classify } from '../../src/live/stream/errors.js';
import {
  APPROXIMATE_TIME_SLACK_MS,
  latestMarker,
  planShards,
  positionFromCheckpoint,
  type LineageState,
  type ShardInfo,
} from '../../src/live/stream/shards.js';

function state(over: Partial<LineageState> = {}): LineageState {
  return { done: new Set(), started: new Set(), checkpoints: new Map(), fresh: false, ...over };
}

// A: closed root; B: closed child of A; C, D: open children of B (a split).
const tree: ShardInfo[] = [
  { id: 'A', closed: true },
  { id: 'B', parentId: 'A', closed: true },
  { id: 'C', parentId: 'B', closed: false },
  { id: 'D', parentId: 'B', closed: false },
];

describe('planShards', () => {
  it('on a first start skips history and starts only the open shards at LATEST', () => {
    expect(planShards(tree, state({ fresh: true }))).toStrictEqual({
      start: [
        { shardId: 'C', position: { type: 'LATEST' } },
        { shardId: 'D', position: { type: 'LATEST' } },
      ],
      skip: ['A', 'B'],
    });
  });

  it('reads a stream whole from the root, a child only once its parent is done', () => {
    const s = state();
    expect(planShards(tree, s).start).toStrictEqual([{ shardId: 'A', position: { type: 'TRIM_HORIZON' } }]);
    s.started.add('A');
    expect(planShards(tree, s).start).toStrictEqual([]);
    s.done.add('A');
    expect(planShards(tree, s).start.map((x) => x.shardId)).toStrictEqual(['B']);
    s.started.add('B');
    s.done.add('B');
    expect(planShards(tree, s).start).toStrictEqual([
      { shardId: 'C', position: { type: 'TRIM_HORIZON' } },
      { shardId: 'D', position: { type: 'TRIM_HORIZON' } },
    ]);
  });

  it('continues after a checkpoint and treats that shard’s ancestors as drained', () => {
    const plan = planShards(tree, state({ checkpoints: new Map([['B', '000000000000000000007']]) }));
    expect(plan).toStrictEqual({
      start: [{ shardId: 'B', position: { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: '000000000000000000007' } }],
      skip: ['A'],
    });
  });

  it('starts a shard whose parent is no longer described (trimmed after 24 h)', () => {
    const orphan: ShardInfo[] = [{ id: 'E', parentId: 'gone', closed: false }];
    expect(planShards(orphan, state()).start).toStrictEqual([{ shardId: 'E', position: { type: 'TRIM_HORIZON' } }]);
  });

  it('never starts a shard twice', () => {
    const s = state({ fresh: true, started: new Set(['C', 'D']) });
    expect(planShards(tree, s).start).toStrictEqual([]);
  });
});

describe('positionFromCheckpoint', () => {
  it('reads a shard started at LATEST again from its start, dropping what is older than the marker', () => {
    expect(positionFromCheckpoint(latestMarker(1_000_000))).toStrictEqual({
      type: 'TRIM_HORIZON',
      skipBefore: 1_000_000 - APPROXIMATE_TIME_SLACK_MS,
    });
    expect(positionFromCheckpoint('0042')).toStrictEqual({ type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: '0042' });
  });
});

describe('classify and backoffMs', () => {
  it('sorts the streams errors into what the reader does about them', () => {
    expect(classify({ name: 'ExpiredIteratorException' })).toBe('expired');
    expect(classify({ name: 'TrimmedDataAccessException' })).toBe('trimmed');
    expect(classify({ name: 'ResourceNotFoundException' })).toBe('gone');
    expect(classify({ name: 'LimitExceededException' })).toBe('retry');
    expect(classify(new Error('socket hang up'))).toBe('retry');
  });

  it('doubles up to the cap, jittered over the upper half', () => {
    expect([0, 1, 2, 10].map((n) => backoffMs(n, 200, 10_000, () => 1))).toStrictEqual([200, 400, 800, 10_000]);
    expect(backoffMs(3, 200, 10_000, () => 0)).toBe(800);
  });
});
