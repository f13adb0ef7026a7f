// The operations the benchmark sends, and the fewest DynamoDB calls each can be served with.
import * as seed from './seed.js';

/** The largest page the API serves; a fan-out of 1000 is read as 10 pages of 100. */
export const PAGE = 100;

export interface ReadScenario {
  id: string;
  group: 'fanout' | 'canonical';
  /** Which related list grows: followers, players or photos. */
  family: 'followers' | 'players' | 'feed' | 'following' | 'openGames';
  fanout: number;
  query: string;
  /** Variables of each page; the `after` of page k > 0 is filled in from page k-1's response. */
  pages: Record<string, unknown>[];
  /** Where the next page's cursor is in a response. */
  connectionPath: string[];
  /** The fewest calls that can serve the whole op (all its pages), and why. */
  floor: { calls: number; why: string };
  /** The related items one op returns (for per-item slopes). */
  items: number;
}

const FOLLOWERS = `query Followers($u: String!, $first: Int, $after: String) {
  user(username: $u) { username name followers(first: $first, after: $after) { edges { node { username name } } pageInfo { hasNextPage endCursor } } }
}`;

const FOLLOWING = `query Following($u: String!, $first: Int) {
  user(username: $u) { username name following(first: $first) { edges { node { username name } } pageInfo { hasNextPage endCursor } } }
}`;

const PLAYERS = `query Players($id: ID!, $first: Int, $after: String) {
  game(id: $id) { id map players(first: $first, after: $after) { edges { node { user { username name } } } pageInfo { hasNextPage endCursor } } }
}`;

// A feed card shows the photo, its reaction counts and who posted it.
const FEED = `query Feed($u: String!, $first: Int, $after: String) {
  user(username: $u) { username photos(first: $first, after: $after) {
    edges { node { id timestamp location reactionCounts { heart smiley thumbsUp sunglasses } owner { username name } } }
    pageInfo { hasNextPage endCursor } } }
}`;

const OPEN_GAMES = `query OpenGames($map: String!, $first: Int, $players: Int) {
  openGames(map: $map, first: $first) { edges { node { id map players(first: $players) { edges { node { user { username name } } } } } } }
}`;

function pagesFor(n: number, vars: Record<string, unknown>): Record<string, unknown>[] {
  const count = Math.max(1, Math.ceil(n / PAGE));
  return Array.from({ length: count }, () => ({ ...vars, first: Math.min(n, PAGE) }));
}

export function readScenarios(fanouts: readonly number[]): ReadScenario[] {
  const out: ReadScenario[] = [];
  for (const n of fanouts) {
    const pages = Math.max(1, Math.ceil(n / PAGE));
    out.push({
      id: `followers-${n}`,
      group: 'fanout',
      family: 'followers',
      fanout: n,
      query: FOLLOWERS,
      pages: pagesFor(n, { u: seed.followedUser(n) }),
      connectionPath: ['user', 'followers'],
      floor: {
        // A first page that holds every follower reads the profile in the same Query (src/data/users/profile.ts).
        calls: pages === 1 ? 2 : 3 * pages,
        why: 'one page: the user and its followers (one Query), their profiles (BatchGetItem); with more pages, per page the user, the follow items and their profiles',
      },
      items: n,
    });
    out.push({
      id: `players-${n}`,
      group: 'fanout',
      family: 'players',
      fanout: n,
      query: PLAYERS,
      pages: pagesFor(n, { id: seed.fanoutGame(n) }),
      connectionPath: ['game', 'players'],
      floor: {
        calls: pages === 1 ? 2 : 2 + 3 * (pages - 1),
        why: 'one page: the game with its players (one Query) + their users (BatchGetItem); a later page needs the game, the next players and their users',
      },
      items: n,
    });
    out.push({
      id: `feed-${n}`,
      group: 'fanout',
      family: 'feed',
      fanout: n,
      query: FEED,
      pages: pagesFor(n, { u: seed.feedUser(n) }),
      connectionPath: ['user', 'photos'],
      floor: {
        calls: pages === 1 ? 1 : 2 * pages,
        why: 'one page: the user and its photos with their counts (one Query); with more pages, per page the user (BatchGetItem) + the photos (Query); every owner is that user',
      },
      items: n,
    });
  }
  return out;
}

