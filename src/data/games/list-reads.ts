// Games: the lists of games, open ones, by map and time, and a user's (item layout: records.ts).
import type { QueryCommandInput, ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { badInput } from '../../errors.js';
import type { Item } from '../dynamo/batch.js';
import type { DataContext } from '../dynamo/context.js';
import { listBinding } from '../dynamo/cursor.js';
import { keys } from '../keys.js';
import { loadPage, primeItems } from '../dynamo/loaders.js';
import { toConnection, type Connection, type PageArgs, type PageRequest } from '../dynamo/pagination.js';
import { isExpired } from './expiry.js';
import { GAME_CAPACITY, storedTime, toGame, toParticipation, type GameRecord, type ParticipationRecord } from './records.js';
import { GAMES_BY_MAP_INDEX, INVERTED_INDEX, OPEN_GAMES_INDEX } from '../table.js';

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
  return openGamesPage(ctx, { input: openGamesQuery(ctx.db.tableName, map) }, { map }, args);
}

export function openGamesScan(tableName: string): ScanCommandInput {
  return { TableName: tableName, IndexName: OPEN_GAMES_INDEX };
}

// Find open games on every map: Scan OpenGamesIndex (sparse: it holds open games only, as in the lab).
export async function findOpenGames(ctx: DataContext, args: PageArgs): Promise<Connection<GameRecord>> {
  return openGamesPage(ctx, { input: openGamesScan(ctx.db.tableName), scan: true }, {}, args);
}

// The two reads above are one GraphQL list (`openGames`): one binding (its map argument, or none,
// tells a cursor's list apart), one filter of what is open, one priming; only Query or Scan differs.
async function openGamesPage(
  ctx: DataContext,
  read: Pick<PageRequest, 'input' | 'scan'>,
  fieldArgs: { map?: string },
  args: PageArgs,
): Promise<Connection<GameRecord>> {
  const binding = listBinding('openGames', 'Query', OPEN_GAMES_INDEX, fieldArgs);
  const page = await loadPage(ctx, { ...read, args, cursorKeys: ctx.cursorKeys, binding, filter: openAt(ctx.now()) });
  primeItems(ctx.loaders, page.items);
  return toConnection(page, toGame);
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
