// Seeding for the game tests: users and games written straight to the table with BatchWriteItem
// (not through the API, to stay fast), shaped exactly like the lab's items.
import { randomUUID } from 'node:crypto';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Item } from '../../src/data/dynamo/batch.js';
import { loadItems } from '../../src/ops/load.js';
import { freshUsername, type TestServer } from '../helpers/server.js';

/** Writes `count` fresh users and returns their names. */
export async function seedUsers(s: TestServer, count: number, prefix = 'p'): Promise<string[]> {
  const names = Array.from({ length: count }, () => freshUsername(prefix));
  await loadItems(
    s.clients.doc,
    s.tableName,
    names.map((u) => ({ PK: `USER#${u}`, SK: `#METADATA#${u}`, username: u, name: `Player ${u}`, email: `${u}@example.com` })),
  );
  return names;
}

export interface SeedGame {
  map: string;
  /** The creator comes first and is a player, as in the lab. */
  players: string[];
  createTime?: string;
  started?: boolean;
  ended?: boolean;
  /** Keep open_timestamp even when full, as the lab's old join did. */
  listedWhenFull?: boolean;
  places?: Record<string, 'gold' | 'silver' | 'bronze'>;
}

/** Writes a game and its players; returns the game id. */
export async function seedGame(s: TestServer, g: SeedGame): Promise<string> {
  const id = randomUUID();
  const t = g.createTime ?? '2024-05-01T10:00:00';
  const game: Item = {
    PK: `GAME#${id}`,
    SK: `#METADATA#${id}`,
    game_id: id,
    map: g.map,
    create_time: t,
    people: g.players.length,
    creator: g.players[0]!,
  };
  if (!g.started && (g.players.length < 50 || g.listedWhenFull)) game.open_timestamp = t;
  if (g.started) game.start_time = '2024-05-01T10:10:00';
  if (g.ended) game.end_time = '2024-05-01T10:30:00';
  const players = g.players.map((u) => ({
    PK: `GAME#${id}`,
    SK: `USER#${u}`,
    game_id: id,
    username: u,
    ...(g.places?.[u] ? { place: g.places[u] } : {}),
  }));
  await loadItems(s.clients.doc, s.tableName, [game, ...players]);
  return id;
}

export async function getItem(s: TestServer, PK: string, SK: string): Promise<Item | undefined> {
  const out = await s.clients.doc.send(new GetCommand({ TableName: s.tableName, Key: { PK, SK }, ConsistentRead: true }));
  return out.Item;
}

export const getGameItem = (s: TestServer, id: string) => getItem(s, `GAME#${id}`, `#METADATA#${id}`);
export const getPlayerItem = (s: TestServer, id: string, username: string) => getItem(s, `GAME#${id}`, `USER#${username}`);

/** Every item of a game's partition. */
export async function gamePartition(s: TestServer, id: string): Promise<Item[]> {
  const out = await s.clients.doc.send(
    new QueryCommand({
      TableName: s.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': `GAME#${id}` },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

/** A map name no other test uses, so lists on it hold only this test's games. */
export function freshMap(): string {
  const letters = randomUUID()
    .replace(/[^a-f]/g, '')
    .slice(0, 8);
  return `Map ${letters}x`;
}
