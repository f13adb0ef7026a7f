// The floor: the same schema answered from memory by plain Apollo Server resolvers, with no
// DynamoDB, no loaders, no cursor crypto and no cost metering. Whatever our server spends above
// this (plus what the AWS SDK itself costs per call and item) is its own overhead.
import type { Item } from '../../src/data/dynamo/batch.js';
import { keyId, keys } from '../../src/data/keys.js';
import { benchItems } from '../seed.js';

interface PageArgs {
  first?: number | null;
  after?: string | null;
}

type Resolver = (parent: Item, args: Record<string, any>) => unknown;

export function plainResolvers(items: Item[] = benchItems()) {
  const byKey = new Map<string, Item>();
  const partitions = new Map<string, Item[]>();
  const inverted = new Map<string, Item[]>();
  const openByMap = new Map<string, Item[]>();
  const push = (m: Map<string, Item[]>, k: string, it: Item) => (m.get(k) ?? m.set(k, []).get(k)!).push(it);
  for (const it of items) {
    byKey.set(keyId({ PK: String(it.PK), SK: String(it.SK) }), it);
    push(partitions, String(it.PK), it);
    push(inverted, String(it.SK), it);
    if (typeof it.open_timestamp === 'string') push(openByMap, String(it.map), it);
  }
  const by = (a: string) => (x: Item, y: Item) => (String(x[a]) < String(y[a]) ? -1 : String(x[a]) > String(y[a]) ? 1 : 0);
  for (const list of partitions.values()) list.sort(by('SK'));
  for (const list of inverted.values()) list.sort(by('PK'));
  for (const list of openByMap.values()) list.sort(by('open_timestamp'));

  const get = (key: { PK: string; SK: string }) => byKey.get(keyId(key)) ?? null;
  const connection = (list: Item[], args: PageArgs, node: (it: Item) => unknown) => {
    const start = args.after ? Number(args.after) : 0;
    const first = args.first ?? 20;
    const page = list.slice(start, start + first);
    const edges = page.map((it, i) => ({ cursor: String(start + i + 1), node: node(it) }));
    const hasNextPage = start + first < list.length;
    return {
      edges,
      pageInfo: { hasNextPage, hasPreviousPage: start > 0, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
    };
  };
  const lists = new Map<string, Item[]>();
  const partition = (pk: string, prefix: string, descending = false) => {
    const id = `${pk}\u0000${prefix}\u0000${descending}`;
    let list = lists.get(id);
    if (!list) {
      list = (partitions.get(pk) ?? []).filter((it) => String(it.SK).startsWith(prefix));
      if (descending) list.reverse();
      lists.set(id, list);
    }
    return list;
  };

  const User: Record<string, Resolver> = {
    followerCount: (u) => u.followers ?? 0,
    followingCount: (u) => u.following ?? 0,
    interests: (u) => u.interests ?? [],
    followers: (u, args) =>
      connection(partition(String(u.PK), keys.follow.skPrefix), args, (f) => get(keys.user(keys.follow.parseSk(String(f.SK))))),
    following: (u, args) =>
      connection(inverted.get(keys.follow.sk(String(u.username))) ?? [], args, (f) => get(keys.user(keys.user.parsePk(String(f.PK))))),
    photos: (u, args) => connection(partition(String(u.PK), keys.photo.ownerSkPrefix(String(u.username)), true), args, (p) => p),
  };
  const Photo: Record<string, Resolver> = {
    id: (p) => `${p.username}/${p.timestamp}`,
    owner: (p) => get(keys.user(String(p.username))),
    reactionCounts: (p) => {
      const r = (p.reactions ?? {}) as Record<string, number>;
      return { heart: r.heart ?? 0, smiley: r.smiley ?? 0, thumbsUp: r['+1'] ?? 0, sunglasses: r.sunglasses ?? 0 };
    },
  };
  const Game: Record<string, Resolver> = {
    id: (g) => g.game_id,
    creator: (g) => get(keys.user(String(g.creator))),
    createdAt: (g) => g.create_time,
    playerCount: (g) => g.people,
    capacity: () => 50,
    players: (g, args) => connection(partition(String(g.PK), keys.player.skPrefix), args, (p) => p),
  };
  const GameParticipation: Record<string, Resolver> = {
    game: (p) => get(keys.game(String(p.game_id))),
    user: (p) => get(keys.user(String(p.username))),
    joinedAt: (p) => p.joined_at ?? null,
  };
  return {
    Query: {
      ping: () => 'ok',
      user: (_: unknown, { username }: { username: string }) => get(keys.user(username)),
      game: (_: unknown, { id }: { id: string }) => get(keys.game(id)),
      openGames: (_: unknown, { map, ...page }: { map: string } & PageArgs) => connection(openByMap.get(map) ?? [], page, (g) => g),
    },
    Mutation: { ping: () => 'ok' },
    User,
    Photo,
    Game,
    GameParticipation,
  };
}
