// The delivery function's share of @live queries: each record of a batch is looked up by where its
// item sat and sits (recordSlots, the container matcher's own function) in the watch items, one
// consistent Query per (table or index, partition) and one per index for whole-index reads, each
// answer kept for the rest of the batch; the hits are refined by the stored sort-key ranges
// (inRange, as the container matcher does). A live query hit by any record of the batch runs once
// at the batch's end (coalescing), with the records that hit it as its index-lag triggers; so does
// one whose result depended on an expiry now past (the expiry watch), at the first batch after it.
import { expiredWatchers, watchers, type WatchHit } from '../data/connections/watchers.js';
import { getLiveQuery } from '../data/connections/watches.js';
import { inRange } from '../data/dynamo/read-set.js';
import { recordSlots } from '../live/query/match.js';
import { refreshLiveQuery, type LiveDeps, type Trigger } from './live-query.js';

/** Triggers kept per live query for the index-lag rule; past it, the run is simply not checked against the rest. */
const MAX_TRIGGERS = 100;

interface Hit {
  connectionId: string;
  subscriptionId: string;
  triggers: Trigger[];
  /** The batch position of the first record that hit it: where Lambda retries from if its run fails. */
  first: number;
}

export interface LiveBatch {
  /** Finds the live queries the record (at `position` in the batch) concerns. */
  note(record: Trigger, position: number): Promise<void>;
  /** Runs this live query with the batch, with no triggering record (a gap: the on-failure handler's unreadable batch). */
  rerun(connectionId: string, subscriptionId: string, position: number): void;
  /** Runs each live query hit once; the earliest batch position whose live queries failed, or null. */
  flush(): Promise<number | null>;
}

export function liveBatch(deps: LiveDeps, concurrency: number): LiveBatch {
  const answers = new Map<string, Promise<WatchHit[]>>();
  const hits = new Map<string, Hit>();
  const watching = (index: string, partition: string | null) => {
    const id = `${index}\u0000${partition ?? ''}`;
    let answer = answers.get(id);
    if (!answer) {
      answer = (async () => {
        const out: WatchHit[] = [];
        for await (const page of watchers(deps.db, index, partition)) out.push(...page);
        return out;
      })();
      answers.set(id, answer);
    }
    return answer;
  };

  return {
    async note(record, position) {
      const slots = recordSlots(record);
      const lookups = [
        ...slots.map(async (s) =>
          (await watching(s.index, s.partition)).filter((w) =>
            w.ranges.some((r) => inRange({ index: s.index, partition: s.partition, ...r }, s.sort)),
          ),
        ),
        ...[...new Set(slots.map((s) => s.index))].map((index) => watching(index, null)),
      ];
      for (const found of await Promise.all(lookups)) {
        for (const w of found) {
          const id = `${w.connectionId}#${w.subscriptionId}`;
          let hit = hits.get(id);
          if (!hit) hits.set(id, (hit = { connectionId: w.connectionId, subscriptionId: w.subscriptionId, triggers: [], first: position }));
          if (hit.triggers.length < MAX_TRIGGERS && !hit.triggers.includes(record)) hit.triggers.push(record);
        }
      }
    },
    rerun(connectionId, subscriptionId, position) {
      const id = `${connectionId}#${subscriptionId}`;
      if (!hits.has(id)) hits.set(id, { connectionId, subscriptionId, triggers: [], first: position });
    },
    async flush() {
      // Expiry without a write: a live query whose result depended on an expiry now past runs with this batch.
      for (const w of await expiredWatchers(deps.db, deps.now())) {
        const id = `${w.connectionId}#${w.subscriptionId}`;
        if (!hits.has(id)) hits.set(id, { ...w, triggers: [], first: 0 });
      }
      let failedAt: number | null = null;
      const queue = [...hits.values()];
      hits.clear();
      const worker = async () => {
        for (let hit = queue.shift(); hit; hit = queue.shift()) {
          try {
            const stored = await getLiveQuery(deps.db, hit.connectionId, hit.subscriptionId);
            if (stored) await refreshLiveQuery(deps, stored, hit.triggers);
          } catch (err) {
            deps.logger.error('live query re-run failed: the batch is retried from its first record', {
              connectionId: hit.connectionId,
              error: String((err as Error)?.stack ?? err),
            });
            failedAt = failedAt === null ? hit.first : Math.min(failedAt, hit.first);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
      return failedAt;
    },
  };
}
