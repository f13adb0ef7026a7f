// Snapshot, then stream, for a subscription whose item was just written: the delivery function
// fans an event out to the subscribers it finds, so an event it handled between the subscribe's
// arrival and the item's write would be missed. The replay window has every such event (each is
// kept before its fan-out), and a resumed subscription's missed events too. Anything the window
// no longer holds, and a race this cannot order, becomes RESYNC: never a silent gap. Until the
// catch-up records that it is over (`caught_up`), the delivery function claims its posts to this
// subscriber one by one, as the catch-up does, so the two never post one event twice.
import type { SubscriptionRecord } from '../data/connections/connections.js';
import { markCaughtUp, replayFrom, replaySince, type ReplayEntry } from '../data/connections/replay.js';
import { keys } from '../data/keys.js';
import type { LiveEvent } from '../live/events.js';
import { eventMessage } from './execute.js';
import { postEvent, type PostDeps } from './post.js';
import { FROM_NOW } from './subscribe.js';

export interface CatchUpWindow {
  /** When the subscribe message arrived (ms): a fresh subscription gets what was handled from then on. */
  arrivedAt: number;
  /** When its item was written (ms): later events are the delivery function's. */
  addedAt: number;
}

export async function catchUp(deps: PostDeps, s: SubscriptionRecord, w: CatchUpWindow): Promise<void> {
  if ((await postMissed(deps, s, w)) === 'ended') return;
  // Events kept from now on are posted by the delivery function alone.
  await markCaughtUp(deps.db, keys.ws.topicSubscriber(s.topic, s.connectionId, s.subscriptionId), deps.now().getTime());
}

async function postMissed(deps: PostDeps, s: SubscriptionRecord, w: CatchUpWindow): Promise<'ended' | void> {
  let entries: ReplayEntry[];
  if (s.lastPosition !== null) {
    const kept = await replayFrom(deps.db, s.topic, s.lastPosition, deps.now());
    // The cursor's own event must still be kept: then everything after it is too (kept later, expiring later).
    if (kept[0]?.position !== s.lastPosition) return resync(deps, s);
    entries = kept.slice(1);
  } else {
    entries = await replaySince(deps.db, s.topic, w.arrivedAt, deps.now());
  }
  let current = s;
  for (const e of entries) {
    if (e.writtenAt > w.addedAt) break; // its fan-out found the item: the delivery function posts it
    const d = { position: e.sequence, index: e.index, event: JSON.parse(e.event) as LiveEvent, entry: null };
    const result = await postEvent(deps, current, d, e.position, { claim: true });
    if (result === 'ended') return 'ended';
    // Posted by the delivery function meanwhile, possibly after a later event: the order is lost.
    if (result === 'skipped') return resync(deps, s);
    current = { ...current, lastPosition: e.position };
  }
}

async function resync(deps: PostDeps, s: SubscriptionRecord): Promise<void> {
  const d = { position: FROM_NOW, index: Number.MAX_SAFE_INTEGER, event: { kind: 'RESYNC' as const }, entry: null };
  await deps.connections.post(s.callbackUrl, s.connectionId, await eventMessage(deps, s, d));
}
