// Game subscriptions against DynamoDB Local's real stream: every event comes from the stream, so a
// write through the API and a write from outside it (the lab's own join transaction) look alike.
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, streamCaughtUp, type LiveClient } from '../helpers/live.js';
import { labJoinCommand } from '../helpers/labs.js';
import { expectNoErrors, startTestServer, type TestServer } from '../helpers/server.js';
import { freshMap, seedGame, seedUsers } from './games-seed.js';

let s: TestServer;
let anon: LiveClient;
beforeAll(async () => {
  s = await startTestServer({ live: { streamPollMs: 50 } });
  anon = await connect(s);
});
afterAll(async () => {
  await anon?.close();
  await s?.close();
});

const LOBBY = `subscription($id: ID!, $after: String) {
  gameLobby(gameId: $id, after: $after) { cursor kind game { id playerCount status gold { username } silver { username } bronze { username } } player { user { username } place kills } }
}`;
const OPEN = `subscription($map: String) { openGamesChanged(map: $map) { cursor kind game { id map playerCount } } }`;
const JOIN = `mutation($id: ID!) { joinGame(gameId: $id) { user { username } } }`;

/** The lab's join_game.py: one transaction that puts the player item and counts them on the game. */
async function labJoin(gameId: string, username: string) {
  await s.clients.doc.send(labJoinCommand(s.tableName, gameId, username));
}

