// @live queries on the serverless flavour: the route function runs the first result and files the
// read set as watch items; the delivery function, fed by DynamoDB Local's real stream through the
// event source emulator, finds them from each record and posts a new revision only when the
// result changed, whoever wrote (the HTTP Lambda's joinGame, the lab's transaction from outside).
import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectionItems } from '../../src/data/connections/removal.js';
import { isLiveQueryItem, watchKeysOf } from '../../src/data/connections/watches.js';
import type { Key } from '../../src/data/keys.js';
import { keys } from '../../src/data/keys.js';
import { createHandler, type LambdaHttpHandler } from '../../src/lambda.js';
import { createLogger } from '../../src/log.js';
import { loadItems } from '../../src/ops/load.js';
import { eventually } from '../helpers/cluster.js';
import { labJoinCommand } from '../helpers/labs.js';
import { graphql, invoke } from '../helpers/lambda.js';
import { caughtUp, connect, listen, startServerless, type ServerlessFlavour } from '../helpers/serverless.js';
import { freshUsername } from '../helpers/server.js';
import { freshMap } from './games-seed.js';

let s: ServerlessFlavour;
let http: LambdaHttpHandler;
/** The functions' clock runs this far ahead of the real one (a token's expiry, without waiting for it). */
let ahead = 0;
beforeAll(async () => {
  s = await startServerless({ now: () => new Date(Date.now() + ahead) });
  http = createHandler(s.config, { clients: s.clients, logger: createLogger({ silent: true }) });
});
afterAll(async () => {
  await s?.close();
});

const LOBBY = `query Lobby($id: ID!) @live {
  game(id: $id) { id playerCount players(first: 100) { edges { cursor node { user { username } } } } }
}`;
const JOIN = `mutation($id: ID!) { joinGame(gameId: $id) { user { username } } }`;

type Result = { data?: any; errors?: unknown[]; extensions?: { live?: { revision: number } } };

async function seedUsers(n: number): Promise<string[]> {
  const names = Array.from({ length: n }, () => freshUsername('l'));
  await loadItems(
    s.clients.doc,
    s.tableName,
    names.map((u) => ({ ...keys.user(u), username: u, name: `Player ${u}`, email: `${u}@example.com` })),
  );
  return names;
}

async function seedGame(creator: string): Promise<string> {
  const id = randomUUID();
  const t = '2024-05-01T10:00:00';
  await loadItems(s.clients.doc, s.tableName, [
    { ...keys.game(id), game_id: id, map: freshMap(), create_time: t, open_timestamp: t, people: 1, creator },
    { ...keys.player(id, creator), game_id: id, username: creator },
  ]);
  return id;
}

/** A client as `username`, with a token, and its connection's id. */
const connectAs = async (username: string) => connect(s, await s.token(username));

const usernames = (r: Result) =>
  (r.data.game.players.edges as { node: { user: { username: string } } }[]).map((e) => e.node.user.username).sort();
const revisions = (heard: { next?: Result }[]) => heard.map((h) => h.next?.extensions?.live?.revision);
const last = (heard: { next?: Result }[]) => heard[heard.length - 1]!.next!;

async function exists(key: Key): Promise<boolean> {
  const out = await s.clients.doc.send(new GetCommand({ TableName: s.tableName, Key: key, ConsistentRead: true }));
  return out.Item !== undefined;
}

/** The watch items of the connection's live queries, as their items list them. */
async function watchKeys(connectionId: string): Promise<Key[]> {
  return (await connectionItems(s.db, connectionId)).filter(isLiveQueryItem).flatMap(watchKeysOf);
}

