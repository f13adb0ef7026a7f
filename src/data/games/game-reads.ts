// Games: a game and its players, read by key or as one partition (item layout: records.ts).
import type { QueryCommandInput, QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { Item } from '../dynamo/batch.js';
import type { DataContext } from '../dynamo/context.js';
import { listBinding } from '../dynamo/cursor.js';
import { keys } from '../keys.js';
import { loadPage, primeItems } from '../dynamo/loaders.js';
import { toConnection, type Connection, type PageArgs } from '../dynamo/pagination.js';
import { MAX_PAGE_SIZE } from '../../page-size.js';
import { isExpired } from './expiry.js';
import { toGame, toParticipation, type GameRecord, type ParticipationRecord } from './records.js';
import { getUsers } from '../users/users.js';

const isGameItem = (item: Item) => typeof item.SK === 'string' && item.SK === keys.game.metadataSk(String(item.game_id));

// Get a game by id: BatchGetItem through the request's loader, key GAME#<id> / #METADATA#<id>.
export async function getGame(ctx: DataContext, gameId: string): Promise<GameRecord | null> {
  const item = await ctx.loaders.item.load(keys.game(gameId));
  return item && !isExpired(item, ctx.now()) ? toGame(item) : null;
}

// Get a player in a game: BatchGetItem through the request's loader, key GAME#<id> / USER#<username>.
export async function getParticipation(ctx: DataContext, gameId: string, username: string): Promise<ParticipationRecord | null> {
  const item = await ctx.loaders.item.load(keys.player(gameId, username));
  return item ? toParticipation(item) : null;
}

/** Enough items for the game and a first page of any allowed size, with an exact hasNextPage. */
const VIEW_GAME_LIMIT = 2 + MAX_PAGE_SIZE;

export function viewGameQuery(tableName: string, gameId: string): QueryCommandInput {
  return {
    TableName: tableName,
    KeyConditionExpression: 'PK = :pk AND SK BETWEEN :meta AND :end',
    ExpressionAttributeValues: {
      ':pk': keys.game.pk(gameId),
      ':meta': keys.game.metadataSk(gameId),
      ':end': keys.player.skUpperBound,
    },
    Limit: VIEW_GAME_LIMIT,
  };
}

// View a game and its players: Query PK = GAME#<id> AND SK BETWEEN #METADATA#<id> AND USER$ (table).
// A game holds at most 50 players, so this one call usually reads the whole partition; the
// players then wait in the request's ReadAhead (dynamo/read-ahead.ts) and `players` costs nothing.
export async function viewGame(ctx: DataContext, gameId: string): Promise<GameRecord | null> {
  // In the request's wave of list reads, so the players' users of many games batch together.
  const out = (await ctx.loaders.lists.load(() => ctx.db.query(viewGameQuery(ctx.db.tableName, gameId)))) as QueryCommandOutput;
  const items = out.Items ?? [];
  const gameItem = items[0] && isGameItem(items[0]) ? items[0] : undefined;
  if (!gameItem || isExpired(gameItem, ctx.now())) return null;
  // The game item only: only writes read a player item by key, and they want it fresh.
  primeItems(ctx.loaders, [gameItem]);
  // Read with Limit 102: with 101 players read, a first page of up to 100 is exact even if more follow.
  const players = items.filter((it) => String(it.SK).startsWith(keys.player.skPrefix));
  putPlayersAhead(ctx, gameId, players, !out.LastEvaluatedKey);
  return toGame(gameItem);
}

const playersBinding = (gameId: string) => listBinding('players', gameId, undefined, {});

/** Hands a game's first player items, in username order, to its `players` resolver (see dynamo/read-ahead.ts); `ended`: no player follows them. */
export function putPlayersAhead(ctx: DataContext, gameId: string, players: Item[], ended: boolean): void {
  const input = playersQuery(ctx.db.tableName, gameId);
  ctx.loaders.readAhead.put({ binding: playersBinding(gameId), input, cursorKeys: ctx.cursorKeys, items: players, ended });
}

export function playersQuery(tableName: string, gameId: string): QueryCommandInput {
  return {
    TableName: tableName,
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :user)',
    ExpressionAttributeValues: { ':pk': keys.game.pk(gameId), ':user': keys.player.skPrefix },
  };
}

/** Starts reading a later page of a game's players beside the read of the game (dynamo/read-ahead.ts); gamePlayers takes it. */
export function startPlayers(ctx: DataContext, gameId: string, args: PageArgs): void {
  ctx.loaders.readAhead.start(playersBinding(gameId), args, () => playersPage(ctx, gameId, args));
}

const playersPage = (ctx: DataContext, gameId: string, args: PageArgs) =>
  loadPage(ctx, { input: playersQuery(ctx.db.tableName, gameId), args, cursorKeys: ctx.cursorKeys, binding: playersBinding(gameId) });

export interface PlayersOptions {
  /** Read the players' users with the page (one BatchGetItem wave for the page) instead of one loader call per player. */
  withUsers?: boolean;
}

// A game's players in username order: Query PK = GAME#<id> AND begins_with(SK, USER#) (table).
export async function gamePlayers(
  ctx: DataContext,
  game: GameRecord,
  args: PageArgs,
  opts: PlayersOptions = {},
): Promise<Connection<ParticipationRecord>> {
  const page = await (ctx.loaders.readAhead.take(playersBinding(game.id), args) ?? playersPage(ctx, game.id, args));
  const players = await withUsers(ctx, page.items.map(toParticipation), opts);
  return toConnection(page, (_, i) => players[i]!);
}

// The players' users through the shared loader, for the whole page at once: one BatchGetItem per
// 100 distinct users (with every other list of the same wave), none for users already loaded.
async function withUsers(ctx: DataContext, players: ParticipationRecord[], opts: PlayersOptions): Promise<readonly ParticipationRecord[]> {
  if (!opts.withUsers || players.length === 0) return players;
  const users = await getUsers(
    ctx,
    players.map((p) => p.username),
  );
  // The records were made for this page (toParticipation), so each takes its user in place rather than as a copy.
  players.forEach((p, i) => (p.user = users[i] ?? null));
  return players;
}
