// What every subscription field shares: where its feed starts (a client's cursor or "now"), the
// event cursors it hands out, and fresh loaders for each event.
import { decodeCursor, encodeCursor } from '../data/dynamo/cursor.js';
import { createLoaders } from '../data/dynamo/loaders.js';
import type { Feed, Delivery } from '../live/feed.js';
import type { BusEntry } from '../live/bus.js';
import type { Context } from '../graphql/context.js';

const BINDING = 'live-events';

/** Opens the topic's feed after the client's cursor, or from when the subscribe message arrived. */
export function openFeed(ctx: Context, topic: string, after: string | null | undefined): Promise<Feed> {
  if (!ctx.live) throw new Error('Subscriptions are served over WebSocket only.');
  const from = after ? fromCursor(ctx, after) : { position: ctx.live.start, index: Number.MAX_SAFE_INTEGER };
  return ctx.live.hub.open(topic, from);
}

function fromCursor(ctx: Context, cursor: string): { position: string; index: number } {
  const { p, i } = decodeCursor(ctx.cursorKeys, BINDING, cursor);
  if (typeof p !== 'string' || typeof i !== 'number') throw new Error('unreachable: a signed live cursor has p and i');
  return { position: p, index: i };
}

export const eventCursor = (d: Delivery, _: unknown, ctx: Context) => encodeCursor(ctx.cursorKeys, BINDING, { p: d.position, i: d.index });

// Loaders shared by every subscriber of one entry: a thousand lobby subscribers selecting the
// creator cost one BatchGetItem, not a thousand. Items hold no viewer-specific data; what a
// viewer may see is decided by the resolvers, per subscriber, as for queries.
const entryLoaders = new WeakMap<BusEntry, Context['loaders']>();

/** What a subscription field resolves each event to: the event itself, with the context's loaders made fresh for it. */
export function withEventLoaders(d: Delivery, _: unknown, ctx: Context): Delivery {
  if (d.entry) {
    let loaders = entryLoaders.get(d.entry);
    if (!loaders) entryLoaders.set(d.entry, (loaders = createLoaders(ctx.db)));
    ctx.loaders = loaders;
  } else {
    ctx.loaders = createLoaders(ctx.db);
  }
  return d;
}
