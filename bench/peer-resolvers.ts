// The naive peer's resolver map (bench/naive): the same schema, each list field its own Query with
// the tutorials' cursor, the labs' items shaped as the schema says; a related item is read by key
// as the peer passes in (a GetItem per item). Calls go through the project's Db, so they are
// metered into extensions.dynamodb exactly like ours. The textbook peer has its own, frozen copy
// (bench/textbook), so that nothing here or in our engine changes what it measures.
import type { Item } from '../src/data/dynamo/batch.js';
import type { CostMeter } from '../src/data/dynamo/cost.js';
import type { Db } from '../src/data/dynamo/db.js';
import { keys } from '../src/data/keys.js';
import { INVERTED_INDEX, OPEN_GAMES_INDEX } from '../src/data/table.js';

export interface PeerContext {
  db: Db;
  meter: CostMeter;
}

/** How a peer reads one user or game by its id. */
export interface ReadByKey<C extends PeerContext> {
  user(ctx: C, username: string): Promise<Item | null>;
  game(ctx: C, id: string): Promise<Item | null>;
}

interface PageArgs {
  first?: number | null;
  after?: string | null;
}

// Amplify's nextToken and the tutorials' cursor alike: the LastEvaluatedKey, base64-encoded and unchecked.
const encodeToken = (key: Record<string, unknown> | undefined) => (key ? Buffer.from(JSON.stringify(key)).toString('base64url') : null);
const decodeToken = (token: string | null | undefined) =>
  token ? (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, unknown>) : undefined;

async function queryConnection(ctx: PeerContext, input: Record<string, unknown>, args: PageArgs, node: (item: Item) => unknown) {
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

export function peerResolvers<C extends PeerContext>(read: ReadByKey<C>) {
  type Resolver = (parent: Item, args: Record<string, any>, ctx: C) => unknown;

  const User: Record<string, Resolver> = {
    followerCount: (u) => u.followers ?? 0,
    followingCount: (u) => u.following ?? 0,
    interests: (u) => u.interests ?? [],
    // A follow item carries no profile: each follower's profile is read by key.
    followers: (u, args, ctx) =>
      queryConnection(
        ctx,
        {
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)',
          ExpressionAttributeValues: { ':pk': u.PK, ':p': keys.follow.skPrefix },
        },
        args,
        (f) => read.user(ctx, keys.follow.parseSk(String(f.SK))),
      ),
    following: (u, args, ctx) =>
      queryConnection(
        ctx,
        {
          IndexName: INVERTED_INDEX,
          KeyConditionExpression: 'SK = :sk',
          ExpressionAttributeValues: { ':sk': keys.follow.sk(String(u.username)) },
        },
        args,
        (f) => read.user(ctx, keys.user.parsePk(String(f.PK))),
      ),
    photos: (u, args, ctx) =>
      queryConnection(
        ctx,
        {
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)',
          ExpressionAttributeValues: { ':pk': u.PK, ':p': keys.photo.ownerSkPrefix(String(u.username)) },
          ScanIndexForward: false,
        },
        args,
        (p) => p,
      ),
  };

  const Photo: Record<string, Resolver> = {
    id: (p) => `${p.username}/${p.timestamp}`,
    owner: (p, _, ctx) => read.user(ctx, String(p.username)),
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
    creator: (g, _, ctx) => read.user(ctx, String(g.creator)),
    createdAt: (g) => g.create_time,
    playerCount: (g) => g.people,
    capacity: () => 50,
    players: (g, args, ctx) =>
      queryConnection(
        ctx,
        {
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)',
          ExpressionAttributeValues: { ':pk': g.PK, ':p': keys.player.skPrefix },
        },
        args,
        (p) => p,
      ),
  };

  const GameParticipation: Record<string, Resolver> = {
    game: (p, _, ctx) => read.game(ctx, String(p.game_id)),
    user: (p, _, ctx) => read.user(ctx, String(p.username)),
    place: (p) => (typeof p.place === 'string' ? p.place.toUpperCase() : null),
    joinedAt: (p) => p.joined_at ?? null,
  };

  return {
    Query: {
      ping: () => 'ok',
      user: ((_, { username }, ctx) => read.user(ctx, username)) as Resolver,
      game: ((_, { id }, ctx) => read.game(ctx, id)) as Resolver,
      openGames,
    },
    Mutation: { ping: () => 'ok' },
    User,
    Photo,
    Game,
    GameParticipation,
  };
}
