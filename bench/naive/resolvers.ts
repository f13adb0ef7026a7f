// The naive resolver set: the same schema served the way a typical AppSync/Amplify resolver map
// serves it. Each field is its own DynamoDB request: a list is one Query, and every related item
// in it (a follower's profile, a player's user, a photo's owner) is its own GetItem, with no
// batching and no per-request cache.
import type { Item } from '../../src/data/dynamo/batch.js';
import { keys, type Key } from '../../src/data/keys.js';
import { peerResolvers, type PeerContext } from '../peer-resolvers.js';

export type NaiveContext = PeerContext;

async function getItem(ctx: NaiveContext, key: Key): Promise<Item | null> {
  const out = await ctx.db.get({ TableName: ctx.db.tableName, Key: key });
  return (out.Item as Item | undefined) ?? null;
}

export const naiveResolvers = peerResolvers<NaiveContext>({
  user: (ctx, username) => getItem(ctx, keys.user(username)),
  game: (ctx, id) => getItem(ctx, keys.game(id)),
});