it('keeps a lobby current: revision 1, then a new revision for a join through the API and for the lab’s join from outside; nothing for an unrelated write; watches removed on $disconnect', async () => {
  const [creator, ana, bob, carl, other] = await seedUsers(5);
  const gameId = await seedGame(creator!);
  const elsewhere = await seedGame(other!);
  await caughtUp(s);

  const { client, connectionId } = await connectAs(ana!);
  const { heard } = listen<Result>(client, LOBBY, { id: gameId });
  await eventually(async () => heard.length >= 1, 'revision 1');
  expect(heard[0]!.error).toBeUndefined();
  expect(revisions(heard)).toEqual([1]);
  expect(usernames(heard[0]!.next!)).toEqual([creator]);
  // Revision 1 is posted before the watches are written.
  await eventually(async () => (await watchKeys(connectionId)).length > 0, 'the watches');
  const watches = await watchKeys(connectionId);
  // The game's partition on the table at least: what a join writes.
  expect(watches.map((k) => k.PK)).toContain(keys.ws.watchPk('table', keys.game(gameId).PK));
  // The item lists its watches before replaceWatches writes them: wait for every one (bounded).
  await eventually(async () => (await Promise.all(watches.map(exists))).every(Boolean), 'every watch item written');

  // joinGame through the HTTP Lambda.
  const joined = await invoke(http, { body: graphql(JOIN, { id: gameId }), headers: { authorization: `Bearer ${await s.token(ana!)}` } });
  expect(joined.body.errors).toBeUndefined();
  await eventually(
    async () => heard.length >= 1 && last(heard).data.game.playerCount === 2 && usernames(last(heard)).length === 2,
    'the API join',
  );
  expect(usernames(last(heard))).toEqual([creator, ana].sort());

  // The lab's join transaction, from outside with raw SDK calls.
  await s.clients.doc.send(labJoinCommand(s.tableName, gameId, bob!));
  await eventually(async () => last(heard).data.game.playerCount === 3 && usernames(last(heard)).length === 3, 'the lab join');
  expect(usernames(last(heard))).toEqual([creator, ana, bob].sort());
  const settled = heard.length;
  // No hole, no repeat: each post is the next revision.
  expect(revisions(heard)).toEqual(Array.from({ length: settled }, (_, i) => i + 1));

  // Unrelated: another game's join, an item of no entity; then, as the marker, one more join here.
  await s.clients.doc.send(labJoinCommand(s.tableName, elsewhere, carl!));
  await s.clients.doc.send(new PutCommand({ TableName: s.tableName, Item: { PK: `USER#${freshUsername('x')}`, SK: 'UNRELATED' } }));
  await caughtUp(s);
  await s.clients.doc.send(labJoinCommand(s.tableName, gameId, carl!));
  await eventually(async () => last(heard).data.game.playerCount === 4 && usernames(last(heard)).length === 4, 'the marker join');
  // Whatever came after the unrelated writes was the marker's: every post since shows carl.
  expect(heard.slice(settled).every((h) => usernames(h.next!).includes(carl!))).toBe(true);
  expect(revisions(heard)).toEqual(Array.from({ length: heard.length }, (_, i) => i + 1));

  await client.dispose();
  await eventually(async () => (await connectionItems(s.db, connectionId)).length === 0, 'the $disconnect');
  // One BatchWriteItem deletes the connection's items and its watches: a read may fall between them.
  await eventually(async () => (await Promise.all(watches.map(exists))).every((e) => !e), 'its watches deleted');
});

it('removes a completed live query’s item and watches, leaving the connection', async () => {
  const [creator, ana] = await seedUsers(2);
  const gameId = await seedGame(creator!);
  const { client, connectionId } = await connectAs(ana!);
  const { heard, dispose } = listen<Result>(client, LOBBY, { id: gameId });
  await eventually(async () => heard.length >= 1, 'revision 1');
  await eventually(async () => (await watchKeys(connectionId)).length > 0, 'the watches');
  const watches = await watchKeys(connectionId);
  dispose();
  await eventually(async () => (await connectionItems(s.db, connectionId)).length === 1, 'the complete');
  // One BatchWriteItem deletes the connection's items and its watches: a read may fall between them.
  await eventually(async () => (await Promise.all(watches.map(exists))).every((e) => !e), 'its watches deleted');
  await client.dispose();
});

