// Round trips: what reading games with their players' profiles costs, counted by the recording
// proxy (res.calls) and by the server's own meter (extensions.dynamodb.waves).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Item } from '../../src/data/dynamo/batch.js';
import { newGameItem, newPlayerItem } from '../../src/data/games/lobby-writes.js';
import { loadItems } from '../../src/ops/load.js';
import { countCalls, errorCodes, expectNoErrors, startTestServer, type TestServer } from '../helpers/server.js';
import { freshMap, seedGame, seedUsers } from './games-seed.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ seed: ['game'] });
});
afterAll(() => s.close());

const PLAYER_NAMES = `players(first: 50) { edges { node { user { username name } } } }`;
const names = (game: any) => game.players.edges.map((e: any) => e.node.user.name);

describe('reading games with their players', () => {
  it("shows a 50-player game with every player's name in 2 calls and 2 waves", async () => {
    const res = await s.execute(`{ game(id: "c9c3917e-30f3-4ba4-82c4-2e9a0e4d1cfd") { id playerCount ${PLAYER_NAMES} } }`);
    expectNoErrors(res);
    expect(res.data!.game.playerCount).toBe(50);
    expect(names(res.data!.game)).toHaveLength(50);
    expect(names(res.data!.game).every((n: unknown) => typeof n === 'string')).toBe(true);
    expect(countCalls(res.calls)).toEqual({ Query: 1, BatchGetItem: 1 });
    expect(res.extensions!.dynamodb).toMatchObject({ totalCalls: 2, waves: 2 });
  });

  it("reads the players' users only when the query selects them, through fragments too", async () => {
    const GAME = 'c9c3917e-30f3-4ba4-82c4-2e9a0e4d1cfd';
    const bare = await s.execute(`{ game(id: "${GAME}") { players(first: 50) { edges { node { kills } } } } }`);
    expectNoErrors(bare);
    expect(bare.data!.game.players.edges).toHaveLength(50);
    expect(countCalls(bare.calls)).toEqual({ Query: 1 });

    const viaFragments = await s.execute(`{ game(id: "${GAME}") { players(first: 50) { edges { ...Row } } } }
      fragment Row on GameParticipationEdge { node { ... on GameParticipation { who: user { username } } } }`);
    expectNoErrors(viaFragments);
    const who = viaFragments.data!.game.players.edges.map((e: any) => e.node.who.username);
    expect(new Set(who).size).toBe(50);
    expect(countCalls(viaFragments.calls)).toEqual({ Query: 1, BatchGetItem: 1 });
  });

  it('fails a player whose user item is missing as broken data, not as a missing player', async () => {
    const [creator] = await seedUsers(s, 1, 'ghost');
    const id = crypto.randomUUID();
    const at = '2024-07-07T07:00:00';
    // Started, so it stays out of the open-games lists other tests read.
    const started: Item = { ...newGameItem(id, 'Ghost Gulch', creator!, at), people: 2, start_time: at };
    delete started.open_timestamp;
    await loadItems(s.clients.doc, s.tableName, [started, newPlayerItem(id, creator!, at), newPlayerItem(id, 'ghost_nobody', at)]);
    const res = await s.execute(`query($id: ID!) { game(id: $id) { players { edges { node { user { username } } } } } }`, {
      variables: { id },
    });
    expect(errorCodes(res)).toEqual(['INTERNAL_SERVER_ERROR']);
    expect(res.data).toEqual({ game: null });
  });

  it('pages the players of a game read with its partition, and continues with a Query of the players', async () => {
    const first = await s.execute(
      `{ game(id: "c9c3917e-30f3-4ba4-82c4-2e9a0e4d1cfd") { players(first: 30) { edges { node { user { username } } } pageInfo { hasNextPage endCursor } } } }`,
    );
    expectNoErrors(first);
    const page1 = first.data!.game.players;
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const rest = await s.execute(
      `query($after: String) { game(id: "c9c3917e-30f3-4ba4-82c4-2e9a0e4d1cfd") { players(first: 30, after: $after) { edges { node { user { username } } } pageInfo { hasNextPage } } } }`,
      {
        variables: { after: page1.pageInfo.endCursor },
      },
    );
    expectNoErrors(rest);
    expect(rest.data!.game.players.pageInfo.hasNextPage).toBe(false);
    const all = [...page1.edges, ...rest.data!.game.players.edges].map((e: any) => e.node.user.username);
    expect(all).toHaveLength(50);
    expect(all).toEqual([...all].sort());
    expect(new Set(all).size).toBe(50);
    // The later page: the game by key beside the players' Query, then their users.
    expect(rest.extensions!.dynamodb).toMatchObject({ calls: { BatchGetItem: 2, Query: 1 }, totalCalls: 3, waves: 2 });
  });

  it('serves a first and a later page of one game together, refuses a bad cursor on players, and answers null for a missing game', async () => {
    const GAME = 'c9c3917e-30f3-4ba4-82c4-2e9a0e4d1cfd';
    const q = `query($id: ID!, $after: String) { game(id: $id) { id a: players(first: 10) { edges { node { id } } pageInfo { endCursor } }
      b: players(first: 10, after: $after) { edges { node { id } } } } }`;
    const p1 = await s.execute(`{ game(id: "${GAME}") { players(first: 10) { pageInfo { endCursor } } } }`);
    const both = await s.execute(q, { variables: { id: GAME, after: p1.data!.game.players.pageInfo.endCursor } });
    expectNoErrors(both);
    const a = both.data!.game.a.edges.map((e: any) => e.node.id);
    const b = both.data!.game.b.edges.map((e: any) => e.node.id);
    expect(new Set([...a, ...b]).size).toBe(20);
    // The partition's Query serves the game and the first page; the later page's Query runs beside it.
    expect(both.extensions!.dynamodb).toMatchObject({ calls: { Query: 2 }, waves: 1 });

    const bad = await s.execute(q, { variables: { id: GAME, after: 'not-a-cursor' } });
    expect(errorCodes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(bad.errors![0]!.path).toEqual(['game', 'b']);

    const missing = await s.execute(
      `query($id: ID!, $after: String) { game(id: $id) { players(first: 5, after: $after) { edges { node { id } } } } }`,
      {
        variables: { id: crypto.randomUUID(), after: p1.data!.game.players.pageInfo.endCursor },
      },
    );
    expectNoErrors(missing);
    expect(missing.data).toEqual({ game: null });
  });

  it('reads the 250 distinct players of 5 full games with exactly 3 BatchGetItem calls', async () => {
    const users = await seedUsers(s, 250, 'full');
    const map = freshMap();
    const ids = await Promise.all(
      [0, 1, 2, 3, 4].map((g) => seedGame(s, { map, players: users.slice(g * 50, g * 50 + 50), started: true })),
    );
    const op = `{ ${ids.map((id, i) => `g${i}: game(id: "${id}") { ${PLAYER_NAMES} }`).join(' ')} }`;
    const res = await s.execute(op);
    expectNoErrors(res);
    const seen = ids.flatMap((_, i) => res.data![`g${i}`].players.edges.map((e: any) => e.node.user.username));
    expect(new Set(seen).size).toBe(250);
    expect(countCalls(res.calls)).toEqual({ Query: 5, BatchGetItem: 3 });
    const batches = res.calls.filter((c) => c.command === 'BatchGetItem').map((c) => (c.body as any).RequestItems[s.tableName].Keys.length);
    expect(batches.sort()).toEqual([100, 100, 50]);
    expect(res.extensions!.dynamodb.waves).toBe(2);
  });

  it("lists 10 open games on a map with their players' names: 1 + 10 Queries and one BatchGetItem per 100 users, in 3 waves", async () => {
    const users = await seedUsers(s, 150, 'open');
    const map = freshMap();
    // Ten open games of 15 distinct players each: 150 users, so 2 batches.
    for (let g = 0; g < 10; g++)
      await seedGame(s, { map, players: users.slice(g * 15, g * 15 + 15), createTime: `2024-05-01T10:0${g}:00` });
    const res = await s.execute(`query($map: String!) { openGames(map: $map, first: 10) { edges { node { id ${PLAYER_NAMES} } } } }`, {
      variables: { map },
    });
    expectNoErrors(res);
    const seen = res.data!.openGames.edges.flatMap((e: any) => names(e.node));
    expect(seen).toHaveLength(150);
    expect(countCalls(res.calls)).toEqual({ Query: 11, BatchGetItem: 2 });
    expect(res.extensions!.dynamodb.waves).toBe(3);
  });

  it("lists the lab's open games on every map with their players' names: 1 Scan, a Query per game and a BatchGetItem per 100 users, in 3 waves", async () => {
    const res = await s.execute(`{ openGames(first: 40) { edges { node { id map playerCount ${PLAYER_NAMES} } } } }`);
    expectNoErrors(res);
    const lab = res.data!.openGames.edges.filter((e: any) =>
      ['Dirty Desert', 'Green Grasslands', 'Juicy Jungle', 'Urban Underground'].includes(e.node.map),
    );
    expect(lab).toHaveLength(9);
    // The lab's open games seat 220 players, 153 of them distinct.
    expect(lab.reduce((n: number, e: any) => n + e.node.players.edges.length, 0)).toBe(220);
    // Other tests of this file may have opened games too: the cost follows what is listed.
    const games = res.data!.openGames.edges;
    const distinct = new Set(games.flatMap((e: any) => e.node.players.edges.map((p: any) => p.node.user.username))).size;
    expect(countCalls(res.calls)).toEqual({ Scan: 1, Query: games.length, BatchGetItem: Math.ceil(distinct / 100) });
    expect(res.extensions!.dynamodb.waves).toBe(3);
  });
});
