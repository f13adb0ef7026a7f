// One client script, two deployments: the container server (graphql-ws on its own socket, the
// in-process stream reader) and the serverless flavour (API Gateway's WebSocket API emulated, the
// route and delivery Lambdas fed by DynamoDB Local's real stream through the event source emulator).
// What each client received must be the same: the same events, in the same order, the same errors.
import { randomUUID } from 'node:crypto';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Client } from 'graphql-ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { keys } from '../../src/data/keys.js';
import { loadItems } from '../../src/ops/load.js';
import { eventually } from '../helpers/cluster.js';
import { labJoinCommand } from '../helpers/labs.js';
import { feedsReach, streamCaughtUp } from '../helpers/live.js';
import { acknowledgedClient, caughtUp, startServerless, subscribed, type ServerlessFlavour } from '../helpers/serverless.js';
import { freshUsername, startTestServer, type TestServer } from '../helpers/server.js';

interface Flavour {
  wsUrl: string;
  tableName: string;
  doc: DynamoDBDocumentClient;
  token(username: string): Promise<string>;
  /** Resolves once `n` subscriptions are held in all (their subscribe messages handled). */
  subscribed(topics: string[], n: number): Promise<void>;
  /** Resolves once every write made before the call has been through the stream and delivered. */
  caughtUp(): Promise<void>;
}

let container: TestServer;
let serverless: ServerlessFlavour;
const flavours: Record<'container' | 'serverless', Flavour> = {} as Record<'container' | 'serverless', Flavour>;

beforeAll(async () => {
  [container, serverless] = await Promise.all([startTestServer({ live: { streamPollMs: 50 } }), startServerless()]);
  flavours.container = {
    wsUrl: container.wsUrl,
    tableName: container.tableName,
    doc: container.clients.doc,
    token: container.token,
    subscribed: (_topics, n) => feedsReach(container, n),
    caughtUp: () => streamCaughtUp(container),
  };
  flavours.serverless = {
    wsUrl: serverless.wsUrl,
    tableName: serverless.tableName,
    doc: serverless.clients.doc,
    token: serverless.token,
    subscribed: (topics, n) => subscribed(serverless, topics, n),
    caughtUp: () => caughtUp(serverless),
  };
});
afterAll(async () => {
  await container?.close();
  await serverless?.close();
});

/** The lab's join_game.py: one transaction from outside the API. */
async function labJoin(f: Flavour, gameId: string, username: string) {
  await f.doc.send(labJoinCommand(f.tableName, gameId, username));
}

// Not `game`: for PLAYER_JOINED it is the game as it is when the event is resolved, which depends on timing.
const LOBBY = `subscription Lobby($id: ID!, $after: String) { gameLobby(gameId: $id, after: $after) { cursor kind player { user { username name } } } }`;
const FOLLOWERS = `subscription { viewerFollowers { kind follower { username } followedAt } }`;

type Heard = { next?: unknown; error?: unknown; complete?: true }[];

function listen(client: Client, query: string, variables?: Record<string, unknown>): Heard {
  const heard: Heard = [];
  client.subscribe(
    { query, variables },
    { next: (r) => heard.push({ next: r }), error: (e) => heard.push({ error: e }), complete: () => heard.push({ complete: true }) },
  );
  return heard;
}

