// One subscription's queue of events: the hub pushes, graphql-ws pulls as fast as the client's
// socket takes them. The queue is bounded: a reader that falls `limit` events behind loses the
// queue and gets one RESYNC instead, so a slow or vanished client costs bounded memory.
import type { BusEntry } from './bus.js';
import type { LiveEvent } from './events.js';

export interface Delivery {
  position: string;
  /** The event's index within its bus entry: one record may make several events. */
  index: number;
  event: LiveEvent | { kind: 'RESYNC' };
  /** The entry the event came from (null for RESYNC): per-entry state shared by every subscriber. */
  entry: BusEntry | null;
}

const RESYNC = { kind: 'RESYNC' } as const;

export class Feed implements AsyncIterableIterator<Delivery> {
  private queue: Delivery[] = [];
  private held: Delivery[] | null = null;
  private waiting: ((r: IteratorResult<Delivery>) => void) | null = null;
  private done = false;

  constructor(
    private readonly limit: number,
    private readonly onClose: () => void,
    private readonly onOverflow: () => void = () => undefined,
  ) {}

  /** Holds live events until release(): the hub listens before it replays. */
  hold(): void {
    this.held = [];
  }

  /** Delivers the replayed events, then the held live ones that come after them; or a RESYNC first when replay was impossible. */
  release(replayed: Delivery[], from: string, isAfter: (a: string, b: string) => boolean, resync: boolean): void {
    const held = this.held ?? [];
    this.held = null;
    if (resync) this.push({ position: from, index: Number.MAX_SAFE_INTEGER, event: RESYNC, entry: null });
    for (const d of replayed) this.push(d);
    const last = replayed.at(-1)?.position ?? from;
    for (const d of held) if (isAfter(d.position, last)) this.push(d);
  }

  push(d: Delivery): void {
    if (this.done) return;
    if (this.held) {
      this.held.push(d);
      return;
    }
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w({ value: d, done: false });
      return;
    }
    if (this.queue.length >= this.limit) {
      this.onOverflow();
      this.queue = [{ position: d.position, index: d.index, event: RESYNC, entry: null }];
      return;
    }
    this.queue.push(d);
  }

  /** Everything queued is dropped for one RESYNC at `position` (the bus lost entries). */
  resync(position: string): void {
    this.queue = [];
    if (this.held) this.held = [];
    this.push({ position, index: Number.MAX_SAFE_INTEGER, event: RESYNC, entry: null });
  }

  next(): Promise<IteratorResult<Delivery>> {
    const d = this.queue.shift();
    if (d) return Promise.resolve({ value: d, done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<Delivery>> {
    if (!this.done) {
      this.done = true;
      this.queue = [];
      this.held = null;
      this.onClose();
      this.waiting?.({ value: undefined, done: true });
      this.waiting = null;
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(err: unknown): Promise<IteratorResult<Delivery>> {
    void this.return();
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}
