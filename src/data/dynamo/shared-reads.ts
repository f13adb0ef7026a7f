// Setup reads shared across connections. A subscription (later a live query) reads its snapshot
// once, when it is set up: a crowd opening one lobby together would read one game item once per
// person, hundreds of concurrent calls for one key, until calls time out and the crowd is
// refused. Here a setup read joins an identical read already in flight from another connection,
// or one queued and not yet sent, so a crowd costs a few reads per key, not one per person.
// Requests keep their own per-request loaders (loaders.ts): only the setup path comes here. Each
// read goes through the one metered door on the Db of the subscribe that asked first, so it is
// counted once, on that request; a subscribe that joins is charged nothing, as it cost nothing.
import { BATCH_GET_LIMIT, batchGetKeys, DEFAULT_RETRY, type Item, type RetryPolicy } from './batch.js';
import type { Db } from './db.js';
import { keyId, type Key } from '../keys.js';

/** A moment on the shared reads' clock: when a subscribe arrived, or when a read was sent. */
export type Arrival = number;

// One clock for the process: it ticks once per read sent, so "sent after this subscribe
// arrived" is a comparison of two integers, with no ties and no wall-clock skew.
let clock = 0;

/** The moment a subscribe arrived; take it before any await, as the hub's "now" is taken. */
export function markArrival(): Arrival {
  return clock;
}

/**
 * At most this many setup BatchGetItems in flight per server. Each carries up to 100 keys, so a
 * crowd of distinct keys still moves 400 keys at a time, while a burst never stacks hundreds of
 * calls on the SDK's sockets and DynamoDB's partition (the calls that time out and run out of
 * retries under a crowd); a read waiting here gathers the keys asked for meanwhile.
 */
export const SETUP_READ_CONCURRENCY = 4;

type Result = Item | null | Error;

interface Pending {
  key: Key;
  /** The Db of the subscribe that asked first: the call is metered once, on its request. */
  db: Db;
  waiters: ((r: Result) => void)[];
}

class Batch {
  /** The clock's value when the batch was sent; 0 while it is queued. */
  sent = 0;
  readonly entries = new Map<string, Pending>();
  constructor(readonly db: Db) {}
}

export interface SharedReadsOptions {
  concurrency?: number;
  policy?: RetryPolicy;
}

/** One per server (one client and table): consistent by-key setup reads, shared and bounded. */
export class SharedReads {
  private readonly concurrency: number;
  private readonly policy: RetryPolicy;
  private readonly queue: Batch[] = [];
  /** Each key's read on the wire (at most one per key: a hot key is read once at a time). */
  private readonly inFlight = new Map<string, Batch>();
  /** Each key's next read, not yet sent: queued in a batch, or waiting for the key's read in flight to end. */
  private readonly next = new Map<string, Pending>();
  private running = 0;
  private scheduled = false;

  constructor(opts: SharedReadsOptions = {}) {
    this.concurrency = opts.concurrency ?? SETUP_READ_CONCURRENCY;
    this.policy = opts.policy ?? DEFAULT_RETRY;
  }

  /** Reads keys for a subscribe that arrived at `arrival`: each result is the item, null when absent, or an Error for that key. */
  read(db: Db, keys: readonly Key[], arrival: Arrival): Promise<Result[]> {
    return Promise.all(keys.map((k) => this.readOne(db, k, arrival)));
  }

  private readOne(db: Db, key: Key, arrival: Arrival): Promise<Result> {
    const id = keyId(key);
    const flying = this.inFlight.get(id);
    // The join rule: share a read only if it was sent after the subscribe arrived, so its consistent answer includes every write committed before.
    if (flying && flying.sent > arrival) return waitFor(flying.entries.get(id)!);
    let pending = this.next.get(id);
    if (!pending) {
      pending = { key: { PK: key.PK, SK: key.SK }, db, waiters: [] };
      this.next.set(id, pending);
      if (!flying) this.enqueue(id, pending);
    }
    return waitFor(pending);
  }

  private enqueue(id: string, pending: Pending): void {
    let batch = this.queue.at(-1);
    if (!batch || batch.entries.size >= BATCH_GET_LIMIT) this.queue.push((batch = new Batch(pending.db)));
    batch.entries.set(id, pending);
    this.schedule();
  }

  // Sent on the next turn of the event loop, so subscribes arriving in one burst share one read.
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.concurrency && this.queue.length) void this.send(this.queue.shift()!);
  }

  private async send(batch: Batch): Promise<void> {
    this.running++;
    batch.sent = ++clock;
    for (const id of batch.entries.keys()) {
      this.next.delete(id);
      this.inFlight.set(id, batch);
    }
    const [ids, entries] = [[...batch.entries.keys()], [...batch.entries.values()]];
    let results: Result[];
    try {
      results = await batchGetKeys(
        batch.db,
        entries.map((e) => e.key),
        this.policy,
        { consistent: true },
      );
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      results = entries.map(() => error);
    }
    this.running--;
    ids.forEach((id, i) => {
      this.inFlight.delete(id);
      for (const settle of entries[i]!.waiters) settle(results[i]!);
      // Subscribes that arrived while this read was on the wire get the key's next read.
      const waiting = this.next.get(id);
      if (waiting) this.enqueue(id, waiting);
    });
    this.pump();
  }
}

function waitFor(pending: Pending): Promise<Result> {
  return new Promise((resolve) => pending.waiters.push(resolve));
}
