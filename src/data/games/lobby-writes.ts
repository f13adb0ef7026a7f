// Games: the writes of a game in the lobby: create it, join it, start it. Each is one guarded
// write (a transaction or a conditional update) whose conditions carry the rules, so concurrent
// requests cannot break them, and whose failure is told apart from the old item DynamoDB returns.
// Item layout: see records.ts; the writes once it runs are in result-writes.ts.
import { randomUUID } from 'node:crypto';
import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import {
  AlreadyJoinedError,
  forbidden,
  GameChangedWhileStartingError,
  GameClosedError,
  GameFullError,
  GameIdTakenError,
  GameNotFullError,
  GameStartedError,
  InternalSignal,
  notFound,
  SeatCountKeptMovingError,
  type AppError,
} from '../../errors.js';
import type { Item } from '../dynamo/batch.js';
import type { DataContext } from '../dynamo/context.js';
import { GAME_CAPACITY, labTime, toGame, toParticipation, type GameRecord, type ParticipationRecord } from './records.js';
import { putPlayersAhead } from './game-reads.js';
import { keys } from '../keys.js';
import { TABLE } from '../table.js';
import { isExpired, openGameExpiry, type GamesContext } from './expiry.js';
import { correctItem, primeItems } from '../dynamo/loaders.js';
import { conditionalWrite, guardedTransaction, transactWrite, TRANSACTION_RETRY, type GuardedTransaction } from '../dynamo/transactions.js';

const LAST_SEAT = GAME_CAPACITY - 1;

export function newGameItem(gameId: string, map: string, creator: string, now: string, expiresAt?: number): Item {
  // open_timestamp lists the game in the sparse OpenGamesIndex until it fills or starts; expires_at
  // (the table's TTL) removes it if it is still open then (src/data/games/expiry.ts).
  const game = { ...keys.game(gameId), game_id: gameId, map, create_time: now, people: 1, creator, open_timestamp: now };
  return expiresAt === undefined ? game : { ...game, [TABLE.ttlAttribute]: expiresAt };
}

export function newPlayerItem(gameId: string, username: string, now: string): Item {
  return { ...keys.player(gameId, username), game_id: gameId, username, joined_at: now };
}

/** The game and its creator's seat, only if the creator's profile exists. */
export function createGameTransaction(tableName: string, game: Item, creatorSeat: Item): GuardedTransaction {
  const gameId = String(game.game_id);
  const creator = String(game.creator);
  // The id is fresh and random: finding it taken (never seen in practice) only asks for a retry.
  return guardedTransaction([
    {
      action: { Put: { TableName: tableName, Item: game, ConditionExpression: 'attribute_not_exists(PK)' } },
      onConditionFailed: () => new GameIdTakenError(gameId),
      rank: 1,
    },
    {
      action: { Put: { TableName: tableName, Item: creatorSeat, ConditionExpression: 'attribute_not_exists(PK)' } },
      onConditionFailed: () => new GameIdTakenError(gameId),
      rank: 2,
    },
    {
      action: { ConditionCheck: { TableName: tableName, Key: keys.user(creator), ConditionExpression: 'attribute_exists(PK)' } },
      onConditionFailed: () => notFound(`The user ${creator} (create your profile first)`),
      rank: 3,
    },
  ]);
}

// Create a game: TransactWriteItems, Put game + Put creator's player item + ConditionCheck creator's user item exists.
export async function createGame(ctx: DataContext & GamesContext, map: string, creator: string): Promise<GameRecord> {
  const now = labTime(ctx.now());
  const gameId = randomUUID();
  const game = newGameItem(gameId, map, creator, now, openGameExpiry(ctx.now(), ctx.games.openGameTtlSeconds));
  const seat = newPlayerItem(gameId, creator, now);
  await transactWrite(ctx.db, createGameTransaction(ctx.db.tableName, game, seat));
  primeItems(ctx.loaders, [game, seat]);
  // A new game's only player is its creator: its player list is known without reading it.
  putPlayersAhead(ctx, gameId, [seat], true);
  return toGame(game);
}

/**
 * Takes a seat. Below the last seat the count only grows while it stays below 49, so joins never
 * wait on one another's exact count; the last seat sets 50 and takes the game off OpenGamesIndex
 * in the same write, so a full game is never listed as open.
 */
export function joinGameTransaction(
  tableName: string,
  gameId: string,
  username: string,
  now: Date,
  knownPeople: number,
): GuardedTransaction {
  // An expired game may still be in the table (TTL deletes within days): it takes no one.
  const open = `attribute_exists(open_timestamp) AND attribute_not_exists(start_time) AND (attribute_not_exists(${TABLE.ttlAttribute}) OR ${TABLE.ttlAttribute} > :now)`;
  const nowEpoch = Math.floor(now.getTime() / 1000);
  const seat =
    knownPeople < LAST_SEAT
      ? {
          UpdateExpression: 'SET people = people + :one',
          ConditionExpression: `${open} AND people < :last`,
          ExpressionAttributeValues: { ':one': 1, ':last': LAST_SEAT, ':now': nowEpoch },
        }
      : {
          // A full game no longer expires: only games left open do.
          UpdateExpression: `SET people = :capacity REMOVE open_timestamp, ${TABLE.ttlAttribute}`,
          ConditionExpression: `${open} AND people = :last`,
          ExpressionAttributeValues: { ':capacity': GAME_CAPACITY, ':last': LAST_SEAT, ':now': nowEpoch },
        };
  return guardedTransaction([
    {
      action: {
        Put: { TableName: tableName, Item: newPlayerItem(gameId, username, labTime(now)), ConditionExpression: 'attribute_not_exists(SK)' },
      },
      onConditionFailed: () => new AlreadyJoinedError(gameId, username),
      rank: 1,
    },
    {
      action: { ConditionCheck: { TableName: tableName, Key: keys.user(username), ConditionExpression: 'attribute_exists(PK)' } },
      onConditionFailed: () => notFound(`The user ${username} (create your profile first)`),
      rank: 2,
    },
    {
      action: { Update: { TableName: tableName, Key: keys.game(gameId), ...seat } },
      // The game refuses players, or only its count moved past what this join was built for.
      onConditionFailed: (game) => joinRefusal(gameId, game, now) ?? new SeatCountMoved(Number(game?.people ?? 0)),
      rank: 3,
    },
  ]);
}

