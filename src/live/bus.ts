// The bus carries the stream's records from the one reader to every subscriber, in order, each
// at a position a client can resume after. This is the in-process bus (one server); with
// REDIS_URL the Redis bus (redis-bus.ts) keeps the same contract across instances.
import { randomBytes } from 'node:crypto';
import type { ChangeRecord } from './stream/records.js';

export interface BusEntry {
  /** Opaque, ordered within one bus: the place to resume after. */
  position: string;
  record: ChangeRecord;
}

export interface Bus {
  /** Publishes records in stream order; a record whose id was published recently is dropped. */
  publish(records: readonly ChangeRecord[]): Promise<void>;
  /** Calls onEntry for every entry published from now on, in order; onGap when entries were lost. Returns a stop function. */
  listen(onEntry: (entry: BusEntry) => void, onGap: (reason: string) => void): () => void;
  /** Entries after `position`, oldest first, or null when the bus no longer holds all of them. */
  replay(after: string): Promise<BusEntry[] | null>;
  /** The position of the newest entry: subscribing "from now" means replaying after it. */
  head(): string;
  /** True when position a comes after position b on this bus. */
  isAfter(a: string, b: string): boolean;
  /** Tells listeners that entries were lost (the stream reader's gap), so subscribers resync. */
  gap(reason: string): void;
  close(): Promise<void>;
}

/** One process: a ring of the last `capacity` entries for resume, and an id set for de-duplication. */
export function createMemoryBus(capacity = 10_000): Bus {
  // A new epoch per process: a cursor from before a restart names positions this bus never had.
  const epoch = randomBytes(6).toString('base64url');
  const ring: BusEntry[] = [];
  const seen = new Set<string>();
  const seenOrder: string[] = [];
  const listeners = new Set<{ onEntry: (e: BusEntry) => void; onGap: (r: string) => void }>();
  let seq = 0;
  // Positions before the last gap cannot be resumed from without a silent hole.
  let gapAt = 0;
  const position = (n: number) => `${epoch}.${n}`;
  const seqOf = (p: string): number | null => {
    const dot = p.lastIndexOf('.');
    if (p.slice(0, dot) !== epoch) return null;
    const n = Number(p.slice(dot + 1));
    return Number.isSafeInteger(n) && n >= 0 ? n : null;
  };
  return {
    async publish(records) {
      for (const record of records) {
        if (seen.has(record.id)) continue;
        seen.add(record.id);
        seenOrder.push(record.id);
        if (seenOrder.length > capacity * 2) seen.delete(seenOrder.shift()!);
        const entry = { position: position(++seq), record };
        ring.push(entry);
        if (ring.length > capacity) ring.shift();
        for (const l of listeners) l.onEntry(entry);
      }
    },
    listen(onEntry, onGap) {
      const l = { onEntry, onGap };
      listeners.add(l);
      return () => listeners.delete(l);
    },
    async replay(after) {
      const n = seqOf(after);
      if (n === null || n > seq || n < gapAt) return null;
      const oldest = ring.length ? seqOf(ring[0]!.position)! : seq + 1;
      if (n < oldest - 1) return null;
      return ring.filter((e) => seqOf(e.position)! > n);
    },
    head: () => position(seq),
    isAfter: (a, b) => (seqOf(a) ?? -1) > (seqOf(b) ?? -1),
    gap(reason) {
      // The lost records lie after the current head: skip a position for them, so "now" is past the hole.
      gapAt = ++seq;
      for (const l of listeners) l.onGap(reason);
    },
    async close() {
      listeners.clear();
    },
  };
}
