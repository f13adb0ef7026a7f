// FROZEN (see data.ts): the textbook resolver set, the same schema served the way Apollo's docs and
// the DataLoader README teach it, by a competent team. One DataLoader per entity type (users,
// games) batches every by-key read of a tick into one BatchGetItem and caches it for the request;
// each list field is its own Query. What it does not do is what ours adds: no read-ahead (a profile
// and its first page are two calls, not one Query), no priming of loaders from list items, no
// look-ahead at the selection, no limits, cost report or signed cursors.
import { queryConnection, type Item, type TextbookContext } from './data.js';

export { createTextbookContext, type TextbookContext } from './data.js';

type Resolver = (parent: Item, args: Record<string, any>, ctx: TextbookContext) => unknown;

const User: Record<string, Resolver> = {
  followerCount: (u) => u.followers ?? 0,
  followingCount: (u) => u.following ?? 0,
  interests: (u) => u.interests ?? [],
  // A follow item (SK #FRIEND#<follower>) carries no profile: each follower's is loaded by key.
  followers: (u, args, ctx) =>
    queryConnection(
      ctx,
      { KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)', ExpressionAttributeValues: { ':pk': u.PK, ':p': '#FRIEND#' } },
      args,
      (f) => ctx.loaders.user.load(String(f.SK).slice('#FRIEND#'.length)),
    ),
  following: (u, args, ctx) =>
    queryConnection(
      ctx,
      { IndexName: 'InvertedIndex', KeyConditionExpression: 'SK = :sk', ExpressionAttributeValues: { ':sk': `#FRIEND#${u.username}` } },
      args,
      (f) => ctx.loaders.user.load(String(f.PK).slice('USER#'.length)),
    ),
  photos: (u, args, ctx) =>
    queryConnection(
      ctx,
      {
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)',
        ExpressionAttributeValues: { ':pk': u.PK, ':p': `PHOTO#${u.username}#` },
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

const Game: Record<string, Resolver> = {
  id: (g) => g.game_id,
  creator: (g, _, ctx) => ctx.loaders.user.load(String(g.creator)),
  createdAt: (g) => g.create_time,
  playerCount: (g) => g.people,
  capacity: () => 50,
  players: (g, args, ctx) =>
    queryConnection(
      ctx,
      { KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)', ExpressionAttributeValues: { ':pk': g.PK, ':p': 'USER#' } },
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

const openGames: Resolver = (_, { map, ...page }, ctx) =>
  queryConnection(
    ctx,
    {
      IndexName: 'OpenGamesIndex',
      KeyConditionExpression: '#map = :map',
      ExpressionAttributeNames: { '#map': 'map' },
      ExpressionAttributeValues: { ':map': map },
    },
    page,
    (g) => g,
  );

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
