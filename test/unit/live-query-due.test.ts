// When live-query runs start (src/live/query/due.ts): runs due at about the same moment start in one
// timer callback (so they share a read wave), never before their moment, at most the slack after.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDue } from '../../src/live/query/due.js';

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] }));
afterEach(() => vi.useRealTimers());

/** Each run notes the moment it started and which timer callback started it. */
function runs() {
  const started: { name: string; at: number; callback: number }[] = [];
  let callback = 0;
  let inCallback = false;
  const run = (name: string) => () => {
    if (!inCallback) {
      inCallback = true;
      callback++;
      queueMicrotask(() => (inCallback = false));
    }
    started.push({ name, at: performance.now(), callback });
  };
  return { started, run };
}

describe('due runs', () => {
  it('start every run due now in one callback', async () => {
    const due = createDue(10);
    const { started, run } = runs();
    for (const n of ['a', 'b', 'c']) due.defer(0, run(n));
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(started.map((s) => [s.name, s.callback])).toEqual([
      ['a', 1],
      ['b', 1],
      ['c', 1],
    ]);
  });

  it('start throttled runs due a few ms apart together, never before their moment, at most the slack after', async () => {
    const due = createDue(10);
    const { started, run } = runs();
    due.defer(100, run('a')); // may run at 100
    await vi.advanceTimersByTimeAsync(3);
    due.defer(100, run('b')); // may run at 103: joins a's batch at 110
    await vi.advanceTimersByTimeAsync(12);
    due.defer(100, run('c')); // may run at 115: a batch of its own, at 125
    expect(vi.getTimerCount()).toBe(2);
    await vi.advanceTimersByTimeAsync(200);
    expect(started.map((s) => [s.name, s.at])).toEqual([
      ['a', 110],
      ['b', 110],
      ['c', 125],
    ]);
    expect(started[0]!.callback).toBe(started[1]!.callback);
    expect(started[2]!.callback).not.toBe(started[0]!.callback);
  });

  it('cancel one run and leave the rest of its batch; cancelling the last clears its timer', async () => {
    const due = createDue(10);
    const { started, run } = runs();
    const cancelA = due.defer(50, run('a'));
    const cancelB = due.defer(50, run('b'));
    cancelA();
    expect(vi.getTimerCount()).toBe(1);
    cancelB();
    expect(vi.getTimerCount()).toBe(0);
    due.defer(50, run('c'));
    const cancelD = due.defer(0, run('d'));
    cancelD();
    await vi.advanceTimersByTimeAsync(100);
    expect(started.map((s) => s.name)).toEqual(['c']);
    due.clear();
  });
});
