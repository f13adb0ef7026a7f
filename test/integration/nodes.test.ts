// Global object identification against DynamoDB Local: node(id:) and nodes(ids:) of every type,
// their BatchGetItem floor counted by the recording proxy between the server and the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { examples } from '../../graphiql/src/examples.js';
import { createClient } from '../../sdk/src/index.js';
import { loadItems, readJsonl } from '../../src/ops/load.js';
import { newUserItem } from '../../src/data/users/writes.js';
import { participationId, photoId, reactionId, userId } from '../../src/graphql/ids.js';
import { errorCodes, expectNoErrors, freshUsername, LAB_FILES, startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ seed: ['game', 'photos'] });
});
afterAll(() => s.close());

// The labs' objects, read from their files rather than from anything the server says.
const gameLab = readJsonl(LAB_FILES.game);
const photoLab = readJsonl(LAB_FILES.photos);
const TYPE: Record<string, 'HEART' | 'SMILEY' | 'THUMBS_UP' | 'SUNGLASSES'> = {
  heart: 'HEART',
  smiley: 'SMILEY',
  '+1': 'THUMBS_UP',
  sunglasses: 'SUNGLASSES',
};
const users = [...gameLab, ...photoLab]
  .filter((i) => String(i.SK).startsWith('#METADATA#') && String(i.PK).startsWith('USER#'))
  .map((i) => String(i.username));
const games = gameLab
  .filter((i) => String(i.PK).startsWith('GAME#') && String(i.SK).startsWith('#METADATA#'))
  .map((i) => String(i.game_id));
const players = gameLab
  .filter((i) => String(i.PK).startsWith('GAME#') && String(i.SK).startsWith('USER#'))
  .map((i) => ({ gameId: String(i.game_id), username: String(i.username) }));
const photos = photoLab
  .filter((i) => String(i.SK).startsWith('PHOTO#') && String(i.PK).startsWith('USER#'))
  .map((i) => ({ owner: String(i.username), timestamp: String(i.timestamp) }));
const reactions = photoLab
  .filter((i) => String(i.PK).startsWith('REACTION#'))
  .map((i) => {
    const [, owner = '', timestamp = ''] = /^PHOTO#([^#]+)#(.+)$/.exec(String(i.SK)) ?? [];
    return { user: String(i.reactingUser), type: TYPE[String(i.reactionType)]!, owner, timestamp };
  });

const MIXED = `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`;
const batchGets = (res: { calls: { command: string; body: Record<string, any> }[] }) =>
  res.calls.filter((c) => c.command === 'BatchGetItem');
const keysIn = (call: { body: Record<string, any> }) =>
  Object.values(call.body.RequestItems as Record<string, { Keys: unknown[] }>).reduce((n, r) => n + r.Keys.length, 0);

describe('nodes(ids:)', () => {
  it('reads 100 ids of five types in one BatchGetItem, as DynamoDB sees it', async () => {
    const ids = [
      ...users.slice(0, 25).map(userId),
      ...games.slice(0, 15),
      ...players.slice(0, 20).map((p) => participationId(p.gameId, p.username)),
      ...photos.slice(0, 20).map((p) => photoId(p.owner, p.timestamp)),
      ...reactions.slice(0, 20).map((r) => reactionId(r.user, r.type, r.owner, r.timestamp)),
    ];
    expect(new Set(ids).size).toBe(100);
    const res = await s.execute(MIXED, { variables: { ids } });
    expectNoErrors(res);
    const got = res.data!.nodes as { __typename: string; id: string }[];
    expect(got.map((n) => n.id)).toEqual(ids);
    expect(got.map((n) => n.__typename)).toEqual(
      Object.entries({ User: 25, Game: 15, GameParticipation: 20, Photo: 20, Reaction: 20 }).flatMap(([t, n]) => Array<string>(n).fill(t)),
    );
    expect(res.calls.map((c) => c.command)).toEqual(['BatchGetItem']);
    expect(keysIn(res.calls[0]!)).toBe(100);
    expect(res.extensions?.dynamodb?.calls).toEqual({ BatchGetItem: 1 });
  });

  it('shares its BatchGetItem with the rest of the response', async () => {
    const res = await s.execute(`query($ids: [ID!]!, $names: [String!]!) { nodes(ids: $ids) { id } users(usernames: $names) { name } }`, {
      variables: { ids: users.slice(0, 50).map(userId), names: users.slice(50, 100) },
    });
    expectNoErrors(res);
    expect(users.length).toBeGreaterThanOrEqual(100);
    expect(batchGets(res).map(keysIn)).toEqual([100]);
    expect(res.calls).toHaveLength(1);
  });

  it('nulls a malformed entry with BAD_NODE_ID at its index, and a missing one without an error', async () => {
    const res = await s.execute(MIXED, { variables: { ids: [userId(users[0]!), 'USER#haroldwatkins', userId('nobody_here'), games[0]] } });
    expect(res.status).toBe(200);
    expect(res.data!.nodes).toEqual([{ __typename: 'User', id: userId(users[0]!) }, null, null, { __typename: 'Game', id: games[0] }]);
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]).toMatchObject({ path: ['nodes', 1], extensions: { code: 'BAD_NODE_ID' } });
  });

  it('refuses more than 100 ids with BAD_USER_INPUT before reading anything', async () => {
    const res = await s.execute(MIXED, { variables: { ids: users.slice(0, 101).map(userId) } });
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.calls).toEqual([]);
  });

  it('is costed like any list: 100 ids each with a page of 100 followers is refused unread', async () => {
    const res = await s.execute(
      `query($ids: [ID!]!) { nodes(ids: $ids) { ... on User { followers(first: 100) { edges { node { name } } } } } }`,
      { variables: { ids: users.slice(0, 100).map(userId) } },
    );
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'maxCost' });
    expect(res.calls).toEqual([]);
  });
});

