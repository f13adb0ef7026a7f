// A hundred players race for the 49 free seats of a new game: exactly 49 get in, the others are
// told GAME_FULL, and the full game leaves the open list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, expectNoErrors, startTestServer, type TestServer } from '../helpers/server.js';
import { freshMap, gamePartition, getGameItem, seedUsers } from './games-seed.js';

let s: TestServer;
beforeAll(async () => {
  // DynamoDB Local runs transactions one at a time (40-80 ms each on a busy machine), so the
  // last of a hundred can wait longer than the default 5 s deadline; this test is about the seat
  // rules, not Local's latency.
  s = await startTestServer({ timeoutMs: 30_000 });
});
afterAll(() => s.close());

describe('joinGame under contention', () => {
  it('seats exactly 49 of 100 concurrent joiners plus the creator, and tells every other one GAME_FULL', async () => {
    const [creator, ...racers] = await seedUsers(s, 101, 'racer');
    const map = freshMap();
    const created = await s.execute(`mutation($map: String!) { createGame(input: { map: $map }) { id } }`, {
      variables: { map },
      as: creator,
    });
    expectNoErrors(created);
    const id: string = created.data!.createGame.id;

    const results = await Promise.all(
      racers.map((u) => s.execute(`mutation($id: ID!) { joinGame(gameId: $id) { user { username } } }`, { variables: { id }, as: u })),
    );
    const joined = results.filter((r) => !r.errors).map((r) => r.data!.joinGame.user.username);
    const refused = results.filter((r) => r.errors);
    expect(refused.map((r) => [errorCodes(r), r.errors![0]!.message])).toEqual(
      Array.from({ length: 51 }, () => [['GAME_FULL'], expect.stringMatching(/50 of 50/)]),
    );
    expect(joined).toHaveLength(49);

    const item = await getGameItem(s, id);
    expect(item!.people).toBe(50);
    expect(item!.open_timestamp).toBeUndefined();
    const players = (await gamePartition(s, id)).filter((it) => String(it.SK).startsWith('USER#')).map((it) => it.username);
    expect(players.sort()).toEqual([creator, ...joined].sort());

    const view = await s.execute(
      `query($id: ID!, $map: String!) { game(id: $id) { playerCount status } openGames(map: $map) { edges { node { id } } } }`,
      { variables: { id, map } },
    );
    expectNoErrors(view);
    expect(view.data).toEqual({ game: { playerCount: 50, status: 'FULL' }, openGames: { edges: [] } });
  }, 120_000);
});
