// One @live query: its runs, what they read, and the results its client has not taken yet.
// Runs are coalesced: at most one in flight and one pending, never two within `throttleMs`, so a
// burst of writes costs a few runs. A result equal to the last one sent is not sent; each one sent
// carries `extensions.live.revision` (1, 2, 3 … with no hole). The client takes results as fast
// as its socket allows; only the newest untaken one is kept, so a slow client costs one result.
import type { ExecutionResult } from 'graphql';
import { ReadSet } from '../../data/dynamo/read-set.js';
import type { ReadWave } from '../../data/dynamo/wave.js';
import { live as metrics } from '../../observe/metrics.js';
import type { ChangeRecord } from '../stream/records.js';
import { deferAlone, type Defer } from './due.js';
import { contradicts } from './index-lag.js';

export type RunReason = 'first' | 'matched' | 'expiry' | 'gap' | 'retry';
type Trigger = Pick<ChangeRecord, 'keys' | 'oldImage' | 'newImage'>;

export interface LiveQueryOptions {
  /** Executes the query as its viewer, with a fresh request context whose Db records into `reads` (and shares reads within `wave`). */
  run(reads: ReadSet, wave?: ReadWave): Promise<ExecutionResult>;
  /** The wave of runs starting now, joined (registry.ts); none: this run reads alone. */
  wave?(): ReadWave;
  /** Starts a run later, with the runs due at about the same moment (due.ts); a timer of its own when absent. */
  defer?: Defer;
  throttleMs: number;
  /** A read set larger than this (ranges and keys) ends the live query with a limit error. */
  maxReads: number;
  /** Attempts for a run that fails with UNAVAILABLE, and runs that contradict their record (index lag). */
  unavailableAttempts?: number;
  lagAttempts?: number;
  /** Base of the exponential backoff between such attempts. */
  backoffMs?: number;
  /** Files this query's read set where records find it, and tells it which records arrived while it ran. */
  file(q: LiveQuery, reads: ReadSet): void;
  beginRun(q: LiveQuery): void;
  endRun(q: LiveQuery): Trigger[];
  /** True when a record falls in a read set (for the records held during a run). */
  concerns(record: Trigger, reads: ReadSet): boolean;
  /** Called once when the query ends, whoever ends it. */
  onClose(q: LiveQuery): void;
  /** Builds the error a too-large read set ends the query with. */
  tooLarge(size: number, max: number): Error;
}

const MAX_TRIGGERS = 100;
const RETRY_LATER_MS = 2_000;

