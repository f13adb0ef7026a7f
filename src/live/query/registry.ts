// Every @live query of this process, and the stream's records brought to them. The registry
// listens to the bus (in process, or Redis: each instance matches what it receives against its own
// live queries), finds the queries a record concerns through the read index (match.ts), and holds
// the records that arrive while a query runs, so its next read set sees them (snapshot, then
// stream). A gap in the stream (the RESYNC situations of subscriptions) re-runs every query once.
import type { ExecutionResult } from 'graphql';
import type { ReadSet } from '../../data/dynamo/read-set.js';
import { ReadWave } from '../../data/dynamo/wave.js';
import { AppError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { live as metrics } from '../../observe/metrics.js';
import type { Bus } from '../bus.js';
import type { ChangeRecord } from '../stream/records.js';
import { createDue, SLACK_MS } from './due.js';
import { LiveQuery } from './live-query.js';
import { ReadIndex } from './match.js';

type Trigger = Pick<ChangeRecord, 'keys' | 'oldImage' | 'newImage'>;

export interface LiveQueriesOptions {
  bus: Bus;
  logger: Logger;
  throttleMs: number;
  /** The most ranges and keys one live query may read (each one is memory and matching work). */
  maxReads?: number;
  /** Backoff base for UNAVAILABLE and index-lag retries (tests shorten it). */
  backoffMs?: number;
}

export interface LiveQueries {
  /** Starts a live query whose runs are `run`: its first result comes at once. */
  open(run: (reads: ReadSet, wave?: ReadWave) => Promise<ExecutionResult>): LiveQuery;
  count(): number;
  /** Since start: runs executed (every attempt), and (record, live query) pairs matched. */
  stats(): { runs: number; matched: number };
  /** True when no live query is running or waiting to run. */
  idle(): boolean;
  close(): void;
}

export const DEFAULT_MAX_LIVE_READS = 1_000;

/** The error that ends a live query whose read set is over the bound (both flavours). */
export function readSetTooLarge(size: number, max: number): AppError {
  return new AppError('BAD_USER_INPUT', `This live query read ${size} key ranges; a live query may read at most ${max}. Select less.`, {
    limit: 'maxLiveQueryReads',
  });
}
/** Records held for one running query; past it, the query simply runs again after. */
const MAX_HELD = 1_000;

export function createLiveQueries(opts: LiveQueriesOptions): LiveQueries {
  const index = new ReadIndex<LiveQuery>();
  const all = new Set<LiveQuery>();
  const held = new Map<LiveQuery, Trigger[]>();
  const overflowed = new Set<LiveQuery>();
  const indexes = new WeakMap<ReadSet, ReadIndex<true>>();
  const maxReads = opts.maxReads ?? DEFAULT_MAX_LIVE_READS;
  const stats = { runs: 0, matched: 0 };
  // The wave of runs starting in this turn of the event loop: the re-runs one record (or one
  // batch) made due at the same moment start from timers that fire together, and share reads.
  let wave: ReadWave | undefined;
  // Throttled runs of one burst ran a moment apart, so they are due a moment apart: a tenth of the
  // throttle of slack lets them start together (due.ts), and never sooner than the throttle allows.
  const due = createDue(Math.max(SLACK_MS, opts.throttleMs / 10));
  const joinWave = () => {
    if (!wave?.joinable) {
      const w = (wave = new ReadWave());
      // Dropped once closed: a closed wave takes no run, and holds no answer past its members.
      setImmediate(() => {
        if (wave === w) wave = undefined;
      });
    }
    return wave.join();
  };

  const stop = opts.bus.listen(
    ({ record }) => {
      if (all.size === 0) return;
      const started = performance.now();
      const hit = index.match(record);
      metrics.liveQueryMatch((performance.now() - started) / 1000, hit.size > 0);
      stats.matched += hit.size;
      for (const q of hit) q.schedule('matched', record);
      for (const [q, records] of held) {
        if (records.length < MAX_HELD) records.push(record);
        else overflowed.add(q);
      }
    },
    (reason) => {
      if (all.size) opts.logger.warn('live query records lost: every live query runs again', { reason, liveQueries: all.size });
      for (const q of all) q.schedule('gap');
    },
  );

  return {
    open(run) {
      metrics.liveQueryOpened();
      return new LiveQuery({
        run: (reads, w) => {
          stats.runs++;
          return run(reads, w);
        },
        wave: joinWave,
        defer: due.defer,
        throttleMs: opts.throttleMs,
        maxReads,
        backoffMs: opts.backoffMs,
        beginRun: (me) => {
          all.add(me);
          held.set(me, []);
        },
        endRun: (me) => {
          const records = held.get(me) ?? [];
          held.delete(me);
          if (overflowed.delete(me)) me.schedule('gap');
          return records;
        },
        file: (me, reads) => index.set(me, reads.ranges),
        concerns: (record, reads) => {
          let one = indexes.get(reads);
          if (!one) {
            one = new ReadIndex<true>();
            one.set(true, reads.ranges);
            indexes.set(reads, one);
          }
          return one.match(record).size > 0;
        },
        onClose: (me) => {
          all.delete(me);
          held.delete(me);
          overflowed.delete(me);
          index.delete(me);
          metrics.liveQueryClosed();
        },
        tooLarge: readSetTooLarge,
      });
    },
    count: () => all.size,
    stats: () => ({ ...stats }),
    idle: () => [...all].every((q) => q.idle),
    close() {
      stop();
      for (const q of [...all]) void q.return();
      due.clear();
    },
  };
}
