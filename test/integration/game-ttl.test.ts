// A game left open past its time is deleted without the API: by DynamoDB Local's own TTL process,
// or, where that process cannot delete it, by the server's stand-in for TTL. Either way the stream
// alone turns the deletion into GAME_EXPIRED for the lobby and the open games, and into the removal
// of the game's players. DynamoDB Local's TTL deletes an item seconds after its time (up to about
// 90 s seen elsewhere); the wait is bounded above that.
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeRecord } from '../../src/live/stream/records.js';
import { connect, feedsReach, streamCaughtUp } from '../helpers/live.js';
import { expectNoErrors, startTestServer, type TestServer } from '../helpers/server.js';
import { freshMap, getGameItem, seedUsers } from './games-seed.js';

const TTL_BOUND_MS = 150_000;
// Games stay open this long, configured as an operator would: time enough to seat two players.
const OPEN_S = 6;

let ttlOnly: TestServer;
let standIn: TestServer;
beforeAll(async () => {
  [ttlOnly, standIn] = await Promise.all([
    startTestServer({ env: { OPEN_GAME_TTL_SECONDS: String(OPEN_S), EXPIRE_SWEEP_SECONDS: '0' }, live: { streamPollMs: 50 } }),
    startTestServer({ env: { OPEN_GAME_TTL_SECONDS: String(OPEN_S), EXPIRE_SWEEP_SECONDS: '1' }, live: { streamPollMs: 50 } }),
  ]);
});
afterAll(async () => {
  await ttlOnly?.close();
  await standIn?.close();
});

/** Sets up a 3-player game that expires OPEN_S seconds after its creation, and watches it from its lobby and the open games. */
async function watchExpiry(s: TestServer, beforeExpiry: (id: string) => Promise<void> = async () => undefined) {
  const map = freshMap();
  const players = await seedUsers(s, 3);
  await streamCaughtUp(s);
  const c = await connect(s);
  const open = await c.subscribe(`subscription($map: String) { openGamesChanged(map: $map) { kind game { id } } }`, { map });
  await feedsReach(s, 1);
  // The record that removed the game, as the stream reader saw it.
  const removals: ChangeRecord[] = [];
  const stop = s.live!.bus.listen(
    (entry) => {
      const { keys, kind } = entry.record;
      if (kind === 'REMOVE' && keys.PK.startsWith('GAME#') && keys.SK.startsWith('#METADATA#')) removals.push(entry.record);
    },
    () => undefined,
  );
  const before = Math.floor(Date.now() / 1000);
  const created = await s.execute(`mutation($map: String!) { createGame(input: { map: $map }) { id } }`, {
    variables: { map },
    as: players[0],
  });
  expectNoErrors(created);
  const id: string = created.data!.createGame.id;
  const expiresAt = (await getGameItem(s, id))!.expires_at as number;
  expect(expiresAt - before).toBeGreaterThanOrEqual(OPEN_S);
  expect(expiresAt - before).toBeLessThanOrEqual(OPEN_S + 1);
  const lobby = await c.subscribe(`subscription($id: ID!) { gameLobby(gameId: $id) { kind game { id } } }`, { id });
  await feedsReach(s, 2);
  for (const p of players.slice(1)) {
    expectNoErrors(await s.execute(`mutation($id: ID!) { joinGame(gameId: $id) { joinedAt } }`, { variables: { id }, as: p }));
  }
  await beforeExpiry(id);
  expect((await open.next()).data!.openGamesChanged).toEqual({ kind: 'GAME_OPENED', game: { id } });

  const kinds: string[] = [];
  try {
    while (kinds.at(-1) !== 'GAME_EXPIRED') kinds.push((await lobby.next(TTL_BOUND_MS)).data!.gameLobby.kind);
    expect((await open.next()).data!.openGamesChanged).toEqual({ kind: 'GAME_EXPIRED', game: { id } });
  } finally {
    stop();
  }
  // The sweep runs on the same record; the players are gone once the stream has moved past it.
  await streamCaughtUp(s);
  const left = await s.clients.doc.send(
    new QueryCommand({ TableName: s.tableName, KeyConditionExpression: 'PK = :pk', ExpressionAttributeValues: { ':pk': `GAME#${id}` } }),
  );
  expect(left.Items).toEqual([]);
  await c.close();
  // The creator's own seat, written with the game just before the lobby subscribed, may come too.
  expect(kinds.slice(-3)).toEqual(['PLAYER_JOINED', 'PLAYER_JOINED', 'GAME_EXPIRED']);
  expect(kinds.slice(0, -3)).toEqual(kinds.length === 4 ? ['PLAYER_JOINED'] : []);
  const removal = removals.find((r) => r.keys.PK === `GAME#${id}`);
  expect(removal?.newImage).toBeUndefined();
  return { id, removal: removal! };
}

describe('a game removed by TTL', () => {
  it(
    "by DynamoDB Local's own TTL process: the lobby and the open games hear GAME_EXPIRED, its players go",
    async () => {
      // DynamoDB Local's TTL skips an item that lacks a key of any of the table's indexes, and a game
      // has no `email`: give this one an address from outside so DynamoDB Local can delete it.
      const { id, removal } = await watchExpiry(ttlOnly, (gameId) =>
        ttlOnly.clients.doc
          .send(
            new UpdateCommand({
              TableName: ttlOnly.tableName,
              Key: { PK: `GAME#${gameId}`, SK: `#METADATA#${gameId}` },
              UpdateExpression: 'SET email = :e',
              ExpressionAttributeValues: { ':e': `ttl-${gameId}@example.com` },
            }),
          )
          .then(() => undefined),
      );
      // Nobody but the TTL process deleted it: no user identity and DynamoDB Local's own event name.
      expect(removal).toMatchObject({ kind: 'REMOVE', byTtl: true, oldImage: { game_id: id } });
    },
    TTL_BOUND_MS + 30_000,
  );

  it(
    "by the server's stand-in where DynamoDB Local's TTL cannot delete the game: the same events",
    async () => {
      const { id, removal } = await watchExpiry(standIn);
      // A plain conditional delete, not TTL's: the stream drives the same events from it.
      expect(removal).toMatchObject({ kind: 'REMOVE', byTtl: false, oldImage: { game_id: id } });
    },
    TTL_BOUND_MS + 30_000,
  );
});
