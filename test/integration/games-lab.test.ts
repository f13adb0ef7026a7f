// The game lab's read access patterns on the lab's own data give the lab's answers. Nothing here
// writes, so the expected lists are exactly the lab's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countCalls, errorCodes, expectNoErrors, startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ seed: ['game'] });
});
afterAll(() => s.close());

const GRASSLANDS_OPEN = [
  '14c7f97e-8354-4ddf-985f-074970818215', // open since 2019-04-14T12:48:59
  '3d4285f0-e52b-401a-a59b-112b38c4a26b', // 2019-04-15T05:34:34
  '683680f0-02b0-4e5e-a36a-be4e00fc93f3', // 2019-04-15T12:55:44
  '0ab37cf1-fc60-4d93-b72b-89335f759581', // 2019-04-16T00:41:18
];
const ALL_OPEN = [
  ...GRASSLANDS_OPEN,
  'd06af94a-2363-441d-a69b-49e3f85e748a',
  '873aaf13-0847-4661-ba26-21e0c66ebe64',
  'fe89e561-8a93-4e08-84d8-efa88bef383d',
  '248dd9ef-6b17-42f0-9567-2cbd3dd63174',
  'c6f38a6a-d1c5-4bdf-8468-24692ccc4646',
];

const ids = (conn: { edges: { node: { id: string } }[] }) => conn.edges.map((e) => e.node.id);

