// The naive resolver set: the same schema served the way a typical AppSync/Amplify resolver map
// serves it. Each field is its own DynamoDB request: a list is one Query, and every related item
// in it (a follower's profile, a player's user, a photo's owner) is its own GetItem, with no
// batching and no per-request cache. The calls go through the project's Db, so they are metered
// into extensions.dynamodb exactly like ours.
import type { Item } from '../../src/data/dynamo/batch.js';
import type { CostMeter } from '../../src/data/dynamo/cost.js';
import type { Db } from '../../src/data/dynamo/db.js';
import { keys } from '../../src/data/keys.js';
import { INVERTED_INDEX, OPEN_GAMES_INDEX } from '../../src/data/table.js';

export interface NaiveContext {
  db: Db;
  meter: CostMeter;
}

interface PageArgs {
  first?: number | null;
  after?: string | null;
}

type Resolver = (parent: Item, args: Record<string, any>, ctx: NaiveContext) => unknown;

// Amplify's nextToken: the LastEvaluatedKey, base64-encoded and unchecked.
const encodeToken = (key: Record<string, unknown> | undefined) => (key ? Buffer.from(JSON.stringify(key)).toString('base64url') : null);
const decodeToken = (token: string | null | undefined) =>
  token ? (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>) : undefined;

async function getItem(ctx: NaiveContext, key: { PK: string; SK: string }): Promise<Item | null> {
  const out = await ctx.db.get({ TableName: ctx.db.tableName, Key: key });
  return (out.Item as Item | undefined) ?? null;
}

async function queryConnection(ctx: NaiveContext, input: Record<string, unknown>, args: PageArgs, node: (item: Item) => unknown) {
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

const user: Resolver = (_, { username }, ctx) => getItem(ctx, keys.user(username));

const User: Record<string, Resolver> = {
  followerCount: (u) => u.followers ?? 0,
  followingCount: (u) => u.following ?? 0,
  interests: (u) => u.interests ?? [],
  // A follow item carries no profile: each follower's profile is its own GetItem.
  followers: (u, args, ctx) =>
    queryConnection(
      ctx,
      {
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)',
        ExpressionAttributeValues: { ':pk': u.PK, ':p': keys.followerSkPrefix },
      },
      args,
      (f) => getItem(ctx, keys.user(keys.parseFollower(String(f.SK)))),
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
      (f) => getItem(ctx, keys.user(keys.parseUsername(String(f.PK)))),
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
  owner: (p, _, ctx) => getItem(ctx, keys.user(String(p.username))),
  reactionCounts: (p) => {
    const r = (p.reactions ?? {}) as Record<string, number>;
    return { heart: r.heart ?? 0, smiley: r.smiley ?? 0, thumbsUp: r['+1'] ?? 0, sunglasses: r.sunglasses ?? 0 };
  },
};

const game: Resolver = (_, { id }, ctx) => getItem(ctx, keys.game(id));

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
  creator: (g, _, ctx) => getItem(ctx, keys.user(String(g.creator))),
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
  game: (p, _, ctx) => getItem(ctx, keys.game(String(p.game_id))),
  user: (p, _, ctx) => getItem(ctx, keys.user(String(p.username))),
  place: (p) => (typeof p.place === 'string' ? p.place.toUpperCase() : null),
  joinedAt: (p) => p.joined_at ?? null,
};

export const naiveResolvers = {
  Query: { ping: () => 'ok', user, game, openGames },
  Mutation: { ping: () => 'ok' },
  User,
  Photo,
  Game,
  GameParticipation,
};
