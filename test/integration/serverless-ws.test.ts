// What only the serverless flavour has to get right: the subprotocol handshake on $connect, the
// replacements of close codes API Gateway cannot send, state kept in the table and cleaned up
// (complete, $disconnect, a vanished client, the idle timeout), API Gateway's 128 KB message limit,
// and a stream batch retried by Lambda posting nothing twice.
import { randomUUID } from 'node:crypto';
import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connectionItems } from '../../src/data/connections/removal.js';
import { cursorKeys, encodeCursor } from '../../src/data/dynamo/cursor.js';
import { keys } from '../../src/data/keys.js';
import { loadItems } from '../../src/ops/load.js';
import { eventually } from '../helpers/cluster.js';
import { caughtUp, connect, listen, startServerless, subscribers, type ServerlessFlavour } from '../helpers/serverless.js';
import { freshUsername } from '../helpers/server.js';

let s: ServerlessFlavour;
/** The functions' clock runs this far ahead of the real one (a token's expiry, without waiting for it). */
let ahead = 0;
beforeAll(async () => {
  s = await startServerless({ gateway: { idleMs: 1_500 }, now: () => new Date(Date.now() + ahead) });
});
afterAll(async () => {
  await s?.close();
});

const LOBBY = `subscription($id: ID!) { gameLobby(gameId: $id) { kind player { user { username } } } }`;

async function seedGame(): Promise<{ gameId: string; creator: string }> {
  const creator = freshUsername('c');
  const gameId = randomUUID();
  await loadItems(s.clients.doc, s.tableName, [
    { ...keys.user(creator), username: creator, name: 'Creator', email: `${creator}@example.com` },
    { ...keys.game(gameId), game_id: gameId, map: 'Juicy Jungle', create_time: '2024-05-01T10:00:00', people: 1, creator },
    { ...keys.player(gameId, creator), game_id: gameId, username: creator },
  ]);
  // Delivery may lag behind (an earlier test's retries): seeded items must not become this test's events.
  await caughtUp(s);
  return { gameId, creator };
}

async function join(gameId: string, username: string) {
  await s.clients.doc.send(
    new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: s.tableName, Item: { ...keys.user(username), username, name: username, email: `${username}@example.com` } } },
        { Put: { TableName: s.tableName, Item: { ...keys.player(gameId, username), game_id: gameId, username } } },
        {
          Update: {
            TableName: s.tableName,
            Key: keys.game(gameId),
            UpdateExpression: 'SET people = people + :p',
            ExpressionAttributeValues: { ':p': 1 },
          },
        },
      ],
    }),
  );
}

/** A raw socket speaking the subprotocol, for messages no well-behaved client sends. */
async function raw(): Promise<{ ws: WebSocket; received: unknown[]; closed: Promise<number> }> {
  const ws = new WebSocket(s.wsUrl, 'graphql-transport-ws');
  const received: unknown[] = [];
  ws.on('message', (d) => received.push(JSON.parse(String(d))));
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
  return { ws, received, closed };
}

it('negotiates graphql-transport-ws on $connect and refuses a handshake that does not offer it', async () => {
  const refused = new WebSocket(s.wsUrl);
  const status = await new Promise<number>((r) => refused.once('unexpected-response', (_req, res) => r(res.statusCode ?? 0)));
  expect(status).toBe(400);
  const { ws, closed } = await raw();
  expect(ws.protocol).toBe('graphql-transport-ws');
  ws.close();
  await closed;
});