it('refuses an expired token at the re-run: the error message, then the connection goes with its watches', async () => {
  const [creator, ana, bob] = await seedUsers(3);
  const gameId = await seedGame(creator!);
  const { client, connectionId } = await connectAs(ana!);
  const closed = new Promise<number>((r) => client.on('closed', (e) => r((e as { code: number }).code)));
  const { heard } = listen<Result>(client, LOBBY, { id: gameId });
  await eventually(async () => heard.length >= 1, 'revision 1');
  await eventually(async () => (await watchKeys(connectionId)).length > 0, 'the watches');
  const watches = await watchKeys(connectionId);
  await s.gateway.settled(); // the subscribe's check run done: the re-run is the delivery function's
  ahead = 13 * 3_600_000; // past the token's 12 hours
  try {
    await s.clients.doc.send(labJoinCommand(s.tableName, gameId, bob!));
    expect(await closed).toBe(1000);
  } finally {
    ahead = 0;
  }
  expect(heard.slice(1)).toMatchObject([{ error: [{ extensions: { code: 'UNAUTHENTICATED' } }] }]);
  await eventually(async () => (await connectionItems(s.db, connectionId)).length === 0, 'its items deleted');
  // One BatchWriteItem deletes the connection's items and its watches: a read may fall between them.
  await eventually(async () => (await Promise.all(watches.map(exists))).every((e) => !e), 'its watches deleted');
});

it('cleans up a vanished client when its next revision finds it gone (GoneException)', async () => {
  const [creator, ana, bob] = await seedUsers(3);
  const gameId = await seedGame(creator!);
  const { client, connectionId } = await connectAs(ana!);
  const { heard } = listen<Result>(client, LOBBY, { id: gameId });
  await eventually(async () => heard.length >= 1, 'revision 1');
  await eventually(async () => (await watchKeys(connectionId)).length > 0, 'the watches');
  const watches = await watchKeys(connectionId);
  // Gone without a $disconnect (a dropped network): the gateway forgets it, the items stay.
  s.gateway.vanish(connectionId);
  await s.clients.doc.send(labJoinCommand(s.tableName, gameId, bob!));
  await eventually(async () => (await connectionItems(s.db, connectionId)).length === 0, "the vanished client's items deleted");
  // One BatchWriteItem deletes the connection's items and its watches: a read may fall between them.
  await eventually(async () => (await Promise.all(watches.map(exists))).every((e) => !e), 'its watches deleted');
  await client.dispose();
});

it('drops an expired open game from a live open-games list at the first batch after its expiry, with no write concerning it', async () => {
  const [creator, ana] = await seedUsers(2);
  const map = freshMap();
  const id = randomUUID();
  const expiresAt = Math.floor(Date.now() / 1000) + 60;
  const t = '2024-05-01T10:00:00';
  await loadItems(s.clients.doc, s.tableName, [
    { ...keys.game(id), game_id: id, map, create_time: t, open_timestamp: t, people: 1, creator, expires_at: expiresAt },
    { ...keys.player(id, creator!), game_id: id, username: creator },
  ]);
  await caughtUp(s);
  const { client, connectionId } = await connectAs(ana!);
  const { heard } = listen<Result>(client, `query($map: String) @live { openGames(map: $map) { edges { node { id } } } }`, { map });
  await eventually(async () => heard.length >= 1, 'revision 1');
  expect(heard[0]!.next!.errors).toBeUndefined();
  expect(heard[0]!.next).toMatchObject({ data: { openGames: { edges: [{ node: { id } }] } } });
  await eventually(async () => (await watchKeys(connectionId)).some((k) => k.PK === keys.ws.expiryWatchPk()), 'the expiry watch');
  await s.gateway.settled(); // the subscribe's check run done: what follows is the delivery function's
  ahead = 120_000; // the functions' clock past the game's expiry
  try {
    await caughtUp(s); // a write elsewhere: the first batch after the expiry
    await eventually(async () => heard.length >= 2, 'the expiry revision');
  } finally {
    ahead = 0;
  }
  expect(heard[1]!.next).toMatchObject({ data: { openGames: { edges: [] } }, extensions: { live: { revision: 2 } } });
  expect((await watchKeys(connectionId)).some((k) => k.PK === keys.ws.expiryWatchPk())).toBe(false);
  await client.dispose();
});
