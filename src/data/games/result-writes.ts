// Games: the writes of a running game: a player's result, and its end with the podium. Each is
// one guarded transaction whose conditions carry the rules, so concurrent requests cannot break
// them, and whose failure is told apart from the old item DynamoDB returns. Item layout: see
// records.ts; the writes before the game starts are in lobby-writes.ts.
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Viewer } from '../../auth.js';
import {
  forbidden,
  GameEndedError,
  GameNotStartedError,
  notFound,
  PodiumChangedError,
  SharedMedalError,
  type AppError,
} from '../../errors.js';
import type { Item } from '../dynamo/batch.js';
import type { DataContext } from '../dynamo/context.js';
import { MEDALS, labTime, toGame, toParticipation, type GameRecord, type Medal, type ParticipationRecord } from './records.js';
import { keys } from '../keys.js';
import { correctItem, primeItems } from '../dynamo/loaders.js';
import { everyPage } from '../dynamo/pagination.js';
import { guardedTransaction, transactWrite, type GuardedTransaction } from '../dynamo/transactions.js';

/** The game's creator, or any token with the game-server role, runs a started game. */
function runsGame(viewer: Viewer, creator: string): boolean {
  return viewer.role === 'game-server' || viewer.username === creator;
}

export interface PlayerResult {
  place: Medal | null;
  kills: number;
  damage: number;
  survivedSeconds: number;
}

/** Replaces a player's result (null place removes the medal) while the game runs; `creator` also requires the requester to be the creator. */
export function recordResultTransaction(
  tableName: string,
  gameId: string,
  username: string,
  result: PlayerResult,
  creator: string | null,
): GuardedTransaction {
  const values: Record<string, unknown> = { ':kills': result.kills, ':damage': result.damage, ':survived': result.survivedSeconds };
  let update = 'SET kills = :kills, damage = :damage, survived_seconds = :survived';
  if (result.place) {
    update += ', place = :place';
    values[':place'] = result.place;
  } else update += ' REMOVE place';
  const running = 'attribute_exists(start_time) AND attribute_not_exists(end_time)';
  return guardedTransaction([
    {
      action: {
        ConditionCheck: {
          TableName: tableName,
          Key: keys.game(gameId),
          ConditionExpression: creator ? `${running} AND creator = :me` : running,
          ...(creator ? { ExpressionAttributeValues: { ':me': creator } } : {}),
        },
      },
      onConditionFailed: (game) => {
        if (!game) return notFound(`The game ${gameId}`);
        if (creator && game.creator !== creator)
          return forbidden(`Only the creator of game ${gameId} or its game server may record results.`);
        return notRunning(gameId, game);
      },
      rank: 1,
    },
    {
      action: {
        Update: {
          TableName: tableName,
          Key: keys.player(gameId, username),
          UpdateExpression: update,
          ConditionExpression: 'attribute_exists(SK)',
          ExpressionAttributeValues: values,
        },
      },
      onConditionFailed: () => notFound(`${username} as a player of game ${gameId}`),
      rank: 2,
    },
  ]);
}

function notRunning(gameId: string, game: Item): AppError {
  return game.end_time !== undefined ? new GameEndedError(gameId, String(game.end_time)) : new GameNotStartedError(gameId);
}

// Update game for a user: TransactWriteItems, ConditionCheck game running (and the requester's) + Update player item if it exists.
export async function recordPlayerResult(
  ctx: DataContext,
  viewer: Viewer,
  gameId: string,
  username: string,
  result: PlayerResult,
): Promise<ParticipationRecord> {
  const creator = viewer.role === 'game-server' ? null : viewer.username;
  const tx = recordResultTransaction(ctx.db.tableName, gameId, username, result, creator);
  const key = keys.player(gameId, username);
  // The unchanged attributes (joined_at) are read alongside the write: whichever version the read
  // sees, the fields the write sets are taken from the write.
  const [, before] = await Promise.all([transactWrite(ctx.db, tx), ctx.loaders.item.load(key)]);
  const { place: _place, ...unchanged } = before ?? { ...key, game_id: gameId, username };
  const item: Item = {
    ...unchanged,
    kills: result.kills,
    damage: result.damage,
    survived_seconds: result.survivedSeconds,
    ...(result.place ? { place: result.place } : {}),
  };
  correctItem(ctx.loaders, key, item);
  return toParticipation(item);
}

