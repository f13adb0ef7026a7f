// Open games expire: createGame gives a game an `expires_at` (epoch seconds, the table's TTL
// attribute) that the last seat's join removes, so only games still open after OPEN_GAME_TTL go.
// DynamoDB deletes expired items within days, so reads hide an expired game at once
// (isExpired), and when the game item is finally removed, by TTL or by anyone, the stream
// reader calls removeGamePlayers so no orphan players remain. DynamoDB Local's TTL never deletes
// an item that lacks a key of one of the table's indexes (every game lacks `email`), so against
// it the server deletes expired games itself (expiredOpenGames + deleteExpiredGame).
import type { GamesConfig } from '../../config.js';
import type { Item } from '../dynamo/batch.js';
import { BATCH_WRITE_LIMIT, writeBatch } from '../dynamo/batch.js';
import type { Db } from '../dynamo/db.js';
import { everyPage } from '../dynamo/pagination.js';
import { writeIf } from '../dynamo/transactions.js';
import { keys } from '../keys.js';
import { OPEN_GAMES_INDEX, TABLE } from '../table.js';

/** What creating a game needs beside the engine's context: the games slice, whole (OPEN_GAME_TTL_SECONDS). */
export interface GamesContext {
  games: GamesConfig;
}

/** The TTL value for a game created at `now` that may stay open for `ttlSeconds`. */
export function openGameExpiry(now: Date, ttlSeconds: number): number {
  return Math.floor(now.getTime() / 1000) + ttlSeconds;
}

/** True when the item's TTL has passed: DynamoDB may not have deleted it yet, but it no longer exists for readers. */
export function isExpired(item: Item, now: Date): boolean {
  const at = item[TABLE.ttlAttribute];
  return typeof at === 'number' && at * 1000 <= now.getTime();
}

// Remove an expired game's players: Query table PK = GAME#<id> AND begins_with(SK, USER#) (keys only), then BatchWriteItem deletes.
export async function removeGamePlayers(db: Db, gameId: string): Promise<number> {
  let removed = 0;
  const pages = everyPage((start) =>
    db.query({
      TableName: db.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :players)',
      ExpressionAttributeValues: { ':pk': keys.game.pk(gameId), ':players': keys.player.skPrefix },
      ProjectionExpression: 'PK, SK',
      ExclusiveStartKey: start,
    }),
  );
  for await (const items of pages) {
    for (let i = 0; i < items.length; i += BATCH_WRITE_LIMIT) {
      await writeBatch(
        db,
        items.slice(i, i + BATCH_WRITE_LIMIT).map((it) => ({ DeleteRequest: { Key: { PK: String(it.PK), SK: String(it.SK) } } })),
      );
    }
    removed += items.length;
  }
  return removed;
}

// Expired open games (TTL's stand-in): Scan OpenGamesIndex (sparse: open games only), filter expires_at <= now, game ids only.
export async function expiredOpenGames(db: Db, now: Date): Promise<string[]> {
  const ids: string[] = [];
  const pages = everyPage((start) =>
    db.scan({
      TableName: db.tableName,
      IndexName: OPEN_GAMES_INDEX,
      FilterExpression: '#ttl <= :now',
      ExpressionAttributeNames: { '#ttl': TABLE.ttlAttribute },
      ExpressionAttributeValues: { ':now': Math.floor(now.getTime() / 1000) },
      ProjectionExpression: 'game_id',
      ExclusiveStartKey: start,
    }),
  );
  for await (const items of pages) for (const item of items) if (typeof item.game_id === 'string') ids.push(item.game_id);
  return ids;
}

// Delete an expired game as TTL would: DeleteItem game key, if expires_at <= now still holds (a game that filled meanwhile stays).
export async function deleteExpiredGame(db: Db, gameId: string, now: Date): Promise<boolean> {
  // False: filled, gone already, or deleted by another instance: nothing left to expire.
  return writeIf(db, {
    delete: {
      TableName: db.tableName,
      Key: keys.game(gameId),
      ConditionExpression: '#ttl <= :now',
      ExpressionAttributeNames: { '#ttl': TABLE.ttlAttribute },
      ExpressionAttributeValues: { ':now': Math.floor(now.getTime() / 1000) },
    },
  });
}
