// The benchmark's data, generated deterministically so DynamoDB Local (seeded by BatchWrite) and
// the stub endpoint (which answers from the same items) hold exactly the same table.
//
//   who / what                          items
//   pool users bench_u0000..           the related users every fan-out reads (as many as the largest fan-out)
//   bench_fol_<N>  (N = 1, 10, 100, 1000)  N follow items: followed by pool users 0..N-1
//   bench_fing_100                      follows pool users 0..99 (the "following" canonical query)
//   game FANOUT(N)                      a game partition with N players (pool users 0..N-1); the
//                                       API caps games at 50, the benchmark seeds bigger ones directly
//   game FIFTY                          50 players (the canonical "game with 50 players")
//   10 open games on map "Bench Map"    30 players each, 150 distinct users overlapping between games
//   bench_feed_<N>                      N photos with reaction counts
//   write pools                         users and games the write scenarios consume, one pair each
import { keys } from '../src/data/keys.js';
import type { Item } from '../src/data/dynamo/batch.js';
import { prng, seedOf } from './stats.js';

export const FANOUTS = [1, 10, 100, 1000] as const;
export type Fanout = (typeof FANOUTS)[number];

export const OPEN_MAP = 'Bench Map';
export const OPEN_GAMES = 10;
export const OPEN_GAME_PLAYERS = 30;
/** Distinct users across the open games (each game takes 30 of them, starting 15 further on). */
export const OPEN_GAME_DISTINCT_USERS = 150;

// Write pools: sized for the largest write run (see run.ts writeAmounts), one fresh pair per op.
export const JOIN_GAMES = 120;
export const JOINERS = 49;
export const FOLLOW_POOL = 64;
export const REACT_PHOTOS = 64;
export const REACTORS = 32;

export const poolUser = (i: number) => `bench_u${String(i).padStart(4, '0')}`;
export const followedUser = (n: number) => `bench_fol_${n}`;
export const followingUser = 'bench_fing_100';
export const feedUser = (n: number) => `bench_feed_${n}`;
export const joiner = (i: number) => `bench_j${String(i).padStart(2, '0')}`;
export const followerOf = (i: number) => `bench_fa${String(i).padStart(2, '0')}`;
export const followTarget = (i: number) => `bench_fb${String(i).padStart(2, '0')}`;
export const reactor = (i: number) => `bench_r${String(i).padStart(2, '0')}`;
export const photoOwner = 'bench_photo_owner';
export const gameCreator = 'bench_creator';

/** UUID-shaped ids like the lab's, readable in a dump: kind 1 = fan-out, 2 = fifty, 3 = open, 4 = join pool. */
export const gameId = (kind: number, n: number) => `b000000${kind}-0000-4000-8000-${String(n).padStart(12, '0')}`;
export const fanoutGame = (n: number) => gameId(1, n);
export const fiftyGame = gameId(2, 50);
export const openGame = (i: number) => gameId(3, i);
export const joinGame = (i: number) => gameId(4, i);

export const photoTimestamp = (i: number) => {
  // One photo a minute from 2024-01-01, distinct and in string order.
  const d = new Date(Date.UTC(2024, 0, 1) + i * 60_000);
  return d.toISOString().slice(0, 19);
};

const FIRST = ['Ana', 'Bruno', 'Chloe', 'Dmitri', 'Esther', 'Farid', 'Greta', 'Hiro', 'Ines', 'Jonas', 'Kemi', 'Luca'];
const LAST = ['Okafor', 'Lindqvist', 'Moreau', 'Tanaka', 'Silva', 'Novak', 'Haddad', 'Kowalski', 'Ferreira', 'Nguyen'];
const STREETS = ['Maple Avenue', 'Harbour Road', 'Station Street', 'Elm Close', 'Mill Lane', 'Park Crescent'];
const INTERESTS = ['photography', 'hiking', 'cooking', 'chess', 'cycling', 'jazz', 'gardening', 'travel', 'films'];

/** A user item shaped like the photo lab's (the largest user items in the labs' data). */
export function userItem(username: string): Item {
  // Seeded by the name, so a user is the same whichever fan-outs a run seeds.
  const r = prng(seedOf(username));
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const first = pick(FIRST);
  const last = pick(LAST);
  return {
    ...keys.user(username),
    username,
    name: `${first} ${last}`,
    email: `${username}@example.com`,
    birthdate: `19${50 + Math.floor(r() * 50)}-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}`,
    address: `${1 + Math.floor(r() * 999)} ${pick(STREETS)}, Suite ${Math.floor(r() * 900)}, Springfield, OR 97${100 + Math.floor(r() * 800)}`,
    status: `${pick(INTERESTS)} and ${pick(INTERESTS)} whenever I can`,
    interests: [pick(INTERESTS), pick(INTERESTS), pick(INTERESTS)],
    followers: Math.floor(r() * 500),
    following: Math.floor(r() * 500),
  };
}

