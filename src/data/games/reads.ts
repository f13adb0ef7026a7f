// Games: records and read access patterns (writes are in writes.ts). Items, as the game lab
// stores them, so the lab's own scripts keep reading what we write:
//
//   entity          PK               SK                     attributes
//   Game            GAME#<game_id>   #METADATA#<game_id>    game_id, map, create_time, people, creator,
//                                                          open_timestamp (only while open: OpenGamesIndex),
//                                                          start_time, end_time, gold, silver, bronze;
//                                                          ours also: start_attempt (see startGameUpdate)
//   Player in game  GAME#<game_id>   USER#<username>        game_id, username, place (gold|silver|bronze),
//                                                          ours also: joined_at, kills, damage, survived_seconds
//
// A user's games are the InvertedIndex partition SK = USER#<username>.
import type { QueryCommandInput, QueryCommandOutput, ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { badInput } from '../../errors.js';
import type { Item } from '../dynamo/batch.js';
import type { DataContext } from '../dynamo/context.js';
import { listBinding } from '../dynamo/cursor.js';
import { keys, type Key } from '../keys.js';
import { loadPage, primeItems } from '../dynamo/loaders.js';
import { toConnection, type Connection, type PageArgs } from '../dynamo/pagination.js';
import { MAX_PAGE_SIZE } from '../../page-size.js';
import { isExpired } from './expiry.js';
import { GAMES_BY_MAP_INDEX, INVERTED_INDEX, OPEN_GAMES_INDEX } from '../table.js';
import { getUsers, type UserRecord } from '../users/users.js';

export const GAME_CAPACITY = 50;

export type Medal = 'gold' | 'silver' | 'bronze';
export const MEDALS: readonly Medal[] = ['gold', 'silver', 'bronze'];
export type GameStatus = 'OPEN' | 'FULL' | 'STARTED' | 'FINISHED';

export interface GameRecord {
  id: string;
  map: string;
  creator: string;
  createdAt: string;
  /** Set while the game is listed in OpenGamesIndex. */
  openedAt: string | null;
  startedAt: string | null;
  endedAt: string | null;
  people: number;
  gold: string | null;
  silver: string | null;
  bronze: string | null;
}

export interface ParticipationRecord {
  gameId: string;
  username: string;
  place: Medal | null;
  kills: number | null;
  damage: number | null;
  survivedSeconds: number | null;
  joinedAt: string | null;
  /** The player's user when the list read it with the page (withUsers); undefined when not read, null when missing. */
  user?: UserRecord | null;
}

const str = (v: unknown) => (typeof v === 'string' ? v : null);
const num = (v: unknown) => (typeof v === 'number' ? v : null);

/** Turns a raw game item into a record; fails loudly on an item that is not a game. */
export function toGame(item: Item): GameRecord {
  const id = item.game_id;
  if (typeof id !== 'string' || item.PK !== keys.game.pk(id) || item.SK !== keys.game.metadataSk(id)) {
    throw new Error(`Not a game item: ${String(item.PK)} / ${String(item.SK)}`);
  }
  if (
    typeof item.map !== 'string' ||
    typeof item.creator !== 'string' ||
    typeof item.create_time !== 'string' ||
    typeof item.people !== 'number'
  ) {
    throw new Error(`Game item ${item.PK} lacks map, creator, create_time or people.`);
  }
  return {
    id,
    map: item.map,
    creator: item.creator,
    createdAt: item.create_time,
    openedAt: str(item.open_timestamp),
    // The lab's two finished games end before they start: shown as stored, never "repaired".
    startedAt: str(item.start_time),
    endedAt: str(item.end_time),
    people: item.people,
    gold: str(item.gold),
    silver: str(item.silver),
    bronze: str(item.bronze),
  };
}

/** Turns a raw player-in-game item into a record; fails loudly on anything else. */
export function toParticipation(item: Item): ParticipationRecord {
  const { game_id: gameId, username } = item;
  if (typeof gameId !== 'string' || typeof username !== 'string')
    throw new Error(`Not a player item: ${String(item.PK)} / ${String(item.SK)}`);
  const key = keys.player(gameId, username);
  if (item.PK !== key.PK || item.SK !== key.SK) throw new Error(`Not a player item: ${String(item.PK)} / ${String(item.SK)}`);
  if (item.place !== undefined && !MEDALS.includes(item.place))
    throw new Error(`Player item ${item.PK} / ${item.SK} has an unknown place ${String(item.place)}.`);
  return {
    gameId,
    username,
    place: (item.place as Medal | undefined) ?? null,
    kills: num(item.kills),
    damage: num(item.damage),
    survivedSeconds: num(item.survived_seconds),
    joinedAt: str(item.joined_at),
  };
}

export function gameStatus(g: GameRecord): GameStatus {
  if (g.endedAt) return 'FINISHED';
  if (g.startedAt) return 'STARTED';
  return g.people >= GAME_CAPACITY ? 'FULL' : 'OPEN';
}

/** The key of a player-in-game item. */
export const participationKey = (p: Pick<ParticipationRecord, 'gameId' | 'username'>): Key => keys.player(p.gameId, p.username);

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

export function openGamesQuery(tableName: string, map: string): QueryCommandInput {
  return {
    TableName: tableName,
    IndexName: OPEN_GAMES_INDEX,
    KeyConditionExpression: '#map = :map',
    ExpressionAttributeNames: { '#map': 'map' },
    ExpressionAttributeValues: { ':map': map },
    ScanIndexForward: true,
  };
}

// Games the lab's old join left listed though full (or started by a foreign script) are not open,
// and neither is a game whose open time ran out but that DynamoDB's TTL has not deleted yet.
const openAt = (now: Date) => (item: Item) =>
  typeof item.people === 'number' && item.people < GAME_CAPACITY && item.start_time === undefined && !isExpired(item, now);

// Find open games on a map, oldest first: Query OpenGamesIndex, map = :map, ascending.
export async function findOpenGamesByMap(ctx: DataContext, map: string, args: PageArgs): Promise<Connection<GameRecord>> {
  const binding = listBinding('openGames', 'Query', OPEN_GAMES_INDEX, { map });
  const page = await loadPage(ctx, {
    input: openGamesQuery(ctx.db.tableName, map),
    args,
    cursorKeys: ctx.cursorKeys,
    binding,
    filter: openAt(ctx.now()),
  });
  primeItems(ctx.loaders, page.items);
  return toConnection(page, toGame);
}

export function openGamesScan(tableName: string): ScanCommandInput {
  return { TableName: tableName, IndexName: OPEN_GAMES_INDEX };
}

// Find open games on every map: Scan OpenGamesIndex (sparse: it holds open games only, as in the lab).
export async function findOpenGames(ctx: DataContext, args: PageArgs): Promise<Connection<GameRecord>> {
  const binding = listBinding('openGames', 'Query', OPEN_GAMES_INDEX, {});
  const page = await loadPage(ctx, {
    input: openGamesScan(ctx.db.tableName),
    scan: true,
    args,
    cursorKeys: ctx.cursorKeys,
    binding,
    filter: openAt(ctx.now()),
  });
  primeItems(ctx.loaders, page.items);
  return toConnection(page, toGame);
}

/** A valid timestamp as stored: UTC without the zone letter, so it compares with the lab's strings. */
export function storedTime(timestamp: string): string {
  return timestamp.endsWith('Z') ? timestamp.slice(0, -1) : timestamp;
}

/** Our own timestamps: the lab's format, UTC to the second without zone ("2019-04-16T00:41:18"). */
export function labTime(date: Date): string {
  return date.toISOString().slice(0, 19);
}

export interface TimeRange {
  from?: string | null;
  to?: string | null;
}

export function gamesByMapQuery(tableName: string, map: string, range: TimeRange): QueryCommandInput {
  const values: Record<string, string> = { ':map': map };
  let condition = '#map = :map';
  if (range.from && range.to) condition += ' AND create_time BETWEEN :from AND :to';
  else if (range.from) condition += ' AND create_time >= :from';
  else if (range.to) condition += ' AND create_time <= :to';
  if (range.from) values[':from'] = range.from;
  if (range.to) values[':to'] = range.to;
  return {
    TableName: tableName,
    IndexName: GAMES_BY_MAP_INDEX,
    KeyConditionExpression: condition,
    ExpressionAttributeNames: { '#map': 'map' },
    ExpressionAttributeValues: values,
    ScanIndexForward: false,
  };
}

// Games on a map created in [from, to], newest first: Query GamesByMapIndex, map = :map AND create_time BETWEEN :from AND :to, descending.
export async function findGamesByMap(ctx: DataContext, map: string, given: TimeRange, args: PageArgs): Promise<Connection<GameRecord>> {
  const range = { from: given.from ? storedTime(given.from) : null, to: given.to ? storedTime(given.to) : null };
  if (range.from && range.to && range.from > range.to) throw badInput(`"from" (${range.from}) is after "to" (${range.to}).`, 'from');
  const binding = listBinding('gamesByMap', 'Query', GAMES_BY_MAP_INDEX, { map, from: range.from, to: range.to });
  const page = await loadPage(ctx, { input: gamesByMapQuery(ctx.db.tableName, map, range), args, cursorKeys: ctx.cursorKeys, binding });
  primeItems(ctx.loaders, page.items);
  return toConnection(page, toGame);
}

export function userGamesQuery(tableName: string, username: string): QueryCommandInput {
  return {
    TableName: tableName,
    IndexName: INVERTED_INDEX,
    KeyConditionExpression: 'SK = :user AND begins_with(PK, :game)',
    ExpressionAttributeValues: { ':user': keys.player.sk(username), ':game': keys.game.pkPrefix },
  };
}

// Find games for a user: Query InvertedIndex, SK = USER#<u> AND begins_with(PK, GAME#).
export async function findUserGames(ctx: DataContext, username: string, args: PageArgs): Promise<Connection<ParticipationRecord>> {
  const binding = listBinding('games', username, INVERTED_INDEX, {});
  const page = await loadPage(ctx, { input: userGamesQuery(ctx.db.tableName, username), args, cursorKeys: ctx.cursorKeys, binding });
  return toConnection(page, toParticipation);
}