/** The script every flavour runs: the same users, game and writes under fresh names, names then replaced by roles. */
async function runScript(f: Flavour) {
  const [creator, ana, bob, carl, dave, eve, frank, greg] = Array.from({ length: 8 }, () => freshUsername('t'));
  const gameId = randomUUID();
  const users = [creator, ana, bob, carl, dave, eve, frank, greg].map((u) => ({
    ...keys.user(u!),
    username: u,
    name: `Player ${u}`,
    email: `${u}@example.com`,
  }));
  const game = { ...keys.game(gameId), game_id: gameId, map: 'Juicy Jungle', create_time: '2024-05-01T10:00:00', people: 1, creator };
  await loadItems(f.doc, f.tableName, [
    ...users,
    { ...game, open_timestamp: '2024-05-01T10:00:00' },
    { ...keys.player(gameId, creator!), game_id: gameId, username: creator },
  ]);
  await f.caughtUp();

  const token = await f.token(ana!);
  const client = await acknowledgedClient(f.wsUrl, token);
  const heard = {
    lobby: listen(client, LOBBY, { id: gameId }),
    followers: listen(client, FOLLOWERS),
    unknownGame: listen(client, LOBBY, { id: randomUUID() }),
    query: listen(client, `{ viewer { username } }`),
    invalid: listen(client, `subscription { nope }`),
    badCursor: listen(client, `subscription($id: ID!) { gameLobby(gameId: $id, after: "forged") { kind } }`, { id: gameId }),
  };
  await f.subscribed([`game:${gameId}`, `followers:${ana}`], 2);
  const refused = [heard.unknownGame, heard.query, heard.invalid, heard.badCursor];
  await eventually(async () => refused.every((h) => h.length > 0), 'the refusals');

  await labJoin(f, gameId, bob!);
  await f.doc.send(
    new PutCommand({
      TableName: f.tableName,
      Item: { ...keys.follow(ana!, carl!), followedUser: ana, followingUser: carl, timestamp: '2024-05-02T10:00:00' },
    }),
  );
  await labJoin(f, gameId, carl!);
  await labJoin(f, gameId, dave!); // the marker: nothing may come between the events above and this one
  await eventually(async () => heard.lobby.length >= 3 && heard.followers.length >= 1, 'the events');
  const afterCarl = (heard.lobby[1]?.next as { data: { gameLobby: { cursor: string } } }).data.gameLobby.cursor;

  // The socket goes (API Gateway closes every one within 2 hours); writes go on; the client comes back with its cursor.
  const before = JSON.stringify(heard); // what the server sent (the client's own dispose then completes its sinks)
  await client.dispose();
  await labJoin(f, gameId, eve!);
  await labJoin(f, gameId, frank!);
  await f.caughtUp();
  const again = await acknowledgedClient(f.wsUrl, token);
  const resumed = listen(again, LOBBY, { id: gameId, after: afterCarl });
  await eventually(async () => resumed.length >= 3, 'the missed events');
  await labJoin(f, gameId, greg!); // the marker after the missed events
  await eventually(async () => resumed.length >= 4, 'the marker');
  const afterResume = JSON.stringify(resumed);
  await again.dispose();

  const roles: Record<string, string> = { [creator!]: 'creator', [ana!]: 'ana', [gameId]: 'GAME' };
  for (const [role, u] of Object.entries({ bob, carl, dave, eve, frank, greg })) roles[u!] = role;
  const transcript = `{"resumed":${afterResume},${before.slice(1)}`
    .replace(/"cursor":"[^"]*"/g, '"cursor":"C"') // each deployment's own positions
    .replace(/t_[0-9a-f]{12}|[0-9a-f-]{36}/g, (m) => roles[m] ?? 'OTHER');
  return JSON.parse(transcript) as typeof heard & { resumed: Heard };
}

it('gives the same transcript on the container server and on API Gateway + Lambda: writes from outside the API, refusals, a resume after the socket closed', async () => {
  const expected = await runScript(flavours.container);
  const joined = (...who: string[]) =>
    who.map((u) =>
      JSON.stringify({
        next: { data: { gameLobby: { cursor: 'C', kind: 'PLAYER_JOINED', player: { user: { username: u, name: `Player ${u}` } } } } },
      }),
    );
  expect(expected.lobby.map((h) => JSON.stringify(h))).toEqual(joined('bob', 'carl', 'dave'));
  // Resumed after carl's event: dave again, then what happened while away, then the marker; nothing twice.
  expect(expected.resumed.map((h) => JSON.stringify(h))).toEqual(joined('dave', 'eve', 'frank', 'greg'));
  const code = (h: Heard) => (h[0]?.error as { extensions?: { code?: string } }[] | undefined)?.[0]?.extensions?.code;
  expect([code(expected.unknownGame), code(expected.query), code(expected.invalid), code(expected.badCursor)]).toEqual([
    'NOT_FOUND',
    'BAD_REQUEST',
    'GRAPHQL_VALIDATION_FAILED',
    'BAD_USER_INPUT',
  ]);
  expect(expected.followers).toMatchObject([{ next: { data: { viewerFollowers: { kind: 'FOLLOWED', follower: { username: 'carl' } } } } }]);
  const received = await runScript(flavours.serverless);
  expect(received).toEqual(expected);
});