describe('node(id:)', () => {
  it('answers each type with the id its typed field gives out', async () => {
    const owner = 'haroldwatkins';
    const typed = await s.execute(
      `query($game: ID!, $owner: String!) {
        user(username: $owner) { id photos(first: 1) { edges { node { id reactions(first: 1) { edges { node { id } } } } } } }
        game(id: $game) { id players(first: 1) { edges { node { id } } } }
      }`,
      { variables: { game: games[0], owner } },
    );
    expectNoErrors(typed);
    const u = typed.data!.user;
    const photo = u.photos.edges[0].node;
    const ids = {
      User: u.id,
      Photo: photo.id,
      Reaction: photo.reactions.edges[0].node.id,
      Game: typed.data!.game.id,
      GameParticipation: typed.data!.game.players.edges[0].node.id,
    };
    expect(ids.User).toBe(userId(owner));
    expect(ids.Game).toBe(games[0]);
    for (const [type, id] of Object.entries(ids)) {
      const res = await s.execute(`query($id: ID!) { node(id: $id) { __typename id } }`, { variables: { id } });
      expectNoErrors(res);
      expect(res.data!.node).toEqual({ __typename: type, id });
    }
  });

  it('shows private fields only to their owner, as user(username:) does', async () => {
    const [me] = [freshUsername('node')];
    await loadItems(s.clients.doc, s.tableName, [newUserItem({ username: me!, name: 'Me', email: `${me}@example.com` })]);
    const q = `query($id: ID!) { node(id: $id) { ... on User { username email birthdate } } }`;
    const anonymous = await s.execute(q, { variables: { id: userId(me!) } });
    const other = await s.execute(q, { variables: { id: userId(me!) }, as: users[0] });
    const self = await s.execute(q, { variables: { id: userId(me!) }, as: me });
    expect(anonymous.data!.node).toEqual({ username: me, email: null, birthdate: null });
    expect(other.data!.node).toEqual({ username: me, email: null, birthdate: null });
    expect(self.data!.node).toEqual({ username: me, email: `${me}@example.com`, birthdate: null });
  });

  it('hides a game past its open time, as game(id:) does', async () => {
    const id = '00000000-0000-4000-8000-000000000001';
    await loadItems(s.clients.doc, s.tableName, [
      {
        PK: `GAME#${id}`,
        SK: `#METADATA#${id}`,
        game_id: id,
        map: 'Nowhere',
        create_time: '2020-01-01T00:00:00',
        people: 1,
        creator: users[0],
        expires_at: 1_000,
      },
    ]);
    const res = await s.execute(`query($id: ID!) { node(id: $id) { id } game(id: $id) { id } }`, { variables: { id } });
    expectNoErrors(res);
    expect(res.data).toEqual({ node: null, game: null });
  });

  it('answers null for an id of nothing, with no error', async () => {
    const res = await s.execute(`query($a: ID!, $b: ID!) { a: node(id: $a) { id } b: node(id: $b) { id } }`, {
      variables: { a: '00000000-0000-4000-8000-00000000dead', b: photoId('haroldwatkins', '2001-01-01T00:00:00') },
    });
    expectNoErrors(res);
    expect(res.data).toEqual({ a: null, b: null });
  });

  it('answers null with BAD_NODE_ID for a malformed id or an unknown type, reading nothing', async () => {
    for (const id of ['GAME#1', 'hello', Buffer.from('v1:Team:abc').toString('base64url')]) {
      const res = await s.execute(`query($id: ID!) { node(id: $id) { id } }`, { variables: { id } });
      expect(res.status).toBe(200);
      expect(res.data).toEqual({ node: null });
      expect(res.errors).toMatchObject([{ path: ['node'], extensions: { code: 'BAD_NODE_ID' } }]);
      expect(res.calls).toEqual([]);
    }
  });
});

describe("the SDK's node and nodes", () => {
  it('reads one of each type with its usual fields, in one BatchGetItem wave per level', async () => {
    const sdk = createClient({ url: `${s.url}/graphql` });
    const ids = [
      userId(users[0]!),
      games[0]!,
      participationId(players[0]!.gameId, players[0]!.username),
      photoId(photos[0]!.owner, photos[0]!.timestamp),
    ];
    const { data, cost } = await sdk.nodes({ ids });
    expect(data.nodes.map((n) => n?.__typename)).toEqual(['User', 'Game', 'GameParticipation', 'Photo']);
    expect(data.nodes.map((n) => n?.id)).toEqual(ids);
    const one = await sdk.node({ id: ids[1]! });
    expect(one.data.node).toMatchObject({ __typename: 'Game', id: games[0], gameStatus: expect.any(String) });
    // The nodes themselves, then what their fields refer to (creators, owners, a player's user and game).
    expect(cost?.calls).toEqual({ BatchGetItem: 2 });
  });
});

describe("GraphiQL's Node tab", () => {
  it('names real objects of the labs by their global ids', async () => {
    const tab = examples({ demoUser: null }).find((e) => e.name === 'Node')!;
    const res = await s.execute(tab.query);
    expectNoErrors(res, tab.query);
    expect(res.data!.node).toMatchObject({ __typename: 'User', id: userId('haroldwatkins'), username: 'haroldwatkins' });
    expect(res.data!.nodes).toEqual([
      expect.objectContaining({ __typename: 'Game', id: '14c7f97e-8354-4ddf-985f-074970818215' }),
      expect.objectContaining({ __typename: 'Photo', id: photoId('haroldwatkins', '2018-09-19T18:20:15') }),
    ]);
  });
});