export function podiumQuery(tableName: string, gameId: string): QueryCommandInput {
  return {
    TableName: tableName,
    KeyConditionExpression: 'PK = :pk AND SK BETWEEN :meta AND :end',
    // Only the game item carries create_time; only medal holders carry place.
    FilterExpression: 'attribute_exists(create_time) OR attribute_exists(place)',
    ExpressionAttributeValues: {
      ':pk': keys.game.pk(gameId),
      ':meta': keys.game.metadataSk(gameId),
      ':end': keys.player.skUpperBound,
    },
    // The podium must include the results recorded just before.
    ConsistentRead: true,
  };
}

export type Podium = Partial<Record<Medal, string>>;

/** Ends a running game with its podium, each medal holder checked to hold it still. */
export function endGameTransaction(tableName: string, gameId: string, now: string, podium: Podium): GuardedTransaction {
  const medals = MEDALS.filter((m) => podium[m] !== undefined);
  const values: Record<string, unknown> = { ':now': now };
  for (const m of medals) values[`:${m}`] = podium[m];
  return guardedTransaction([
    {
      action: {
        Update: {
          TableName: tableName,
          Key: keys.game(gameId),
          UpdateExpression: `SET ${['end_time = :now', ...medals.map((m) => `${m} = :${m}`)].join(', ')}`,
          ConditionExpression: 'attribute_exists(start_time) AND attribute_not_exists(end_time)',
          ExpressionAttributeValues: values,
        },
      },
      onConditionFailed: (game) => (game ? notRunning(gameId, game) : notFound(`The game ${gameId}`)),
      rank: 1,
    },
    ...medals.map((m, i) => ({
      action: {
        ConditionCheck: {
          TableName: tableName,
          Key: keys.player(gameId, podium[m]!),
          ConditionExpression: 'place = :place',
          ExpressionAttributeValues: { ':place': m },
        },
      },
      // A result recorded between the podium's read and this write: read it again.
      onConditionFailed: () => new PodiumChangedError(gameId),
      rank: 2 + i,
    })),
  ]);
}

// Update game: Query PK = GAME#<id> AND SK BETWEEN #METADATA#<id> AND USER$ (consistent, medal holders only), then
// TransactWriteItems, Update game SET end_time + podium if running + ConditionCheck each medal holder.
export async function endGame(ctx: DataContext, viewer: Viewer, gameId: string): Promise<GameRecord> {
  const items: Item[] = [];
  const pages = everyPage((start) =>
    ctx.db.query({ ...podiumQuery(ctx.db.tableName, gameId), ...(start ? { ExclusiveStartKey: start } : {}) }),
  );
  for await (const page of pages) items.push(...page);
  const gameItem = items.find((it) => it.SK === keys.game.metadataSk(gameId));
  if (!gameItem) throw notFound(`The game ${gameId}`);
  const game = toGame(gameItem);
  if (!runsGame(viewer, game.creator)) throw forbidden(`Only the creator of game ${gameId} or its game server may end it.`);
  if (!game.startedAt || game.endedAt) throw notRunning(gameId, gameItem);

  const podium: Podium = {};
  for (const m of MEDALS) {
    const holders = items.filter((it) => it.place === m).map((it) => String(it.username));
    if (holders.length > 1) {
      throw new SharedMedalError(gameId, m, holders);
    }
    if (holders[0]) podium[m] = holders[0];
  }
  const now = labTime(ctx.now());
  await transactWrite(ctx.db, endGameTransaction(ctx.db.tableName, gameId, now, podium));
  const ended = { ...gameItem, end_time: now, ...podium };
  primeItems(ctx.loaders, items);
  correctItem(ctx.loaders, keys.game(gameId), ended);
  return toGame(ended);
}
