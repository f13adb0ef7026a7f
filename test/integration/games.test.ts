// The game's writes against DynamoDB Local: each rule refused with its own code, and the table
// checked afterwards, so a refusal never leaves anything half written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marshall } from '@aws-sdk/util-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { countCalls, errorCodes, expectNoErrors, freshUsername, startTestServer, type TestServer } from '../helpers/server.js';
import { freshMap, gamePartition, getGameItem, getPlayerItem, seedGame, seedUsers } from './games-seed.js';

let s: TestServer;
let clock = new Date('2030-01-02T03:04:05.678Z');
beforeAll(async () => {
  s = await startTestServer({ now: () => clock });
});
afterAll(() => s.close());

const GAME_FIELDS = 'id map createdAt startedAt endedAt playerCount capacity status creator { username }';
const CREATE = `mutation($map: String!) { createGame(input: { map: $map }) { ${GAME_FIELDS} players { edges { node { user { username } joinedAt } } } } }`;
const JOIN = `mutation($id: ID!) { joinGame(gameId: $id) { user { username } joinedAt place game { id playerCount status } } }`;
const START = `mutation($id: ID!) { startGame(gameId: $id) { id status startedAt playerCount } }`;
const RECORD = `mutation($id: ID!, $u: String!, $input: PlayerResultInput!) {
  recordPlayerResult(gameId: $id, username: $u, input: $input) { user { username } place kills damage survivedSeconds joinedAt }
}`;
const END = `mutation($id: ID!) { endGame(gameId: $id) { id status endedAt gold { username } silver { username } bronze { username } } }`;
const OPEN = `query($map: String) { openGames(map: $map) { edges { node { id } } } }`;

const openIds = async (map: string) => {
  const res = await s.execute(OPEN, { variables: { map } });
  expectNoErrors(res);
  return res.data!.openGames.edges.map((e: any) => e.node.id);
};

const result = { kills: 3, damage: 1200, survivedSeconds: 640 };

describe('createGame', () => {
  it("creates an open game with its creator as first player, in one transaction, in the lab's item shape", async () => {
    const [ana] = await seedUsers(s, 1);
    const map = freshMap();
    const res = await s.execute(CREATE, { variables: { map }, as: ana });
    expectNoErrors(res);
    const game = res.data!.createGame;
    expect(game).toMatchObject({
      map,
      createdAt: '2030-01-02T03:04:05',
      startedAt: null,
      endedAt: null,
      playerCount: 1,
      capacity: 50,
      status: 'OPEN',
      creator: { username: ana },
      players: { edges: [{ node: { user: { username: ana }, joinedAt: '2030-01-02T03:04:05' } }] },
    });
    expect(countCalls(res.calls)).toEqual({ TransactWriteItems: 1, BatchGetItem: 1 });
    expect(await getGameItem(s, game.id)).toEqual({
      PK: `GAME#${game.id}`,
      SK: `#METADATA#${game.id}`,
      game_id: game.id,
      map,
      create_time: '2030-01-02T03:04:05',
      open_timestamp: '2030-01-02T03:04:05',
      expires_at: Math.floor(clock.getTime() / 1000) + 86_400,
      people: 1,
      creator: ana,
    });
    expect(await getPlayerItem(s, game.id, ana!)).toEqual({
      PK: `GAME#${game.id}`,
      SK: `USER#${ana}`,
      game_id: game.id,
      username: ana,
      joined_at: '2030-01-02T03:04:05',
    });
    expect(await openIds(map)).toEqual([game.id]);
    const mine = await s.execute(`query($u: String!) { user(username: $u) { games { edges { node { game { id } } } } } }`, {
      variables: { u: ana },
    });
    expect(mine.data!.user.games.edges).toEqual([{ node: { game: { id: game.id } } }]);
  });

  it('refuses anonymous callers, malformed maps and creators without a profile, writing nothing', async () => {
    const map = freshMap();
    const anon = await s.execute(CREATE, { variables: { map } });
    expect(errorCodes(anon)).toEqual(['UNAUTHENTICATED']);
    const [ana] = await seedUsers(s, 1);
    const bad = await s.execute(CREATE, { variables: { map: 'Dirty#Desert' }, as: ana });
    expect(errorCodes(bad)).toEqual(['BAD_USER_INPUT']);
    expect([...anon.calls, ...bad.calls]).toEqual([]);
    const ghost = freshUsername('ghost');
    const noProfile = await s.execute(CREATE, { variables: { map }, as: ghost });
    expect(errorCodes(noProfile)).toEqual(['NOT_FOUND']);
    expect(await openIds(map)).toEqual([]);
    const index = await s.clients.doc.send(
      new QueryCommand({
        TableName: s.tableName,
        IndexName: 'InvertedIndex',
        KeyConditionExpression: 'SK = :u',
        ExpressionAttributeValues: { ':u': `USER#${ghost}` },
      }),
    );
    expect(index.Items).toEqual([]);
  });
});