describe('gameLobby', () => {
  it('tells the lobby who joined, through the API and through the lab’s own transaction from outside', async () => {
    const [creator, ana, bob] = await seedUsers(s, 3);
    const id = await seedGame(s, { map: freshMap(), players: [creator!] });
    await streamCaughtUp(s);
    const sub = await anon.subscribe(LOBBY, { id });
    expectNoErrors(await s.execute(JOIN, { variables: { id }, as: ana }));
    await labJoin(id, bob!);
    const [first, second] = await sub.take(2);
    expect(first!.data!.gameLobby).toMatchObject({ kind: 'PLAYER_JOINED', player: { user: { username: ana } } });
    expect(second!.data!.gameLobby).toMatchObject({ kind: 'PLAYER_JOINED', player: { user: { username: bob } } });
    expect(second!.data!.gameLobby.game.playerCount).toBe(3);
    await sub.close();
  });

  it('delivers a write made at once after subscribing (no gap after the subscribe message)', async () => {
    const [creator, ana] = await seedUsers(s, 2);
    const id = await seedGame(s, { map: freshMap(), players: [creator!] });
    await streamCaughtUp(s);
    const sub = await anon.subscribe(LOBBY, { id });
    await labJoin(id, ana!); // no waiting for anything between subscribe and the write
    expect((await sub.next()).data!.gameLobby).toMatchObject({ kind: 'PLAYER_JOINED', player: { user: { username: ana } } });
    await sub.close();
  });

  it('derives filled, started, result and ended (with its podium) from the images, in order, each once', async () => {
    const players = await seedUsers(s, 50);
    const [creator, last] = [players[0]!, players[49]!];
    const id = await seedGame(s, { map: freshMap(), players: players.slice(0, 49) });
    await streamCaughtUp(s);
    const sub = await anon.subscribe(LOBBY, { id });
    expectNoErrors(await s.execute(JOIN, { variables: { id }, as: last }));
    expectNoErrors(await s.execute(`mutation($id: ID!) { startGame(gameId: $id) { id } }`, { variables: { id }, as: creator }));
    const RECORD = `mutation($id: ID!, $u: String!, $place: Medal) { recordPlayerResult(gameId: $id, username: $u, input: { place: $place, kills: 1, damage: 2, survivedSeconds: 3 }) { place } }`;
    for (const [u, place] of [
      [players[1], 'GOLD'],
      [players[2], 'SILVER'],
      [players[3], 'BRONZE'],
    ] as const) {
      expectNoErrors(await s.execute(RECORD, { variables: { id, u, place }, as: creator }));
    }
    expectNoErrors(await s.execute(`mutation($id: ID!) { endGame(gameId: $id) { id } }`, { variables: { id }, as: creator }));
    // The marker, written after the last event: the game item deleted from outside (GAME_EXPIRED).
    // Whatever the lobby says before it is everything it says about the writes above.
    await s.clients.doc.send(new DeleteCommand({ TableName: s.tableName, Key: { PK: `GAME#${id}`, SK: `#METADATA#${id}` } }));
    const events = (await sub.before((r) => r.data?.gameLobby.kind === 'GAME_EXPIRED')).map((r) => r.data!.gameLobby);
    expect(events).toHaveLength(7);
    const kinds = events.map((e) => e.kind);
    // The join's two items are one transaction: the player's record and the game's may come in either order.
    expect(kinds.slice(0, 2).sort()).toEqual(['GAME_FILLED', 'PLAYER_JOINED']);
    expect(kinds.slice(2)).toEqual(['GAME_STARTED', 'RESULT_RECORDED', 'RESULT_RECORDED', 'RESULT_RECORDED', 'GAME_ENDED']);
    expect(events.find((e) => e.kind === 'GAME_FILLED')!.game).toMatchObject({ playerCount: 50, status: 'FULL' });
    expect(events[6]!.game).toMatchObject({
      status: 'FINISHED',
      gold: { username: players[1] },
      silver: { username: players[2] },
      bronze: { username: players[3] },
    });
    expect(new Set(events.map((e) => e.cursor)).size).toBe(7);
    await sub.close();
  });

  it('refuses an unknown game with NOT_FOUND and a forged cursor with BAD_USER_INPUT, as protocol errors', async () => {
    const unknown = await anon.subscribe(LOBBY, { id: '00000000-0000-4000-8000-000000000000' });
    expect((await unknown.failure()).map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    const [creator] = await seedUsers(s, 1);
    const id = await seedGame(s, { map: freshMap(), players: [creator!] });
    const forged = await anon.subscribe(LOBBY, { id, after: 'not-a-cursor' });
    expect((await forged.failure()).map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('resume', () => {
  it('gives a client that comes back with its last cursor exactly what it missed', async () => {
    const players = await seedUsers(s, 4);
    const id = await seedGame(s, { map: freshMap(), players: [players[0]!] });
    await streamCaughtUp(s);
    const sub = await anon.subscribe(LOBBY, { id });
    await labJoin(id, players[1]!);
    const seen = (await sub.next()).data!.gameLobby;
    await sub.close();
    await labJoin(id, players[2]!);
    await labJoin(id, players[3]!);
    const again = await anon.subscribe(LOBBY, { id, after: seen.cursor });
    const missed = (await again.take(2)).map((r) => r.data!.gameLobby.player.user.username);
    expect(missed).toEqual([players[2], players[3]]);
    await again.close();
  });

  it('says RESYNC first when the cursor is from before a restart (another epoch of the bus)', async () => {
    const other = await startTestServer({ live: { streamPollMs: 50 } });
    try {
      const [creator, ana] = await seedUsers(other, 2);
      const id = await seedGame(other, { map: freshMap(), players: [creator!] });
      const c = await connect(other);
      const sub = await c.subscribe(LOBBY, { id });
      await labJoin.call(null, id, ana!).catch(() => undefined); // s's table: no event here
      await c.close();
      // A cursor of this server, from an event of s's lobby, handed to `other`: not its epoch.
      const [x, y] = await seedUsers(s, 2);
      const sid = await seedGame(s, { map: freshMap(), players: [x!] });
      const mine = await anon.subscribe(LOBBY, { id: sid });
      await labJoin(sid, y!);
      const cursor = (await mine.next()).data!.gameLobby.cursor;
      await mine.close();
      void sub;
      const c2 = await connect(other);
      const resumed = await c2.subscribe(LOBBY, { id, after: cursor });
      expect((await resumed.next()).data!.gameLobby).toMatchObject({ kind: 'RESYNC', game: null });
      await c2.close();
    } finally {
      await other.close();
    }
  });
});

describe('openGamesChanged', () => {
  it('tells every-map and one-map subscribers about a game opening and filling', async () => {
    const map = freshMap();
    const players = await seedUsers(s, 50);
    const all = await anon.subscribe(OPEN, {});
    const one = await anon.subscribe(OPEN, { map });
    const created = await s.execute(`mutation($map: String!) { createGame(input: { map: $map }) { id } }`, {
      variables: { map },
      as: players[0],
    });
    expectNoErrors(created);
    const id = created.data!.createGame.id;
    const opened = (await one.next()).data!.openGamesChanged;
    expect(opened).toMatchObject({ kind: 'GAME_OPENED', game: { id, map, playerCount: 1 } });
    // Other tests open games too: read the every-map feed until this game shows.
    let seen;
    do seen = (await all.next()).data!.openGamesChanged;
    while (seen.game?.id !== id);
    expect(seen.kind).toBe('GAME_OPENED');
    for (const p of players.slice(1, 49)) await labJoin(id, p);
    expectNoErrors(await s.execute(JOIN, { variables: { id }, as: players[49] }));
    expect((await one.next()).data!.openGamesChanged).toMatchObject({ kind: 'GAME_FILLED', game: { id, playerCount: 50 } });
    await all.close();
    await one.close();
  });
});
