// One event to every subscriber of its topic: the subscribers are read in pages (one consistent
// Query each, the next read while this one is posted), run through their selections (one
// execution shared where results must be equal: shared-results.ts) and posted a bounded number at
// a time, a chunk of them after another. Each chunk is claimed in the event's fan-out progress
// (data/connections/fan-out.ts) before its posts: a few writes per event, not one per subscriber,
// and a retried record posts nothing twice. A subscriber is claimed one by one only while its
// catch-up may race this (the event was written by its catch-up's cut-off, or that is unknown).
import { topicSubscribers, type SubscriptionRecord } from '../data/connections/connections.js';
import { advanceFanOut, compareSortKeys, startFanOut, type FanOutProgress } from '../data/connections/fan-out.js';
import { keys } from '../data/keys.js';
import type { Delivery } from '../live/feed.js';
import { postEvent, postResync, type PostDeps } from './post.js';
import { SharedResults } from './shared-results.js';

/** Subscribers per claimed chunk: what a failed attempt can leave uncertain (those get RESYNC on its retry). */
export const FAN_OUT_CHUNK = 100;
/** How far apart two Lambda instances' clocks may be (the catch-up's cut-off is the routes function's). */
export const CLOCK_SKEW_MS = 1_000;

export interface KeptEvent {
  topic: string;
  position: string;
  delivery: Delivery;
  /** When the event was first kept in the replay window (ms). */
  writtenAt: number;
}

export async function fanOut(deps: PostDeps & { concurrency: number }, e: KeptEvent): Promise<void> {
  const { db } = deps;
  const shared = new SharedResults();
  const sk = (s: SubscriptionRecord) => keys.ws.topicSubscriber(s.topic, s.connectionId, s.subscriptionId).SK;
  const after = (s: SubscriptionRecord, key: string | null) => key === null || compareSortKeys(sk(s), key) > 0;
  const post = (s: SubscriptionRecord) =>
    postEvent(deps, s, e.delivery, e.position, { shared, claim: s.caughtUpAt === null || e.writtenAt <= s.caughtUpAt + CLOCK_SKEW_MS });
  const progress: {
    /** What a failed attempt left, when this is a retry. */
    earlier: FanOutProgress | null;
    /** The end of the last chunk claimed (this attempt's, or the failed one's). */
    claimed: string | null;
  } = { earlier: null, claimed: null };

  const handlePage = async (page: SubscriptionRecord[]): Promise<void> => {
    let rest = page;
    if (progress.earlier) {
      const { done, claimed: end } = progress.earlier;
      const uncertain = page.filter((s) => after(s, done) && !after(s, end));
      const resync: Delivery = { ...e.delivery, event: { kind: 'RESYNC' }, entry: null };
      await eachLimited(uncertain, deps.concurrency, (s) => postResync(deps, s, resync, `event/${e.position}`));
      rest = page.filter((s) => after(s, end));
    }
    for (let i = 0; i < rest.length; i += FAN_OUT_CHUNK) {
      const chunk = rest.slice(i, i + FAN_OUT_CHUNK);
      const end = sk(chunk.at(-1)!);
      if (progress.claimed === null) {
        progress.earlier = await startFanOut(db, e.topic, e.position, end, deps.now());
        if (progress.earlier) {
          // A retry: this page again, knowing what the failed attempt reached.
          progress.claimed = progress.earlier.claimed;
          return handlePage(page);
        }
      } else await advanceFanOut(db, e.topic, e.position, progress.claimed, end);
      progress.claimed = end;
      await eachLimited(chunk, deps.concurrency, async (s) => void (await post(s)));
    }
  };

  await eachPage(topicSubscribers(db, e.topic), handlePage);
  // Done up to the last claim, unless nothing moved since the failed attempt finished.
  const { claimed, earlier } = progress;
  if (claimed !== null && earlier?.done !== claimed) await advanceFanOut(db, e.topic, e.position, claimed, claimed);
}

/** Runs fn over each page in order, asking for the next page while fn works on the current one. */
export async function eachPage<T>(pages: AsyncIterable<T>, fn: (page: T) => Promise<void>): Promise<void> {
  const it = pages[Symbol.asyncIterator]();
  let next = it.next();
  try {
    for (;;) {
      const current = await next;
      if (current.done) return;
      next = it.next();
      // Settled here if fn fails first, so the read ahead is never an unhandled rejection.
      next.catch(() => undefined);
      await fn(current.value);
    }
  } finally {
    await it.return?.();
  }
}

/** Runs fn over items with at most `limit` in flight; rejects with the first failure once all settled. */
export async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown = null;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== null) throw failure;
}