const LIVE_LOBBY = `query Lobby($id: ID!) @live { game(id: $id) { playerCount players(first: 100) { edges { cursor node { user { username } } } } } }`;

/** A live lobby through writes from outside the API, one at a time, with an unrelated write between: each result, with its revision. */
async function runLiveScript(f: Flavour) {
  const [creator, ana, bob, carl, other] = Array.from({ length: 5 }, () => freshUsername('q'));
  const [gameId, elsewhere] = [randomUUID(), randomUUID()];
  const game = (id: string, by: string) => ({
    ...keys.game(id),
    game_id: id,
    map: 'Juicy Jungle',
    create_time: '2024-05-01T10:00:00',
    open_timestamp: '2024-05-01T10:00:00',
    people: 1,
    creator: by,
  });
  await loadItems(f.doc, f.tableName, [
    ...[creator, ana, bob, carl, other].map((u) => ({ ...keys.user(u!), username: u, name: `Player ${u}`, email: `${u}@example.com` })),
    game(gameId, creator!),
    game(elsewhere, other!),
    { ...keys.player(gameId, creator!), game_id: gameId, username: creator },
    { ...keys.player(elsewhere, other!), game_id: elsewhere, username: other },
  ]);
  await f.caughtUp();
  const client = await acknowledgedClient(f.wsUrl, await f.token(ana!));
  const heard = listen(client, LIVE_LOBBY, { id: gameId });
  await eventually(async () => heard.length >= 1, 'revision 1');
  await labJoin(f, gameId, ana!);
  await eventually(async () => heard.length >= 2, 'the first join');
  await labJoin(f, elsewhere, bob!); // concerns no read of this query: no revision
  await labJoin(f, gameId, bob!);
  await eventually(async () => heard.length >= 3, 'the second join');
  await labJoin(f, gameId, carl!); // the marker: nothing may come between the results above and this one
  await eventually(async () => heard.length >= 4, 'the marker join');
  await client.dispose();
  const roles: Record<string, string> = { [creator!]: 'creator', [ana!]: 'ana', [bob!]: 'bob', [carl!]: 'carl' };
  const named = JSON.parse(
    JSON.stringify(heard)
      .replace(/"cursor":"[^"]*"/g, '"cursor":"C"')
      .replace(/q_[0-9a-f]{12}/g, (m) => roles[m] ?? 'OTHER'),
  ) as { next?: { data?: { game?: { players: { edges: { node: { user: { username: string } } }[] } } } } }[];
  // Players come in the order of their random names: by role instead, the same for both.
  for (const h of named) h.next?.data?.game?.players.edges.sort((a, b) => a.node.user.username.localeCompare(b.node.user.username));
  return named;
}

it('gives the same live query results on both: one revision per join from outside, none for an unrelated write', async () => {
  const expected = await runLiveScript(flavours.container);
  const result = (revision: number, ...players: string[]) => ({
    next: {
      data: {
        game: { playerCount: players.length, players: { edges: players.map((u) => ({ cursor: 'C', node: { user: { username: u } } })) } },
      },
      extensions: { live: { revision } },
    },
  });
  expect(expected).toEqual([
    result(1, 'creator'),
    result(2, 'ana', 'creator'),
    result(3, 'ana', 'bob', 'creator'),
    result(4, 'ana', 'bob', 'carl', 'creator'),
  ]);
  expect(await runLiveScript(flavours.serverless)).toEqual(expected);
});