/** The count moved past what the join was built for: joinGame retries with the count DynamoDB reported. */
class SeatCountMoved extends InternalSignal {
  constructor(readonly people: number) {
    super(`The player count moved to ${people}.`);
  }
}

/** Why a game refuses a new player at `now`, or undefined when it is open and has a seat. */
export function joinRefusal(gameId: string, game: Item | null, now: Date): AppError | undefined {
  // Readers never see an expired game, so a join does not either.
  if (!game || isExpired(game, now)) return notFound(`The game ${gameId}`);
  if (game.start_time !== undefined || game.end_time !== undefined) return new GameStartedError(gameId);
  if (typeof game.people === 'number' && game.people >= GAME_CAPACITY) return new GameFullError(gameId, game.people, GAME_CAPACITY);
  if (game.open_timestamp === undefined) return new GameClosedError(gameId);
  return undefined;
}

const JOIN_ATTEMPTS = 4;
// A hundred players racing for the last seats collide on the game item; give them more room
// than the default before telling anyone to retry.
const JOIN_RETRY = { ...TRANSACTION_RETRY, maxAttempts: 8 };

// Join a game: TransactWriteItems, Put player item if absent + ConditionCheck user exists + Update game people (seat rules above).
export async function joinGame(ctx: DataContext, gameId: string, username: string): Promise<ParticipationRecord> {
  const gameItem = await ctx.loaders.item.load(keys.game(gameId));
  if (!gameItem || isExpired(gameItem, ctx.now())) throw notFound(`The game ${gameId}`);
  let people = toGame(gameItem).people;
  for (let attempt = 0; attempt < JOIN_ATTEMPTS; attempt++) {
    const now = ctx.now();
    const seat = newPlayerItem(gameId, username, labTime(now));
    const tx = joinGameTransaction(ctx.db.tableName, gameId, username, now, people);
    try {
      await transactWrite(ctx.db, tx, JOIN_RETRY);
    } catch (err) {
      if (!(err instanceof SeatCountMoved)) throw err;
      people = err.people;
      continue;
    }
    const filled = people >= LAST_SEAT;
    const { open_timestamp: _open, ...rest } = gameItem;
    correctItem(ctx.loaders, keys.game(gameId), filled ? { ...rest, people: GAME_CAPACITY } : { ...gameItem, people: people + 1 });
    correctItem(ctx.loaders, keys.player(gameId, username), seat);
    return toParticipation(seat);
  }
  throw new SeatCountKeptMovingError();
}

/**
 * Starts a full game for its creator, once. `attempt` (fresh per startGame call, the same in every
 * SDK resend of it) is kept on the game as start_attempt: it alone tells a resend whose first
 * answer was lost from a second start, which a second-resolution start_time cannot.
 */
export function startGameUpdate(tableName: string, gameId: string, username: string, now: string, attempt: string): UpdateCommandInput {
  return {
    TableName: tableName,
    Key: keys.game(gameId),
    UpdateExpression: 'SET start_time = :now, start_attempt = :attempt REMOVE open_timestamp',
    ConditionExpression: 'people = :capacity AND creator = :me AND attribute_not_exists(start_time)',
    ExpressionAttributeValues: { ':now': now, ':attempt': attempt, ':capacity': GAME_CAPACITY, ':me': username },
  };
}

/** The start a retried UpdateItem finds already applied: its own first attempt, whose answer was lost. */
class AlreadyStartedByThisRequest extends InternalSignal {
  constructor(readonly game: Item) {
    super('The game was started by this very request.');
  }
}

// Start a game: UpdateItem game REMOVE open_timestamp SET start_time, if full, the requester's, and not started.
export async function startGame(ctx: DataContext, gameId: string, username: string): Promise<GameRecord> {
  const attempt = randomUUID();
  let item: Item | undefined;
  try {
    const update = startGameUpdate(ctx.db.tableName, gameId, username, labTime(ctx.now()), attempt);
    item = await conditionalWrite(ctx.db, { update }, (old) => {
      if (!old) return notFound(`The game ${gameId}`);
      if (old.creator !== username) return forbidden(`Only the game's creator, ${String(old.creator)}, may start game ${gameId}.`);
      // The SDK resends the same request when an answer is lost: finding this call's own attempt
      // means the first send landed. Any other start, however recent, is refused.
      if (old.start_attempt === attempt && old.end_time === undefined) return new AlreadyStartedByThisRequest(old);
      if (old.start_time !== undefined || old.end_time !== undefined) return new GameStartedError(gameId);
      if (typeof old.people !== 'number' || old.people < GAME_CAPACITY) return new GameNotFullError(gameId, old.people, GAME_CAPACITY);
      return new GameChangedWhileStartingError(gameId);
    });
  } catch (err) {
    if (!(err instanceof AlreadyStartedByThisRequest)) throw err;
    item = err.game;
  }
  if (!item) throw new Error(`Starting game ${gameId} returned no item.`);
  correctItem(ctx.loaders, keys.game(gameId), item);
  return toGame(item);
}
