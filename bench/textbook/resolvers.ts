// The textbook resolver set: the same schema served the way Apollo's docs and the DataLoader
// README teach it, by a competent team. One DataLoader per entity type (users, games) batches every
// by-key read of a tick into one BatchGetItem and caches it for the request; each list field is its
// own Query. What it does not do is what ours adds: no read-ahead (a profile and its first page are
// two calls, not one Query), no priming of loaders from list items, no look-ahead at the selection.
// Calls go through the project's Db, so they are metered into extensions.dynamodb like ours.
import DataLoader from 'dataloader';
import { batchGetKeys, type Item } from '../../src/data/dynamo/batch.js';
import type { CostMeter } from '../../src/data/dynamo/cost.js';
import type { Db } from '../../src/data/dynamo/db.js';
import { keys } from '../../src/data/keys.js';
import { INVERTED_INDEX, OPEN_GAMES_INDEX } from '../../src/data/table.js';

export interface TextbookContext {
  db: Db;
  meter: CostMeter;
  loaders: { user: DataLoader<string, Item | null>; game: DataLoader<string, Item | null> };
}

/** Per request, as the tutorials have it: a fresh loader per entity type in the context function. */
export function createTextbookContext(db: Db, meter: CostMeter): TextbookContext {
  const loader = (key: (id: string) => { PK: string; SK: string }) =>
    new DataLoader<string, Item | null>((ids) => batchGetKeys(db, ids.map(key)), { maxBatchSize: 100 });
  return { db, meter, loaders: { user: loader(keys.user), game: loader(keys.game) } };
}

interface PageArgs {
  first?: number | null;
  after?: string | null;
}

type Resolver = (parent: Item, args: Record<string, any>, ctx: TextbookContext) => unknown;

// The tutorials' cursor: the LastEvaluatedKey, base64-encoded.
const encodeToken = (key: Record<string, unknown> | undefined) => (key ? Buffer.from(JSON.stringify(key)).toString('base64url') : null);
const decodeToken = (token: string | null | undefined) =>
  token ? (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>) : undefined;

async function queryConnection(ctx: TextbookContext, input: Record<string, unknown>, args: PageArgs, node: (item: Item) => unknown) {
  const out = await ctx.db.query({
    TableName: ctx.db.tableName,
    ...input,
    Limit: args.first ?? 20,
    ...(args.after ? { ExclusiveStartKey: decodeToken(args.after) } : {}),
  } as never);
  const token = encodeToken(out.LastEvaluatedKey);
  return {
    edges: (out.Items ?? []).map((item) => ({ cursor: token ?? '', node: node(item as Item) })),
    pageInfo: { hasNextPage: Boolean(out.LastEvaluatedKey), hasPreviousPage: Boolean(args.after), startCursor: null, endCursor: token },
  };
}

const User: Record<string, Resolver> = {
  followerCount: (u) => u.followers ?? 0,
  followingCount: (u) => u.following ?? 0,
  interests: (u) => u.interests ?? [],
  followers: (u, args, ctx) =>
    queryConnection(
      ctx,
      {
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)',
        ExpressionAttributeValues: { ':pk': u.PK, ':p': keys.followerSkPrefix },
      },
      args,
      (f) => ctx.loaders.user.load(keys.parseFollower(String(f.SK))),
    ),
  following: (u, args, ctx) =>
    queryConnection(
      ctx,
      {
        IndexName: INVERTED_INDEX,
        KeyConditionExpression: 'SK = :sk',
        ExpressionAttributeValues: { ':sk': keys.followingIndexPk(String(u.username)) },
      },
      args,
      (f) => ctx.loaders.user.load(keys.parseUsername(String(f.PK))),
    ),
  photos: (u, args, ctx) =>
    queryConnection(
      ctx,
      {
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)',
        ExpressionAttributeValues: { ':pk': u.PK, ':p': keys.photoSkPrefix(String(u.username)) },
        ScanIndexForward: false,
      },
      args,
      (p) => p,
    ),
};

const Photo: Record<string, Resolver> = {
  id: (p) => `${p.username}/${p.timestamp}`,
  owner: (p, _, ctx) => ctx.loaders.user.load(String(p.username)),
  reactionCounts: (p) => {
    const r = (p.reactions ?? {}) as Record<string, number>;
    return { heart: r.heart ?? 0, smiley: r.smiley ?? 0, thumbsUp: r['+1'] ?? 0, sunglasses: r.sunglasses ?? 0 };
  },
};

const openGames: Resolver = (_, { map, ...page }, ctx) =>
  queryConnection(
    ctx,
    {
      IndexName: OPEN_GAMES_INDEX,
      KeyConditionExpression: '#map = :map',
      ExpressionAttributeNames: { '#map': 'map' },
      ExpressionAttributeValues: { ':map': map },
    },
    page,
    (g) => g,
  );

const Game: Record<string, Resolver> = {
  id: (g) => g.game_id,
  creator: (g, _, ctx) => ctx.loaders.user.load(String(g.creator)),
  createdAt: (g) => g.create_time,
  playerCount: (g) => g.people,
  capacity: () => 50,
  players: (g, args, ctx) =>
    queryConnection(
      ctx,
      { KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)', ExpressionAttributeValues: { ':pk': g.PK, ':p': keys.playerSkPrefix } },
      args,
      (p) => p,
    ),
};

const GameParticipation: Record<string, Resolver> = {
  game: (p, _, ctx) => ctx.loaders.game.load(String(p.game_id)),
  user: (p, _, ctx) => ctx.loaders.user.load(String(p.username)),
  place: (p) => (typeof p.place === 'string' ? p.place.toUpperCase() : null),
  joinedAt: (p) => p.joined_at ?? null,
};

export const textbookResolvers = {
  Query: {
    ping: () => 'ok',
    user: ((_, { username }, ctx) => ctx.loaders.user.load(username)) as Resolver,
    game: ((_, { id }, ctx) => ctx.loaders.game.load(id)) as Resolver,
    openGames,
  },
  Mutation: { ping: () => 'ok' },
  User,
  Photo,
  Game,
  GameParticipation,
};
