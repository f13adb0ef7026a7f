// The textbook resolver set: the same schema served the way Apollo's docs and the DataLoader
// README teach it, by a competent team. One DataLoader per entity type (users, games) batches every
// by-key read of a tick into one BatchGetItem and caches it for the request; each list field is its
// own Query. What it does not do is what ours adds: no read-ahead (a profile and its first page are
// two calls, not one Query), no priming of loaders from list items, no look-ahead at the selection.
import DataLoader from 'dataloader';
import { batchGetKeys, type Item } from '../../src/data/dynamo/batch.js';
import type { CostMeter } from '../../src/data/dynamo/cost.js';
import type { Db } from '../../src/data/dynamo/db.js';
import { keys } from '../../src/data/keys.js';
import { peerResolvers, type PeerContext } from '../peer-resolvers.js';

export interface TextbookContext extends PeerContext {
  loaders: { user: DataLoader<string, Item | null>; game: DataLoader<string, Item | null> };
}

/** Per request, as the tutorials have it: a fresh loader per entity type in the context function. */
export function createTextbookContext(db: Db, meter: CostMeter): TextbookContext {
  const loader = (key: (id: string) => { PK: string; SK: string }) =>
    new DataLoader<string, Item | null>((ids) => batchGetKeys(db, ids.map(key)), { maxBatchSize: 100 });
  return { db, meter, loaders: { user: loader(keys.user), game: loader(keys.game) } };
}

export const textbookResolvers = peerResolvers<TextbookContext>({
  user: (ctx, username) => ctx.loaders.user.load(username),
  game: (ctx, id) => ctx.loaders.game.load(id),
});