export class LiveQuery implements AsyncIterableIterator<ExecutionResult> {
  private revision = 0;
  private lastSent: string | undefined;
  private untaken: ExecutionResult | null = null;
  private waiting: { resolve: (r: IteratorResult<ExecutionResult>) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;
  private done = false;
  private running = false;
  private pending: Set<RunReason> = new Set();
  private triggers: Trigger[] = [];
  /** Cancels the run asked for and not started yet. */
  private timer: (() => void) | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private lastRunAt = -Infinity;

  /** Starts the first run at once: from here on, every record is either seen by a run or held for the next. */
  constructor(private readonly opts: LiveQueryOptions) {
    this.pending.add('first');
    void this.runOnce();
  }

  /** Nothing running and nothing asked for (an expiry timer may still be armed). */
  get idle(): boolean {
    return !this.running && this.timer === undefined && this.pending.size === 0;
  }

  /** Asks for a run for `reason`; `record` (a matched one) is what the run must not contradict. */
  schedule(reason: RunReason, record?: Trigger): void {
    if (this.done) return;
    this.pending.add(reason);
    if (record) {
      if (this.triggers.length < MAX_TRIGGERS) this.triggers.push(record);
    }
    if (this.running || this.timer) return;
    this.later(Math.max(0, this.lastRunAt + this.opts.throttleMs - performance.now()));
  }

  private later(ms: number): void {
    this.timer = (this.opts.defer ?? deferAlone)(ms, () => {
      this.timer = undefined;
      void this.runOnce();
    });
  }

  private async runOnce(): Promise<void> {
    if (this.done || this.running) return;
    this.running = true;
    this.lastRunAt = performance.now();
    const reasons = this.pending;
    const triggers = this.triggers;
    this.pending = new Set();
    this.triggers = [];
    this.opts.beginRun(this);
    // Joined as the run takes its triggers: the wave's reads are all sent after this (wave.ts).
    const wave = this.opts.wave?.();
    let reads: ReadSet | undefined;
    let result: ExecutionResult | undefined;
    try {
      ({ reads, result } = await this.attempts(triggers, wave));
    } catch (err) {
      this.opts.endRun(this);
      this.running = false;
      return this.fail(err instanceof Error ? err : new Error(String(err)));
    }
    const held = this.opts.endRun(this);
    this.running = false;
    if (this.done) return;
    if (!result) {
      // Still unavailable after the attempts: the last result stands (nothing is sent); try again later.
      for (const r of reasons) this.pending.add(r);
      this.pending.add('retry');
      this.later(RETRY_LATER_MS);
      return;
    }
    if (reads.size > this.opts.maxReads) return this.fail(this.opts.tooLarge(reads.size, this.opts.maxReads));
    this.opts.file(this, reads);
    for (const record of held) if (this.opts.concerns(record, reads)) this.schedule('matched', record);
    this.armExpiry(reads.earliestExpiry);
    for (const r of reasons) if (r !== 'first') metrics.liveQueryRun(r);
    this.offer(result);
    if (this.pending.size) this.schedule([...this.pending][0]!);
  }

  /** Runs until a result that is neither UNAVAILABLE nor contradicted by its triggers, within the bounds. */
  private async attempts(
    triggers: Trigger[],
    wave: ReadWave | undefined,
  ): Promise<{ reads: ReadSet; result: ExecutionResult | undefined }> {
    const { unavailableAttempts = 4, lagAttempts = 3, backoffMs = 50 } = this.opts;
    let unavailable = 0;
    let lagging = 0;
    for (;;) {
      const reads = new ReadSet(Math.floor(Date.now() / 1000));
      // Only the first attempt shares: a retry (UNAVAILABLE, an index read behind its record) must read afresh.
      const result = await this.opts.run(reads, unavailable + lagging === 0 ? wave : undefined);
      if (this.done) return { reads, result };
      if (isUnavailable(result)) {
        if (++unavailable >= unavailableAttempts) return { reads, result: undefined };
        await delay(backoffMs * 2 ** unavailable);
        continue;
      }
      if (triggers.length && contradicts(triggers, reads) && ++lagging < lagAttempts) {
        await delay(backoffMs * 2 ** lagging);
        continue;
      }
      reads.dropItems();
      return { reads, result };
    }
  }

  private armExpiry(at: number | undefined): void {
    clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    if (at === undefined) return;
    // A moment past the second, so the re-run's clock sees it expired; setTimeout holds at most ~24.8 days.
    const ms = Math.min(at * 1000 - Date.now() + 50, 2 ** 31 - 1);
    this.expiryTimer = setTimeout(() => this.schedule('expiry'), Math.max(0, ms));
  }

  private offer(result: ExecutionResult): void {
    const key = fingerprint(result);
    if (key === this.lastSent) {
      metrics.liveQueryUnchanged();
      return;
    }
    this.lastSent = key;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w.resolve({ value: this.stamp(result), done: false });
    } else this.untaken = result;
  }

  private stamp(result: ExecutionResult): ExecutionResult {
    return { ...result, extensions: { ...result.extensions, live: { revision: ++this.revision } } };
  }

  /** Ends the query with an error: graphql-ws sends it as the protocol's error message. */
  private fail(err: Error): void {
    this.failure = err;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      this.close();
      w.reject(err);
    }
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.untaken) {
      const r = this.untaken;
      this.untaken = null;
      return Promise.resolve({ value: this.stamp(r), done: false });
    }
    if (this.failure && !this.done) {
      this.close();
      return Promise.reject(this.failure);
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  return(): Promise<IteratorResult<ExecutionResult>> {
    this.close();
    this.waiting?.resolve({ value: undefined, done: true });
    this.waiting = null;
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(err: unknown): Promise<IteratorResult<ExecutionResult>> {
    void this.return();
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  private close(): void {
    if (this.done) return;
    this.done = true;
    this.timer?.();
    this.timer = undefined;
    clearTimeout(this.expiryTimer);
    this.untaken = null;
    this.opts.onClose(this);
  }
}

function isUnavailable(result: ExecutionResult): boolean {
  return (result.errors ?? []).some((e) => e.extensions?.code === 'UNAVAILABLE');
}

/** What decides "the same result": data and each error's message, path and code. */
export function fingerprint(result: ExecutionResult): string {
  const errors = result.errors?.map((e) => ({ message: e.message, path: e.path, code: e.extensions?.code }));
  return JSON.stringify([result.data ?? null, errors ?? null]);
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