describe('the game lab on its own data', () => {
  it('views a game and its players, in username order, with one Query', async () => {
    const res = await s.execute(`{
      game(id: "3d4285f0-e52b-401a-a59b-112b38c4a26b") {
        id map createdAt startedAt endedAt playerCount capacity status
        players(first: 3) { edges { node { user { username } place joinedAt } } pageInfo { hasNextPage } }
      }
    }`);
    expectNoErrors(res);
    expect(res.data!.game).toEqual({
      id: '3d4285f0-e52b-401a-a59b-112b38c4a26b',
      map: 'Green Grasslands',
      createdAt: '2019-04-15T05:34:34',
      startedAt: null,
      endedAt: null,
      playerCount: 17,
      capacity: 50,
      status: 'OPEN',
      players: {
        edges: ['branchmichael', 'deanmcclure', 'emccoy'].map((username) => ({
          node: { user: { username }, place: null, joinedAt: null },
        })),
        pageInfo: { hasNextPage: true },
      },
    });
    expect(countCalls(res.calls)).toEqual({ Query: 1, BatchGetItem: 1 });
  });

  it('shows a finished game with its podium, as the lab stored it', async () => {
    const res = await s.execute(`{
      game(id: "25cec5bf-e498-483e-9a00-a5f93b9ea7c7") {
        status startedAt endedAt creator { username } gold { username } silver { username } bronze { username }
        players(first: 50) { edges { node { user { username } place } } }
      }
    }`);
    expectNoErrors(res);
    const game = res.data!.game;
    expect(game).toMatchObject({
      status: 'FINISHED',
      // The lab's data ends this game before it starts; we show it as stored.
      startedAt: '2019-04-14T03:46:12',
      endedAt: '2019-04-14T03:35:02',
      creator: { username: 'phendrix' },
      gold: { username: 'pboyd' },
      silver: { username: 'carrpatrick' },
      bronze: { username: 'reidspencer' },
    });
    const medals = game.players.edges.filter((e: any) => e.node.place).map((e: any) => [e.node.user.username, e.node.place]);
    expect(medals).toEqual([
      ['carrpatrick', 'SILVER'],
      ['pboyd', 'GOLD'],
      ['reidspencer', 'BRONZE'],
    ]);
    expect(game.players.edges).toHaveLength(50);
  });

  it('finds the open games on a map, oldest first, and pages through them', async () => {
    const q = `query($after: String) { openGames(map: "Green Grasslands", first: 3, after: $after) { edges { node { id status } } pageInfo { hasNextPage endCursor } } }`;
    const first = await s.execute(q);
    expectNoErrors(first);
    expect(ids(first.data!.openGames)).toEqual(GRASSLANDS_OPEN.slice(0, 3));
    expect(first.data!.openGames.pageInfo.hasNextPage).toBe(true);
    expect(countCalls(first.calls)).toEqual({ Query: 1 });
    const second = await s.execute(q, { variables: { after: first.data!.openGames.pageInfo.endCursor } });
    expectNoErrors(second);
    expect(ids(second.data!.openGames)).toEqual(GRASSLANDS_OPEN.slice(3));
    expect(second.data!.openGames.pageInfo.hasNextPage).toBe(false);
  });

  it("finds the open games on every map from the sparse index (the lab's nine)", async () => {
    const res = await s.execute(`{ openGames(first: 100) { edges { node { id map status } } pageInfo { hasNextPage } } }`);
    expectNoErrors(res);
    expect(ids(res.data!.openGames).sort()).toEqual([...ALL_OPEN].sort());
    expect(res.data!.openGames.edges.every((e: any) => e.node.status === 'OPEN')).toBe(true);
    expect(countCalls(res.calls)).toEqual({ Scan: 1 });

    const pages: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 5; i++) {
      const page: any = await s.execute(
        `query($after: String) { openGames(first: 4, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
        { variables: { after } },
      );
      expectNoErrors(page);
      pages.push(...ids(page.data.openGames));
      if (!page.data.openGames.pageInfo.hasNextPage) break;
      after = page.data.openGames.pageInfo.endCursor;
    }
    expect(pages).toEqual(ids(res.data!.openGames));
  });

  it('primes the loader with the open games it lists, so their creators cost one BatchGetItem', async () => {
    const res = await s.execute(`{ openGames(map: "Dirty Desert") { edges { node { id playerCount creator { username } } } } }`);
    expectNoErrors(res);
    expect(res.data!.openGames.edges.map((e: any) => [e.node.id, e.node.playerCount, e.node.creator.username])).toEqual([
      ['d06af94a-2363-441d-a69b-49e3f85e748a', 1, 'evan71'],
      ['873aaf13-0847-4661-ba26-21e0c66ebe64', 21, 'nancy26'],
      ['fe89e561-8a93-4e08-84d8-efa88bef383d', 34, 'dchavez'],
    ]);
    expect(countCalls(res.calls)).toEqual({ Query: 1, BatchGetItem: 1 });
  });

  it('lists the games on a map newest first, within a time range', async () => {
    const all = await s.execute(`{ gamesByMap(map: "Dirty Desert") { edges { node { id status } } } }`);
    expectNoErrors(all);
    expect(ids(all.data!.gamesByMap)).toEqual([
      'f25030b7-5db0-44d5-ae76-4d310ef24e08',
      'fe89e561-8a93-4e08-84d8-efa88bef383d',
      '873aaf13-0847-4661-ba26-21e0c66ebe64',
      '292c8712-c9df-4721-a9a2-cae4ac607ed6',
      'd06af94a-2363-441d-a69b-49e3f85e748a',
      '3a816c56-53e9-4d42-a76d-fa4af24b9842',
      'c9c3917e-30f3-4ba4-82c4-2e9a0e4d1cfd',
    ]);
    const ranged = await s.execute(
      `{ gamesByMap(map: "Dirty Desert", from: "2019-04-14T06:10:42", to: "2019-04-14T12:18:51Z") { edges { node { id } } } }`,
    );
    expectNoErrors(ranged);
    expect(ids(ranged.data!.gamesByMap)).toEqual([
      '873aaf13-0847-4661-ba26-21e0c66ebe64',
      '292c8712-c9df-4721-a9a2-cae4ac607ed6',
      'd06af94a-2363-441d-a69b-49e3f85e748a',
    ]);
    expect(countCalls(ranged.calls)).toEqual({ Query: 1 });
    const since = await s.execute(`{ gamesByMap(map: "Dirty Desert", from: "2019-04-15T00:00:00") { edges { node { id } } } }`);
    expect(ids(since.data!.gamesByMap)).toEqual(['f25030b7-5db0-44d5-ae76-4d310ef24e08', 'fe89e561-8a93-4e08-84d8-efa88bef383d']);
    const until = await s.execute(`{ gamesByMap(map: "Dirty Desert", to: "2019-04-14T05:36:33") { edges { node { id } } } }`);
    expect(ids(until.data!.gamesByMap)).toEqual(['3a816c56-53e9-4d42-a76d-fa4af24b9842', 'c9c3917e-30f3-4ba4-82c4-2e9a0e4d1cfd']);
  });

  it('refuses a reversed or malformed time range, and a malformed map, before any call', async () => {
    const reversed = await s.execute(
      `{ gamesByMap(map: "Dirty Desert", from: "2019-04-15T00:00:00", to: "2019-04-14T00:00:00") { edges { cursor } } }`,
    );
    expect(errorCodes(reversed)).toEqual(['BAD_USER_INPUT']);
    const malformed = await s.execute(`{ gamesByMap(map: "Dirty Desert", from: "yesterday") { edges { cursor } } }`);
    expect(errorCodes(malformed)).toEqual(['BAD_USER_INPUT']);
    const badMap = await s.execute(`{ openGames(map: "Dirty#Desert") { edges { cursor } } }`);
    expect(errorCodes(badMap)).toEqual(['BAD_USER_INPUT']);
    expect([...reversed.calls, ...malformed.calls, ...badMap.calls]).toEqual([]);
  });

  it('finds the games of a user through the inverted index', async () => {
    const res = await s.execute(
      `{ user(username: "smithshannon") { games(first: 10) { edges { node { game { id map status } place } } } } }`,
    );
    expectNoErrors(res);
    expect(res.data!.user.games.edges.map((e: any) => [e.node.game.id, e.node.game.status])).toEqual([
      ['0ab37cf1-fc60-4d93-b72b-89335f759581', 'OPEN'],
      ['25cec5bf-e498-483e-9a00-a5f93b9ea7c7', 'FINISHED'],
      ['873aaf13-0847-4661-ba26-21e0c66ebe64', 'OPEN'],
      ['c9c3917e-30f3-4ba4-82c4-2e9a0e4d1cfd', 'STARTED'],
      ['f25030b7-5db0-44d5-ae76-4d310ef24e08', 'FINISHED'],
      ['fe89e561-8a93-4e08-84d8-efa88bef383d', 'OPEN'],
    ]);
    // The user, then their games' index page, then the six games in one batch.
    expect(countCalls(res.calls)).toEqual({ BatchGetItem: 2, Query: 1 });
    const pboyd = await s.execute(`{ user(username: "pboyd") { games { edges { node { place game { id } } } } } }`);
    expect(pboyd.data!.user.games.edges.map((e: any) => e.node.place)).toEqual(['GOLD', null, null]);
  });

  it('answers null for a game that does not exist and BAD_USER_INPUT for a malformed id', async () => {
    const missing = await s.execute(`{ game(id: "00000000-0000-0000-0000-000000000000") { id } }`);
    expectNoErrors(missing);
    expect(missing.data!.game).toBeNull();
    const bad = await s.execute(`{ game(id: "x#METADATA#y") { id } }`);
    expect(errorCodes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(bad.calls).toEqual([]);
  });
});
