// A mixed load over both apps, the same for the concurrency test, the fault tests and the soak
// (bench/soak.ts): follows and unfollows, reactions and their removals, joins and starts, and the
// reads that list what those writes change. Entities are seeded straight into the table, in the
// shapes the domain modules write, so a run spends its time on the operations under test.
import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { newGameItem, newPlayerItem } from '../../src/data/games/lobby-writes.js';
import { loadItems } from '../../src/ops/load.js';
import { newPhotoItem } from '../../src/data/photos/writes.js';
import { seeded } from '../helpers/faults.js';
import { seedUsers, type Scope } from './support.js';

export interface World {
  users: string[];
  /** Game ids with their creator. */
  games: { id: string; creator: string }[];
  photos: [string, string][];
}

export interface Operation {
  name: string;
  query: string;
  variables: Record<string, unknown>;
  as: string;
}

/** Codes a correct server may answer these operations with, besides data. */
export const DOMAIN_CODES = new Set([
  'ALREADY_FOLLOWING',
  'NOT_FOLLOWING',
  'CANNOT_FOLLOW_SELF',
  'ALREADY_REACTED',
  'NOT_REACTED',
  'ALREADY_JOINED',
  'GAME_FULL',
  'GAME_NOT_OPEN',
  'GAME_NOT_FULL',
  'FORBIDDEN',
  // Racing writes that kept colliding: the client is told to retry, nothing is written.
  'CONFLICT',
]);

export const OPS = {
  follow: `mutation Follow($u: String!) { followUser(username: $u) { username followerCount } }`,
  unfollow: `mutation Unfollow($u: String!) { unfollowUser(username: $u) { username followerCount } }`,
  react: `mutation React($o: String!, $t: String!, $type: ReactionType!) { reactToPhoto(owner: $o, timestamp: $t, type: $type) { id reactionCounts { heart smiley thumbsUp sunglasses } } }`,
  unreact: `mutation Unreact($o: String!, $t: String!, $type: ReactionType!) { removeReaction(owner: $o, timestamp: $t, type: $type) { id } }`,
  join: `mutation Join($id: ID!) { joinGame(gameId: $id) { user { username } } }`,
  start: `mutation Start($id: ID!) { startGame(gameId: $id) { id status } }`,
  readUser: `query ReadUser($u: String!) { user(username: $u) { username followerCount followingCount followers(first: 5) { edges { node { username } } } photos(first: 3) { edges { node { id reactionCounts { heart } } } } } }`,
  readGame: `query ReadGame($id: ID!) { game(id: $id) { id playerCount status players(first: 10) { edges { node { user { username } } } } } }`,
  readPhoto: `query ReadPhoto($o: String!, $t: String!) { photo(owner: $o, timestamp: $t) { id reactionCounts { heart smiley thumbsUp sunglasses } reactions(first: 10) { edges { node { type user { username } } } } } }`,
};

const TYPES = ['HEART', 'SMILEY', 'THUMBS_UP', 'SUNGLASSES'] as const;

export interface WorldSize {
  users: number;
  games: number;
  photos: number;
  /** Players already in each game, creator included (1 = just created), so a short run still fills games. */
  seated?: number;
}

/** Seeds users, open games (the creator and the next `seated - 1` users as players) and photos without reactions. */
export async function seedWorld(doc: DynamoDBDocumentClient, tableName: string, size: WorldSize): Promise<World> {
  const users = await seedUsers(doc, tableName, size.users, 'w');
  const now = new Date().toISOString().slice(0, 19);
  const seated = Math.min(size.seated ?? 1, users.length, 50);
  const games = Array.from({ length: size.games }, (_, i) => ({ id: randomUUID(), creator: users[i % users.length]! }));
  const photos = Array.from({ length: size.photos }, (_, i): [string, string] => [
    users[i % users.length]!,
    `2024-01-01T00:00:${String(i % 60).padStart(2, '0')}.${String(i).padStart(3, '0')}`,
  ]);
  await loadItems(doc, tableName, [
    ...games.flatMap((g, i) => {
      const players = Array.from({ length: seated }, (_, k) => users[(i + k) % users.length]!);
      const { open_timestamp: _full, ...listedNoMore } = newGameItem(g.id, 'Reliability Ridge', g.creator, now);
      const game =
        seated >= 50 ? { ...listedNoMore, people: seated } : { ...newGameItem(g.id, 'Reliability Ridge', g.creator, now), people: seated };
      return [game, ...players.map((u) => newPlayerItem(g.id, u, now))];
    }),
    ...photos.map(([owner, ts]) => newPhotoItem(owner, ts, `https://photos.example.com/${owner}/${ts}.jpg`)),
  ]);
  return { users, games, photos };
}

export function scopeOf(world: World): Scope {
  return { users: world.users, games: world.games.map((g) => g.id), photos: world.photos };
}

/**
 * An endless, reproducible stream of operations over the world, writes and reads mixed. Follows
 * and reactions stay within a small circle of users, so unfollows and removals often find what
 * they remove; joins come from everyone, so games fill up.
 */
export function operations(world: World, seed: number, circleSize = 8): () => Operation {
  const random = seeded(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const circle = world.users.slice(0, circleSize);
  return () => {
    const me = pick(circle);
    const other = pick(circle);
    const [o, t] = pick(world.photos);
    const game = pick(world.games);
    const type = pick(TYPES);
    const r = random();
    if (r < 0.18) return { name: 'follow', query: OPS.follow, variables: { u: other }, as: me };
    if (r < 0.3) return { name: 'unfollow', query: OPS.unfollow, variables: { u: other }, as: me };
    if (r < 0.48) return { name: 'react', query: OPS.react, variables: { o, t, type }, as: me };
    if (r < 0.6) return { name: 'unreact', query: OPS.unreact, variables: { o, t, type }, as: me };
    if (r < 0.78) return { name: 'join', query: OPS.join, variables: { id: game.id }, as: pick(world.users) };
    if (r < 0.82) return { name: 'start', query: OPS.start, variables: { id: game.id }, as: random() < 0.5 ? game.creator : me };
    if (r < 0.9) return { name: 'readUser', query: OPS.readUser, variables: { u: other }, as: me };
    if (r < 0.95) return { name: 'readGame', query: OPS.readGame, variables: { id: game.id }, as: me };
    return { name: 'readPhoto', query: OPS.readPhoto, variables: { o, t }, as: me };
  };
}
