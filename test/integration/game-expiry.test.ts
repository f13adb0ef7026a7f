// Open games expire: a new game carries the table's TTL attribute until it fills, reads hide it as
// soon as its time has passed (DynamoDB's TTL deletes within days), and when the game item goes,
// by TTL or by anyone, the stream removes its players and tells its lobby.
import { DeleteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, feedsReach, streamCaughtUp } from '../helpers/live.js';
import { expectNoErrors, startTestServer, type TestServer } from '../helpers/server.js';
import { freshMap, getGameItem, seedUsers } from './games-seed.js';

let s: TestServer;
let clock = new Date('2030-06-01T12:00:00.000Z');
beforeAll(async () => {
  s = await startTestServer({ now: () => clock, live: { streamPollMs: 50 } });
});
afterAll(() => s?.close());

const CREATE = `mutation($map: String!) { createGame(input: { map: $map }) { id } }`;
const JOIN = `mutation($id: ID!) { joinGame(gameId: $id) { user { username } } }`;

describe('open game expiry', () => {
  it('gives a new game a TTL of 24 h, hides it once past, and a full game loses its TTL', async () => {
    const map = freshMap();
    const players = await seedUsers(s, 50);
    const open = await s.execute(CREATE, { variables: { map }, as: players[0] });
    const full = await s.execute(CREATE, { variables: { map }, as: players[0] });
    expectNoErrors(open);
    expectNoErrors(full);
    const [openId, fullId] = [open.data!.createGame.id, full.data!.createGame.id];
    expect((await getGameItem(s, openId))!.expires_at).toBe(Math.floor(clock.getTime() / 1000) + 86_400);
    for (const p of players.slice(1)) expectNoErrors(await s.execute(JOIN, { variables: { id: fullId }, as: p }));
    expect((await getGameItem(s, fullId))!.expires_at).toBeUndefined();

    const listed = async () =>
      (
        await s.execute(`query($map: String) { openGames(map: $map) { edges { node { id } } } }`, { variables: { map } })
      ).data!.openGames.edges.map((e: any) => e.node.id);
    expect(await listed()).toEqual([openId]);
    clock = new Date(clock.getTime() + 86_400_000 + 1_000);
    expect(await listed()).toEqual([]);
    const read = await s.execute(`query($id: ID!) { game(id: $id) { id } }`, { variables: { id: openId } });
    expect(read.data!.game).toBeNull();
    // Nor can anyone join it, and the refused join writes nothing.
    const late = await s.execute(JOIN, { variables: { id: openId }, as: players[1] });
    expect(late.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await getGameItem(s, openId))!.people).toBe(1);
    const fullRead = await s.execute(`query($id: ID!) { game(id: $id) { id status } }`, { variables: { id: fullId } });
    expect(fullRead.data!.game).toEqual({ id: fullId, status: 'FULL' });
  });

  it('when the game item is removed by anyone, the stream removes its players and the lobby hears GAME_EXPIRED', async () => {
    clock = new Date();
    const players = await seedUsers(s, 3);
    const created = await s.execute(CREATE, { variables: { map: freshMap() }, as: players[0] });
    expectNoErrors(created);
    const id = created.data!.createGame.id;
    for (const p of players.slice(1)) expectNoErrors(await s.execute(JOIN, { variables: { id }, as: p }));
    await streamCaughtUp(s);
    const c = await connect(s);
    const lobby = await c.subscribe(`subscription($id: ID!) { gameLobby(gameId: $id) { kind game { id } } }`, { id });
    // Subscribed only once the server has found the game: deleting it sooner is NOT_FOUND.
    await feedsReach(s, 1);
    await s.clients.doc.send(new DeleteCommand({ TableName: s.tableName, Key: { PK: `GAME#${id}`, SK: `#METADATA#${id}` } }));
    expect((await lobby.next()).data!.gameLobby).toEqual({ kind: 'GAME_EXPIRED', game: null });
    // The sweep runs on the same stream record; the players are gone once the stream has moved past it.
    await streamCaughtUp(s);
    const left = await s.clients.doc.send(
      new QueryCommand({ TableName: s.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': `GAME#${id}` } }),
    );
    expect(left.Items).toEqual([]);
    await c.close();
  });
});