it('answers ping with pong, and refuses subscribe before connection_init with an error, then a close (4401 replaced)', async () => {
  const { ws, received, closed } = await raw();
  ws.send(JSON.stringify({ type: 'ping', payload: { n: 1 } }));
  await eventually(async () => received.length === 1, 'the pong');
  expect(received[0]).toEqual({ type: 'pong', payload: { n: 1 } });
  ws.send(JSON.stringify({ type: 'subscribe', id: 'a', payload: { query: 'subscription { viewerFollowers { kind } }' } }));
  expect(await closed).toBe(1000);
  expect(received[1]).toMatchObject({ type: 'error', id: 'a', payload: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
});

it('refuses a query without @live as the container server does (a @live one is served: serverless-live.test.ts)', async () => {
  const { gameId } = await seedGame();
  const { client: c } = await connect(s);
  const { heard } = listen(c, `query($id: ID!) { game(id: $id) { id } }`, { id: gameId });
  await eventually(async () => heard.length === 1, 'the refusal');
  expect(heard[0]!.error).toMatchObject([{ extensions: { code: 'BAD_REQUEST' } }]);
  await c.dispose();
});

it('closes a connection whose token is refused at connection_init, and one that sends connection_init twice', async () => {
  const bad = await raw();
  bad.ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer not.a.token' } }));
  expect(await bad.closed).toBe(1000);
  expect(bad.received).toEqual([]);
  const twice = await raw();
  twice.ws.send(JSON.stringify({ type: 'connection_init' }));
  await eventually(async () => twice.received.length === 1, 'the ack');
  twice.ws.send(JSON.stringify({ type: 'connection_init' }));
  expect(await twice.closed).toBe(1000);
});

it('removes a completed subscription and, on $disconnect, everything of the connection', async () => {
  const { gameId } = await seedGame();
  const { client: c, connectionId } = await connect(s);
  const sub = listen(c, LOBBY, { id: gameId });
  await eventually(async () => (await subscribers(s, `game:${gameId}`)).length === 1, 'the subscription');
  sub.dispose();
  await eventually(async () => (await subscribers(s, `game:${gameId}`)).length === 0, 'the complete');
  expect((await connectionItems(s.db, connectionId)).length).toBe(1);
  await c.dispose();
  await eventually(async () => (await connectionItems(s.db, connectionId)).length === 0, 'the $disconnect');
});

it('cleans up a vanished client when posting to it answers GoneException, and still delivers to the others', async () => {
  const { gameId } = await seedGame();
  const [a, b] = [await connect(s), await connect(s)];
  const heardA = listen(a.client, LOBBY, { id: gameId }).heard;
  listen(b.client, LOBBY, { id: gameId });
  await eventually(async () => (await subscribers(s, `game:${gameId}`)).length === 2, 'two subscriptions');
  s.gateway.vanish(b.connectionId);
  await join(gameId, freshUsername('j'));
  await eventually(async () => heardA.length === 1, 'the event');
  // One BatchWriteItem deletes both partitions' items, but not atomically: wait for both.
  await eventually(async () => (await connectionItems(s.db, b.connectionId)).length === 0, "the vanished client's items deleted");
  await eventually(async () => (await subscribers(s, `game:${gameId}`)).length === 1, "the vanished client's subscriber item deleted");
  expect((await subscribers(s, `game:${gameId}`)).map((x) => x.connectionId)).toEqual([a.connectionId]);
  await a.client.dispose();
});

it('disconnects a client API Gateway keeps refusing posts to (its buffer is full), so it cannot hold back the others', async () => {
  const { gameId } = await seedGame();
  const [a, b] = [await connect(s), await connect(s)];
  const heardA = listen(a.client, LOBBY, { id: gameId }).heard;
  listen(b.client, LOBBY, { id: gameId });
  await eventually(async () => (await subscribers(s, `game:${gameId}`)).length === 2, 'two subscriptions');
  s.gateway.throttle(b.connectionId);
  await join(gameId, freshUsername('j'));
  await eventually(async () => heardA.length === 1, 'the event');
  await eventually(async () => !s.gateway.connectionIds().includes(b.connectionId), 'the slow client disconnected');
  await eventually(async () => (await connectionItems(s.db, b.connectionId)).length === 0, "the slow client's items deleted");
  await a.client.dispose();
});

it('posts nothing twice when Lambda hands the delivery function a batch again', async () => {
  const { gameId } = await seedGame();
  const { client: c } = await connect(s);
  const { heard } = listen(c, LOBBY, { id: gameId });
  await eventually(async () => (await subscribers(s, `game:${gameId}`)).length === 1, 'the subscription');
  const first = freshUsername('j');
  await join(gameId, first);
  await eventually(async () => heard.length === 1, 'the first event');
  const batch = s.stream.invocations.find((records) =>
    records.some((r) => r.dynamodb?.Keys?.SK?.S === `USER#${first}` && r.dynamodb.Keys.PK?.S?.startsWith('GAME#')),
  )!;
  expect(await s.deliver({ Records: batch })).toEqual({ batchItemFailures: [] });
  const marker = freshUsername('m');
  await join(gameId, marker); // written after the retry: if the retry posted, its event comes before this one
  await eventually(async () => heard.some((h) => h.next?.data?.gameLobby.player.user.username === marker), 'the marker');
  expect(heard.map((h) => h.next?.data?.gameLobby.player.user.username)).toEqual([first, marker]);
  await c.dispose();
});

it("turns an event over API Gateway's 128 KB into the protocol's error for that subscription", async () => {
  const viewer = freshUsername('v');
  const big = freshUsername('b');
  await loadItems(s.clients.doc, s.tableName, [
    { ...keys.user(viewer), username: viewer, name: 'Viewer', email: `${viewer}@example.com` },
    { ...keys.user(big), username: big, name: 'x'.repeat(140 * 1024), email: `${big}@example.com` },
  ]);
  const { client: c } = await connect(s, await s.token(viewer));
  const { heard } = listen(c, `subscription { viewerFollowers { kind follower { name } } }`);
  await eventually(async () => (await subscribers(s, `followers:${viewer}`)).length === 1, 'the subscription');
  await s.clients.doc.send(
    new PutCommand({ TableName: s.tableName, Item: { ...keys.follow(viewer, big), followedUser: viewer, followingUser: big } }),
  );
  await eventually(async () => heard.length === 1, 'the error');
  expect(heard[0]!.error).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT', limit: 'maxMessageBytes' } }]);
  await eventually(async () => (await subscribers(s, `followers:${viewer}`)).length === 0, 'the subscription removed');
  await c.dispose();
});

it('resumes after API Gateway closed an idle socket (1001), with nothing lost; a cursor the window no longer holds gets RESYNC', async () => {
  const { gameId } = await seedGame();
  const first = await connect(s);
  const closed = new Promise<number>((r) => first.client.on('closed', (e) => r((e as { code: number }).code)));
  const { heard } = listen(
    first.client,
    `subscription($id: ID!, $after: String) { gameLobby(gameId: $id, after: $after) { cursor kind player { user { username } } } }`,
    { id: gameId },
  );
  await eventually(async () => (await subscribers(s, `game:${gameId}`)).length === 1, 'the subscription');
  const [a, b, c, d] = Array.from({ length: 4 }, () => freshUsername('j'));
  await join(gameId, a!);
  await eventually(async () => heard.length === 1, 'the first event');
  const cursor = heard[0]!.next.data.gameLobby.cursor as string;
  expect(await closed).toBe(1001); // no message for idleMs: API Gateway's idle close
  await join(gameId, b!);
  await join(gameId, c!);
  await caughtUp(s); // delivered while the client was away (a reconnect racing the delivery may get RESYNC instead)
  const second = await connect(s);
  const query = `subscription($id: ID!, $after: String) { gameLobby(gameId: $id, after: $after) { kind player { user { username } } } }`;
  const resumed = listen(second.client, query, { id: gameId, after: cursor }).heard;
  await eventually(async () => resumed.length === 2, 'the missed events');
  await join(gameId, d!);
  await eventually(async () => resumed.length === 3, 'the marker');
  expect(resumed.map((h) => h.next.data.gameLobby.player.user.username)).toEqual([b, c, d]);

  const gone = encodeCursor(cursorKeys(s.config.graphql.cursorSecret), 'live-events', { p: '1', i: 0 });
  const late = listen(second.client, query, { id: gameId, after: gone }).heard;
  await eventually(async () => late.length === 1, 'the RESYNC');
  expect(late[0]!.next.data.gameLobby).toEqual({ kind: 'RESYNC', player: null });
  await second.client.dispose();
});

it("ends a connection whose token expired at its next event: the subscription's error, then a close (4403 replaced)", async () => {
  const { gameId } = await seedGame();
  const viewer = freshUsername('v');
  const { client: c } = await connect(s, await s.token(viewer));
  const closed = new Promise<number>((r) => c.on('closed', (e) => r((e as { code: number }).code)));
  const { heard } = listen(c, LOBBY, { id: gameId });
  await eventually(async () => (await subscribers(s, `game:${gameId}`)).length === 1, 'the subscription');
  ahead = 13 * 3_600_000; // past the token's 12 hours
  try {
    await join(gameId, freshUsername('j'));
    expect(await closed).toBe(1000);
  } finally {
    ahead = 0;
  }
  expect(heard).toMatchObject([{ error: [{ extensions: { code: 'UNAUTHENTICATED' } }] }]);
  await eventually(async () => (await subscribers(s, `game:${gameId}`)).length === 0, 'its items deleted');
});

it('closes an idle connection (API Gateway: 10 minutes, here 1.5 s) and runs $disconnect', async () => {
  const { ws, closed } = await raw();
  const id = s.gateway.connectionIds().at(-1)!;
  expect(await closed).toBe(1001);
  await eventually(async () => (await connectionItems(s.db, id)).length === 0, 'the $disconnect');
  void ws;
});
