// Normalized caches that no one here configured: Apollo Client 4's InMemoryCache and urql's
// graphcache, with no typePolicies and no keys, only the possibleTypes codegen writes
// (src/__generated__/possible-types.ts) so fragments on Node match. Because every entity has an
// `id`, two different queries returning the same user, game or photo share one cache entry, and a
// mutation's answer changes what the other query shows.
import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Client, fetchExchange } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { parse, type DocumentNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import generated from '../../src/__generated__/possible-types.js';
import { expectNoErrors, startTestServer, type TestServer } from '../helpers/server.js';
import { freshMap, seedGame, seedUsers } from './games-seed.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());

const { possibleTypes } = generated;
type Vars = Record<string, unknown>;
type Data = Record<string, any>;

/** What the scenario needs from a client: a network read, a cache-only read, a mutation. */
interface CachingClient {
  fetch(doc: DocumentNode, variables: Vars): Promise<Data>;
  read(doc: DocumentNode, variables: Vars): Data | null;
  mutate(doc: DocumentNode, variables: Vars): Promise<Data>;
  /** The cache's own keys for an entity, where the cache shows them (Apollo's extract()). */
  entries?(id: string): string[];
}

function apollo(token: string): CachingClient {
  const cache = new InMemoryCache({ possibleTypes });
  const client = new ApolloClient({
    link: new HttpLink({ uri: `${s.url}/graphql`, headers: { authorization: `Bearer ${token}` } }),
    cache,
  });
  return {
    fetch: async (query, variables) => (await client.query({ query, variables, fetchPolicy: 'network-only' })).data as Data,
    read: (query, variables) => client.readQuery({ query, variables }),
    mutate: async (mutation, variables) => (await client.mutate({ mutation, variables })).data as Data,
    entries: (id) => Object.keys(cache.extract()).filter((k) => k.endsWith(`:${id}`)),
  };
}

function urql(token: string): CachingClient {
  const client = new Client({
    url: `${s.url}/graphql`,
    exchanges: [cacheExchange({ possibleTypes }), fetchExchange],
    preferGetMethod: false,
    fetchOptions: { headers: { authorization: `Bearer ${token}` } },
  });
  const data = (r: { data?: Data; error?: unknown }) => {
    if (r.error) throw r.error;
    return r.data!;
  };
  return {
    fetch: async (query, variables) => data(await client.query(query, variables, { requestPolicy: 'network-only' }).toPromise()),
    read: (query, variables) => client.readQuery(query, variables)?.data ?? null,
    mutate: async (query, variables) => data(await client.mutation(query, variables).toPromise()),
  };
}

const USER_BY_NAME = parse(`query UserByName($u: String!) { user(username: $u) { ...NodeId username name } }
  fragment NodeId on Node { id }`);
const USER_BY_NODE = parse(`query UserByNode($id: ID!) { node(id: $id) { id ... on User { name followerCount } } }`);
const RENAME = parse(`mutation Rename($name: String!) { updateUser(input: { name: $name }) { id name } }`);

const GAME = parse(`query GameById($id: ID!) { game(id: $id) { id playerCount status } }`);
const OPEN_GAMES = parse(
  `query OpenGamesOnMap($map: String!) { openGames(map: $map, first: 10) { edges { node { id map playerCount } } } }`,
);
const JOIN = parse(`mutation Join($gameId: ID!) { joinGame(gameId: $gameId) { id game { id playerCount status } } }`);

const COUNTS = `reactionCounts { heart smiley thumbsUp sunglasses }`;
const PHOTO = parse(`query PhotoByKey($owner: String!, $ts: String!) { photo(owner: $owner, timestamp: $ts) { id location ${COUNTS} } }`);
const USER_PHOTOS = parse(
  `query UserPhotos($u: String!) { user(username: $u) { id photos(first: 5) { edges { node { id ${COUNTS} } } } } }`,
);
const REACT = parse(
  `mutation React($owner: String!, $ts: String!) { reactToPhoto(owner: $owner, timestamp: $ts, type: HEART) { id ${COUNTS} } }`,
);

async function renameOutside(username: string, name: string) {
  await s.clients.doc.send(
    new UpdateCommand({
      TableName: s.tableName,
      Key: { PK: `USER#${username}`, SK: `#METADATA#${username}` },
      UpdateExpression: 'SET #n = :n',
      ExpressionAttributeNames: { '#n': 'name' },
      ExpressionAttributeValues: { ':n': name },
    }),
  );
}

async function scenario(make: (token: string) => CachingClient) {
  const [me, creator] = (await seedUsers(s, 2, 'cache')) as [string, string];
  const client = make(await s.token(me));

  // A user through two different queries: what the second brings lands in the first's entry.
  const first = await client.fetch(USER_BY_NAME, { u: me });
  const id = first.user.id as string;
  expect(first.user).toMatchObject({ username: me, name: `Player ${me}` });
  await renameOutside(me, 'Renamed elsewhere');
  expect((await client.fetch(USER_BY_NODE, { id })).node).toMatchObject({ id, name: 'Renamed elsewhere', followerCount: 0 });
  expect(client.read(USER_BY_NAME, { u: me })?.user).toMatchObject({ id, name: 'Renamed elsewhere' });
  expect(client.entries?.(id) ?? ['one']).toHaveLength(1);
  // A mutation's answer updates both.
  await client.mutate(RENAME, { name: 'Renamed here' });
  expect(client.read(USER_BY_NAME, { u: me })?.user.name).toBe('Renamed here');
  expect(client.read(USER_BY_NODE, { id })?.node.name).toBe('Renamed here');

  // A game by id and in a list: joining it changes the count both show.
  const map = freshMap();
  const gameId = await seedGame(s, { map, players: [creator] });
  expect((await client.fetch(GAME, { id: gameId })).game).toMatchObject({ id: gameId, playerCount: 1 });
  expect((await client.fetch(OPEN_GAMES, { map })).openGames.edges.map((e: Data) => e.node)).toEqual([
    expect.objectContaining({ id: gameId, playerCount: 1 }),
  ]);
  expect(client.entries?.(gameId) ?? ['one']).toHaveLength(1);
  await client.mutate(JOIN, { gameId });
  expect(client.read(GAME, { id: gameId })?.game).toMatchObject({ id: gameId, playerCount: 2, status: 'OPEN' });
  expect(client.read(OPEN_GAMES, { map })?.openGames.edges[0].node.playerCount).toBe(2);

  // A photo by key and in its owner's list: a reaction changes the counts both show.
  const uploaded = await s.execute(`mutation { uploadPhoto(input: { location: "https://img.example.com/c.png" }) { id timestamp } }`, {
    as: me,
  });
  expectNoErrors(uploaded);
  const { id: photoId, timestamp: ts } = uploaded.data!.uploadPhoto as { id: string; timestamp: string };
  expect((await client.fetch(PHOTO, { owner: me, ts })).photo).toMatchObject({ id: photoId, reactionCounts: { heart: 0 } });
  expect((await client.fetch(USER_PHOTOS, { u: me })).user.photos.edges[0].node).toMatchObject({ id: photoId });
  expect(client.entries?.(photoId) ?? ['one']).toHaveLength(1);
  await client.mutate(REACT, { owner: me, ts });
  expect(client.read(PHOTO, { owner: me, ts })?.photo.reactionCounts).toEqual(
    expect.objectContaining({ heart: 1, smiley: 0, thumbsUp: 0, sunglasses: 0 }),
  );
  expect(client.read(USER_PHOTOS, { u: me })?.user.photos.edges[0].node.reactionCounts.heart).toBe(1);
}

describe('normalized caches with no key configuration', () => {
  it("Apollo Client 4's InMemoryCache keeps one entry per user, game and photo, and mutations update every query", () => scenario(apollo));

  it("urql's graphcache keeps one entry per user, game and photo, and mutations update every query", async () => {
    // graphcache warns about every object it cannot key: only value objects without an id may be
    // among them (embedded in their parent, as intended), never an entity.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      await scenario(urql);
      const warnings = warn.mock.calls.map((args) => args.join(' '));
      expect(warnings.join('\n')).not.toMatch(/config for `(User|Game|GameParticipation|Photo|Reaction)`/);
    } finally {
      warn.mockRestore();
    }
  });
});