describe('joinGame', () => {
  it('adds the viewer to an open game and counts them', async () => {
    const [creator, bo] = await seedUsers(s, 2);
    const id = await seedGame(s, { map: freshMap(), players: [creator!] });
    const res = await s.execute(JOIN, { variables: { id }, as: bo });
    expectNoErrors(res);
    expect(res.data!.joinGame).toEqual({
      user: { username: bo },
      joinedAt: '2030-01-02T03:04:05',
      place: null,
      game: { id, playerCount: 2, status: 'OPEN' },
    });
    // The game is read once (to choose the seat rule), then one transaction; the user batch follows.
    expect(countCalls(res.calls)).toEqual({ BatchGetItem: 2, TransactWriteItems: 1 });
    expect((await getGameItem(s, id))!.people).toBe(2);
    expect(await getPlayerItem(s, id, bo!)).toMatchObject({ username: bo, game_id: id, joined_at: '2030-01-02T03:04:05' });
  });

  it('refuses a second join with ALREADY_JOINED and leaves the count alone', async () => {
    const [creator, bo] = await seedUsers(s, 2);
    const id = await seedGame(s, { map: freshMap(), players: [creator!, bo!] });
    expect(errorCodes(await s.execute(JOIN, { variables: { id }, as: bo }))).toEqual(['ALREADY_JOINED']);
    expect(errorCodes(await s.execute(JOIN, { variables: { id }, as: creator }))).toEqual(['ALREADY_JOINED']);
    expect((await getGameItem(s, id))!.people).toBe(2);
    expect(await gamePartition(s, id)).toHaveLength(3);
  });

  it('refuses a missing game or a viewer without a profile with NOT_FOUND, writing nothing', async () => {
    const [creator] = await seedUsers(s, 1);
    const missing = '00000000-0000-4000-8000-000000000000';
    expect(errorCodes(await s.execute(JOIN, { variables: { id: missing }, as: creator }))).toEqual(['NOT_FOUND']);
    expect(await gamePartition(s, missing)).toEqual([]);
    const id = await seedGame(s, { map: freshMap(), players: [creator!] });
    expect(errorCodes(await s.execute(JOIN, { variables: { id } }))).toEqual(['UNAUTHENTICATED']);
    const ghost = freshUsername('ghost');
    expect(errorCodes(await s.execute(JOIN, { variables: { id }, as: ghost }))).toEqual(['NOT_FOUND']);
    expect(await getPlayerItem(s, id, ghost)).toBeUndefined();
    expect((await getGameItem(s, id))!.people).toBe(1);
  });

  it("refuses a full game with GAME_FULL, even one the lab's old join left listed", async () => {
    const users = await seedUsers(s, 51);
    const map = freshMap();
    const full = await seedGame(s, { map, players: users.slice(0, 50) });
    const listed = await seedGame(s, { map, players: users.slice(0, 50), listedWhenFull: true });
    for (const id of [full, listed]) {
      const res = await s.execute(JOIN, { variables: { id }, as: users[50] });
      expect(errorCodes(res)).toEqual(['GAME_FULL']);
      expect(res.errors![0]!.message).toMatch(/50 of 50/);
      expect((await getGameItem(s, id))!.people).toBe(50);
      expect(await getPlayerItem(s, id, users[50]!)).toBeUndefined();
    }
    // A full game is never offered as open, whatever the index says.
    expect(await openIds(map)).toEqual([]);
  });

  it('refuses a started game with GAME_NOT_OPEN', async () => {
    const users = await seedUsers(s, 51);
    const id = await seedGame(s, { map: freshMap(), players: users.slice(0, 50), started: true });
    expect(errorCodes(await s.execute(JOIN, { variables: { id }, as: users[50] }))).toEqual(['GAME_NOT_OPEN']);
    expect(await getPlayerItem(s, id, users[50]!)).toBeUndefined();
  });

  it('lets the 50th player fill the game and take it off the open list in the same write', async () => {
    const users = await seedUsers(s, 50);
    const map = freshMap();
    const id = await seedGame(s, { map, players: users.slice(0, 49) });
    expect(await openIds(map)).toEqual([id]);
    const res = await s.execute(JOIN, { variables: { id }, as: users[49] });
    expectNoErrors(res);
    expect(res.data!.joinGame.game).toEqual({ id, playerCount: 50, status: 'FULL' });
    const item = await getGameItem(s, id);
    expect(item!.people).toBe(50);
    expect(item!.open_timestamp).toBeUndefined();
    expect(await openIds(map)).toEqual([]);
  });

  it('retries with the last-seat rule when its read of the count was stale', async () => {
    const users = await seedUsers(s, 50);
    const id = await seedGame(s, { map: freshMap(), players: users.slice(0, 49) });
    staleGameRead(id, { people: 40 });
    const res = await s.execute(JOIN, { variables: { id }, as: users[49] });
    s.recorder.inject(() => undefined);
    expectNoErrors(res);
    expect(countCalls(res.calls).TransactWriteItems).toBe(2);
    const item = await getGameItem(s, id);
    expect(item!.people).toBe(50);
    expect(item!.open_timestamp).toBeUndefined();
  });

  it('retries with the counting rule when it wrongly believed it took the last seat', async () => {
    const users = await seedUsers(s, 31);
    const id = await seedGame(s, { map: freshMap(), players: users.slice(0, 30) });
    staleGameRead(id, { people: 49 });
    const res = await s.execute(JOIN, { variables: { id }, as: users[30] });
    s.recorder.inject(() => undefined);
    expectNoErrors(res);
    expect(countCalls(res.calls).TransactWriteItems).toBe(2);
    const item = await getGameItem(s, id);
    expect(item!.people).toBe(31);
    expect(item!.open_timestamp).toBeDefined();
  });
});