export function canonicalScenarios(): ReadScenario[] {
  return [
    {
      id: 'following-100',
      group: 'canonical',
      family: 'following',
      fanout: 100,
      query: FOLLOWING,
      pages: [{ u: seed.followingUser, first: 100 }],
      connectionPath: ['user', 'following'],
      floor: { calls: 3, why: 'the user, the follows on InvertedIndex (Query), the 100 profiles (one BatchGetItem)' },
      items: 100,
    },
    {
      id: 'game-50',
      group: 'canonical',
      family: 'players',
      fanout: 50,
      query: PLAYERS,
      pages: [{ id: seed.fiftyGame, first: 50 }],
      connectionPath: ['game', 'players'],
      floor: { calls: 2, why: 'the game and its 50 players (one Query), their users (one BatchGetItem); the brief allows ≤ 3' },
      items: 50,
    },
    {
      id: 'open-games-10',
      group: 'canonical',
      family: 'openGames',
      fanout: seed.OPEN_GAMES * seed.OPEN_GAME_PLAYERS,
      query: OPEN_GAMES,
      pages: [{ map: seed.OPEN_MAP, first: seed.OPEN_GAMES, players: 50 }],
      connectionPath: [],
      floor: {
        calls: 1 + seed.OPEN_GAMES + Math.ceil(seed.OPEN_GAME_DISTINCT_USERS / 100),
        why: `1 (OpenGamesIndex) + ${seed.OPEN_GAMES} (each game's players) + ceil(${seed.OPEN_GAME_DISTINCT_USERS} distinct users / 100)`,
      },
      items: seed.OPEN_GAMES * seed.OPEN_GAME_PLAYERS,
    },
  ];
}

// Writes: each request takes the next unused (user, target) pair, so no op fails as a repeat and
// concurrent ops touch different items (no transaction conflicts from the harness itself).
export interface WriteScenario {
  id: 'joinGame' | 'followUser' | 'reactToPhoto';
  query: string;
  /** The viewer and variables of the i-th op. */
  op(i: number): { as: string; variables: Record<string, unknown> };
  capacity: number;
  /** Write units the op cannot do with fewer, and the calls. */
  analytic: { wcu: number; why: string };
}

export const REACTION_TYPES = ['HEART', 'SMILEY', 'THUMBS_UP', 'SUNGLASSES'] as const;

export const writeScenarios: WriteScenario[] = [
  {
    id: 'joinGame',
    query: 'mutation Join($g: ID!) { joinGame(gameId: $g) { joinedAt } }',
    op: (i) => ({ as: seed.joiner(Math.floor(i / seed.JOIN_GAMES)), variables: { g: seed.joinGame(i % seed.JOIN_GAMES) } }),
    capacity: seed.JOIN_GAMES * seed.JOINERS,
    analytic: { wcu: 6, why: 'TransactWriteItems of 3 actions (Put player, check user, Update game) = 2×(1+1+1) WCU, items ≤ 1 KB' },
  },
  {
    id: 'followUser',
    query: 'mutation Follow($u: String!) { followUser(username: $u) { username followerCount } }',
    op: (i) => {
      const a = i % seed.FOLLOW_POOL;
      const b = Math.floor(i / seed.FOLLOW_POOL);
      return { as: seed.followerOf(a), variables: { u: seed.followTarget((a + b) % seed.FOLLOW_POOL) } };
    },
    capacity: seed.FOLLOW_POOL * seed.FOLLOW_POOL,
    analytic: { wcu: 6, why: 'TransactWriteItems of 3 actions (Put follow, Update both counters) = 2×3 WCU' },
  },
  {
    id: 'reactToPhoto',
    query:
      'mutation React($o: String!, $t: String!, $type: ReactionType!) { reactToPhoto(owner: $o, timestamp: $t, type: $type) { reactionCounts { heart smiley thumbsUp sunglasses } } }',
    op: (i) => {
      const rest = Math.floor(i / seed.REACT_PHOTOS);
      return {
        as: seed.reactor(rest % seed.REACTORS),
        variables: {
          o: seed.photoOwner,
          t: seed.photoTimestamp(i % seed.REACT_PHOTOS),
          type: REACTION_TYPES[Math.floor(rest / seed.REACTORS) % REACTION_TYPES.length],
        },
      };
    },
    capacity: seed.REACT_PHOTOS * seed.REACTORS * REACTION_TYPES.length,
    analytic: { wcu: 4, why: "TransactWriteItems of 2 actions (Put reaction, Update the photo's count) = 2×2 WCU" },
  },
];