function followItem(followed: string, follower: string, i: number): Item {
  return { ...keys.follow(followed, follower), followedUser: followed, followingUser: follower, timestamp: photoTimestamp(i) };
}

function gameItem(id: string, people: number, open: boolean, creator: string, i: number): Item {
  const t = photoTimestamp(i);
  return {
    ...keys.game(id),
    game_id: id,
    map: open ? OPEN_MAP : 'Green Grasslands',
    create_time: t,
    people,
    creator,
    ...(open ? { open_timestamp: t } : {}),
  };
}

function playerItem(id: string, username: string, i: number): Item {
  return { ...keys.player(id, username), game_id: id, username, joined_at: photoTimestamp(i) };
}

function photoItem(owner: string, i: number): Item {
  const r = prng(10_000 + i);
  const ts = photoTimestamp(i);
  return {
    ...keys.photo(owner, ts),
    username: owner,
    timestamp: ts,
    location: `https://photos.example.com/${owner}/${ts.replaceAll(':', '-')}-${Math.floor(r() * 1e9).toString(36)}.jpg`,
    reactions: { '+1': Math.floor(r() * 40), smiley: Math.floor(r() * 40), sunglasses: Math.floor(r() * 40), heart: Math.floor(r() * 40) },
  };
}

/** Every item of the benchmark table, for the fan-outs a run measures (the pool is as big as the largest). */
export function benchItems(fanouts: readonly number[] = FANOUTS): Item[] {
  const items: Item[] = [];
  const pool = Math.max(OPEN_GAME_DISTINCT_USERS, ...fanouts);
  for (let i = 0; i < pool; i++) items.push(userItem(poolUser(i)));
  const special = [followingUser, gameCreator, photoOwner, ...fanouts.flatMap((n) => [followedUser(n), feedUser(n)])];
  for (let i = 0; i < JOINERS; i++) special.push(joiner(i));
  for (let i = 0; i < FOLLOW_POOL; i++) special.push(followerOf(i), followTarget(i));
  for (let i = 0; i < REACTORS; i++) special.push(reactor(i));
  for (const u of special) items.push(userItem(u));

  for (const n of fanouts) {
    for (let i = 0; i < n; i++) items.push(followItem(followedUser(n), poolUser(i), i));
    items.push(gameItem(fanoutGame(n), n, false, poolUser(0), n));
    for (let i = 0; i < n; i++) items.push(playerItem(fanoutGame(n), poolUser(i), i));
    for (let i = 0; i < n; i++) items.push(photoItem(feedUser(n), i));
  }
  for (let i = 0; i < 100; i++) items.push(followItem(poolUser(i), followingUser, i));

  items.push(gameItem(fiftyGame, 50, false, poolUser(0), 50));
  for (let i = 0; i < 50; i++) items.push(playerItem(fiftyGame, poolUser(i), i));

  for (let g = 0; g < OPEN_GAMES; g++) {
    const id = openGame(g);
    items.push(gameItem(id, OPEN_GAME_PLAYERS, true, poolUser(g * 15), g));
    for (let k = 0; k < OPEN_GAME_PLAYERS; k++) items.push(playerItem(id, poolUser((g * 15 + k) % OPEN_GAME_DISTINCT_USERS), k));
  }

  // Join pool: each game has its creator's seat; the joiners take seats 2..50.
  for (let g = 0; g < JOIN_GAMES; g++) {
    items.push({ ...gameItem(joinGame(g), 1, true, gameCreator, g), map: 'Join Pool' });
    items.push(playerItem(joinGame(g), gameCreator, g));
  }
  for (let i = 0; i < REACT_PHOTOS; i++) items.push(photoItem(photoOwner, i));
  return items;
}

/** Approximate DynamoDB item size (UTF-8 names and values), for the report. */
export function itemBytes(item: Item): number {
  let n = 0;
  const size = (v: unknown): number => {
    if (typeof v === 'string') return Buffer.byteLength(v);
    if (typeof v === 'number') return 8;
    if (Array.isArray(v)) return 3 + v.reduce((a: number, x) => a + 1 + size(x), 0);
    if (v && typeof v === 'object') return 3 + Object.entries(v).reduce((a, [k, x]) => a + 1 + Buffer.byteLength(k) + size(x), 0);
    return 1;
  };
  for (const [k, v] of Object.entries(item)) n += Buffer.byteLength(k) + size(v);
  return n;
}