/** Makes the server's next read of the game see `changes` applied, as a lagging replica might. */
function staleGameRead(id: string, changes: Record<string, unknown>) {
  let served = false;
  s.recorder.inject((call) => {
    const keys = (call.body as any).RequestItems?.[s.tableName]?.Keys;
    if (served || call.command !== 'BatchGetItem' || keys?.[0]?.PK?.S !== `GAME#${id}`) return undefined;
    served = true;
    const t = '2024-05-01T10:00:00';
    const item = {
      PK: `GAME#${id}`,
      SK: `#METADATA#${id}`,
      game_id: id,
      map: 'Stale',
      create_time: t,
      open_timestamp: t,
      creator: 'someone',
      people: 1,
      ...changes,
    };
    return { status: 200, body: { Responses: { [s.tableName]: [marshall(item)] }, UnprocessedKeys: {} } };
  });
}

describe('startGame', () => {
  it('starts a full game for its creator only, once', async () => {
    const users = await seedUsers(s, 50);
    const map = freshMap();
    const id = await seedGame(s, { map, players: users });
    expect(errorCodes(await s.execute(START, { variables: { id } }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await s.execute(START, { variables: { id }, as: users[1] }))).toEqual(['FORBIDDEN']);
    expect((await getGameItem(s, id))!.start_time).toBeUndefined();

    clock = new Date('2030-01-02T04:00:00Z');
    const res = await s.execute(START, { variables: { id }, as: users[0] });
    expectNoErrors(res);
    expect(res.data!.startGame).toEqual({ id, status: 'STARTED', startedAt: '2030-01-02T04:00:00', playerCount: 50 });
    expect(countCalls(res.calls)).toEqual({ UpdateItem: 1 });
    const item = await getGameItem(s, id);
    expect(item!.start_time).toBe('2030-01-02T04:00:00');
    expect(item!.open_timestamp).toBeUndefined();

    clock = new Date('2030-01-02T04:05:00Z');
    expect(errorCodes(await s.execute(START, { variables: { id }, as: users[0] }))).toEqual(['GAME_NOT_OPEN']);
    expect((await getGameItem(s, id))!.start_time).toBe('2030-01-02T04:00:00');
  });

  it('refuses a second start within the same second with GAME_NOT_OPEN, keeping the first start', async () => {
    const users = await seedUsers(s, 50);
    const id = await seedGame(s, { map: freshMap(), players: users });
    clock = new Date('2030-01-02T05:00:00.100Z');
    expectNoErrors(await s.execute(START, { variables: { id }, as: users[0] }));
    const first = await getGameItem(s, id);
    clock = new Date('2030-01-02T05:00:00.900Z');
    const again = await s.execute(START, { variables: { id }, as: users[0] });
    expect(errorCodes(again)).toEqual(['GAME_NOT_OPEN']);
    expect(await getGameItem(s, id)).toEqual(first);
  });

  it('refuses a game that is not full with GAME_NOT_FULL and keeps it open', async () => {
    const users = await seedUsers(s, 10);
    const map = freshMap();
    const id = await seedGame(s, { map, players: users });
    expect(errorCodes(await s.execute(START, { variables: { id }, as: users[0] }))).toEqual(['GAME_NOT_FULL']);
    expect((await getGameItem(s, id))!.start_time).toBeUndefined();
    expect(await openIds(map)).toEqual([id]);
  });

  it('refuses a missing game with NOT_FOUND and does not create it', async () => {
    const [ana] = await seedUsers(s, 1);
    const missing = '00000000-0000-4000-8000-000000000001';
    expect(errorCodes(await s.execute(START, { variables: { id: missing }, as: ana }))).toEqual(['NOT_FOUND']);
    expect(await gamePartition(s, missing)).toEqual([]);
  });
});

describe('recordPlayerResult', () => {
  it('records a result for the creator or the game server while the game runs', async () => {
    const users = await seedUsers(s, 50);
    const id = await seedGame(s, { map: freshMap(), players: users, started: true });
    const byCreator = await s.execute(RECORD, { variables: { id, u: users[7], input: { ...result, place: 'GOLD' } }, as: users[0] });
    expectNoErrors(byCreator);
    expect(byCreator.data!.recordPlayerResult).toEqual({ user: { username: users[7] }, place: 'GOLD', joinedAt: null, ...result });
    expect(countCalls(byCreator.calls)).toEqual({ TransactWriteItems: 1, BatchGetItem: 2 });
    expect(await getPlayerItem(s, id, users[7]!)).toEqual({
      PK: `GAME#${id}`,
      SK: `USER#${users[7]}`,
      game_id: id,
      username: users[7],
      place: 'gold',
      kills: 3,
      damage: 1200,
      survived_seconds: 640,
    });
    const byServer = await s.execute(RECORD, {
      variables: { id, u: users[7], input: { kills: 4, damage: 5, survivedSeconds: 6, place: null } },
      as: 'match_server',
      role: 'game-server',
    });
    expectNoErrors(byServer);
    expect(byServer.data!.recordPlayerResult).toMatchObject({ place: null, kills: 4 });
    expect((await getPlayerItem(s, id, users[7]!))!.place).toBeUndefined();
  });

  it('refuses other players with FORBIDDEN, a game not running with GAME_NOT_STARTED, and a non-player with NOT_FOUND', async () => {
    const users = await seedUsers(s, 50);
    const open = await seedGame(s, { map: freshMap(), players: users });
    const running = await seedGame(s, { map: freshMap(), players: users, started: true });
    const ended = await seedGame(s, { map: freshMap(), players: users, started: true, ended: true });
    const [outsider] = await seedUsers(s, 1);
    const input = { ...result, place: 'SILVER' };
    expect(errorCodes(await s.execute(RECORD, { variables: { id: running, u: users[3], input }, as: users[3] }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await s.execute(RECORD, { variables: { id: open, u: users[3], input }, as: users[0] }))).toEqual([
      'GAME_NOT_STARTED',
    ]);
    expect(errorCodes(await s.execute(RECORD, { variables: { id: ended, u: users[3], input }, as: users[0] }))).toEqual([
      'GAME_NOT_STARTED',
    ]);
    expect(errorCodes(await s.execute(RECORD, { variables: { id: running, u: outsider, input }, as: users[0] }))).toEqual(['NOT_FOUND']);
    expect(
      errorCodes(
        await s.execute(RECORD, {
          variables: { id: '00000000-0000-4000-8000-000000000002', u: users[3], input },
          as: 'x_server',
          role: 'game-server',
        }),
      ),
    ).toEqual(['NOT_FOUND']);
    expect(errorCodes(await s.execute(RECORD, { variables: { id: running, u: users[3], input } }))).toEqual(['UNAUTHENTICATED']);
    for (const id of [open, running, ended])
      expect(await getPlayerItem(s, id, users[3]!)).toEqual({ PK: `GAME#${id}`, SK: `USER#${users[3]}`, game_id: id, username: users[3] });
    expect(await getPlayerItem(s, running, outsider!)).toBeUndefined();
  });

  it('refuses numbers out of range and malformed names before any call', async () => {
    const bad = [
      { u: 'ok_name', input: { ...result, kills: 50 } },
      { u: 'ok_name', input: { ...result, damage: -1 } },
      { u: 'ok_name', input: { ...result, survivedSeconds: 86_401 } },
      { u: 'Not#A#Name', input: result },
    ];
    for (const { u, input } of bad) {
      const res = await s.execute(RECORD, {
        variables: { id: '00000000-0000-4000-8000-000000000003', u, input },
        as: 'x_server',
        role: 'game-server',
      });
      expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.calls).toEqual([]);
    }
  });
});

describe('endGame', () => {
  it('ends a running game with the podium its results name, on the game and the medal holders', async () => {
    const users = await seedUsers(s, 50);
    const id = await seedGame(s, { map: freshMap(), players: users, started: true });
    const medals = [
      [users[5], 'GOLD'],
      [users[9], 'SILVER'],
      [users[2], 'BRONZE'],
    ] as const;
    for (const [u, place] of medals)
      expectNoErrors(await s.execute(RECORD, { variables: { id, u, input: { ...result, place } }, as: users[0] }));
    expect(errorCodes(await s.execute(END, { variables: { id }, as: users[1] }))).toEqual(['FORBIDDEN']);

    clock = new Date('2030-01-02T05:00:00Z');
    const res = await s.execute(END, { variables: { id }, as: 'match_server', role: 'game-server' });
    expectNoErrors(res);
    expect(res.data!.endGame).toEqual({
      id,
      status: 'FINISHED',
      endedAt: '2030-01-02T05:00:00',
      gold: { username: users[5] },
      silver: { username: users[9] },
      bronze: { username: users[2] },
    });
    expect(countCalls(res.calls)).toEqual({ Query: 1, TransactWriteItems: 1, BatchGetItem: 1 });
    expect(await getGameItem(s, id)).toMatchObject({ end_time: '2030-01-02T05:00:00', gold: users[5], silver: users[9], bronze: users[2] });

    expect(errorCodes(await s.execute(END, { variables: { id }, as: users[0] }))).toEqual(['GAME_NOT_STARTED']);
    expect((await getGameItem(s, id))!.end_time).toBe('2030-01-02T05:00:00');
  });

  it('refuses a game that has not started, a missing game, and an ambiguous podium, changing nothing', async () => {
    const users = await seedUsers(s, 50);
    const open = await seedGame(s, { map: freshMap(), players: users.slice(0, 10) });
    expect(errorCodes(await s.execute(END, { variables: { id: open }, as: users[0] }))).toEqual(['GAME_NOT_STARTED']);
    expect(errorCodes(await s.execute(END, { variables: { id: open } }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await s.execute(END, { variables: { id: '00000000-0000-4000-8000-000000000004' }, as: users[0] }))).toEqual([
      'NOT_FOUND',
    ]);
    const twoGolds = await seedGame(s, {
      map: freshMap(),
      players: users,
      started: true,
      places: { [users[1]!]: 'gold', [users[2]!]: 'gold' },
    });
    const res = await s.execute(END, { variables: { id: twoGolds }, as: users[0] });
    expect(errorCodes(res)).toEqual(['CONFLICT']);
    expect(res.errors![0]!.extensions!.holders).toEqual([users[1], users[2]].sort());
    const item = await getGameItem(s, twoGolds);
    expect(item!.end_time).toBeUndefined();
    expect(item!.gold).toBeUndefined();
    expect((await getGameItem(s, open))!.end_time).toBeUndefined();
  });
});
