// Every request-level and query limit over HTTP: refused with BAD_USER_INPUT naming the limit
// (extensions.limit, value, max) and with no DynamoDB call made, as the proxy sees it.
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newGameItem, newPlayerItem } from '../../src/data/games/lobby-writes.js';
import { loadItems } from '../../src/ops/load.js';
import { LIMITS } from '../../src/graphql/limits/limits.js';
import { expectNoErrors, startTestServer, type GraphQLResponse, type TestServer } from '../helpers/server.js';
import { closeAndDrop, seedUsers } from './support.js';

let s: TestServer;
let users: string[];
beforeAll(async () => {
  s = await startTestServer();
  users = await seedUsers(s.clients.doc, s.tableName, 2, 'lim');
});
afterAll(() => closeAndDrop(s));

function expectLimit(res: GraphQLResponse, limit: string, status = 400) {
  expect({ status: res.status, errors: res.errors?.map((e) => e.extensions) }).toEqual({
    status,
    errors: [expect.objectContaining({ code: 'BAD_USER_INPUT', limit, max: expect.any(Number) })],
  });
  expect(res.calls).toEqual([]);
}

/** `levels` followers connections nested under one user. */
function nestedFollowers(levels: number, first: number | string): string {
  let inner = 'username';
  for (let i = 0; i < levels; i++) inner = `followers(first: ${first}) { edges { node { ${inner} } } }`;
  return `user(username: "${'u'.repeat(3)}") { ${inner} }`;
}

describe('query limits', () => {
  it('refuses an operation deeper than maxDepth before any read', async () => {
    // user + 4 x (followers, edges, node) = 13 levels.
    const res = await s.execute(`{ ${nestedFollowers(4, 1)} }`);
    expectLimit(res, 'maxDepth');
    expect(res.errors![0]!.extensions).toMatchObject({ value: 13, max: LIMITS.maxDepth });
  });

  it('refuses more than maxAliases aliases', async () => {
    const res = await s.execute(`{ viewer { ${Array.from({ length: 31 }, (_, i) => `a${i}: username`).join(' ')} } }`);
    expectLimit(res, 'maxAliases');
    expect(res.errors![0]!.extensions).toMatchObject({ value: 31, max: 30 });
  });

  it('refuses more than maxRootFields root fields', async () => {
    const res = await s.execute(`{ ${Array.from({ length: 21 }, (_, i) => `u${i}: user(username: "${users[0]}") { name }`).join(' ')} }`);
    expectLimit(res, 'maxRootFields');
  });

  it('counts a page of 100 under a page of 100 as 10,000 reads and refuses it', async () => {
    const res = await s.execute(`{ ${nestedFollowers(2, 100)} }`);
    expectLimit(res, 'maxCost');
    // 1 user, 100 follows, 100 profiles, 100 x 100 follows, 100 x 100 profiles.
    expect(res.errors![0]!.extensions).toMatchObject({ value: 1 + 100 + 100 * (1 + 100 + 100), max: LIMITS.maxCost });
  });

  it('reads page sizes from variables and from variable defaults', async () => {
    const viaVariable = await s.execute(`query($n: Int) { ${nestedFollowers(2, '$n')} }`, { variables: { n: 100 } });
    expectLimit(viaVariable, 'maxCost');
    const viaDefault = await s.execute(`query($n: Int = 100) { ${nestedFollowers(2, '$n')} }`);
    expectLimit(viaDefault, 'maxCost');
  });

  it('runs an operation just under the cost limit', async () => {
    const res = await s.execute(
      `{ user(username: "${users[0]}") { followers(first: 50) { edges { node { followers(first: 48) { edges { node { username } } } } } } } }`,
    );
    expectNoErrors(res);
    expect(res.calls.length).toBeGreaterThan(0);
  });

  it('refuses a document of more than maxTokens tokens before parsing it', async () => {
    const res = await s.execute(
      `{ ${Array(LIMITS.maxTokens + 1)
        .fill('ping')
        .join(' ')} }`,
    );
    expectLimit(res, 'maxTokens');
  });

  it('measures a fragment spread 2^40 times in linear time and refuses its cost', async () => {
    const frags = Array.from({ length: 40 }, (_, i) => `fragment F${i} on User { ...F${i + 1} ...F${i + 1} }`).join('\n');
    const query = `{ viewer { ...F0 } }\n${frags}\nfragment F40 on User { followers(first: 1) { edges { cursor } } }`;
    // Linear time is what lets this answer at all (test/unit/limits.test.ts counts the lookups).
    const res = await s.execute(query, { as: users[0] });
    expectLimit(res, 'maxCost');
  });

  it('answers a list whose selection is a fragment spread 2^40 times when it costs nothing', async () => {
    // Game.players looks into its selection for `user`: that search, like the cost measure, must
    // take each fragment once, or this cheap-looking query would hold the server forever.
    const gameId = crypto.randomUUID();
    await loadItems(s.clients.doc, s.tableName, [
      newGameItem(gameId, 'Bomb Bay', users[0]!, '2024-06-06T06:00:00'),
      newPlayerItem(gameId, users[0]!, '2024-06-06T06:00:00'),
    ]);
    const frags = Array.from({ length: 40 }, (_, i) => `fragment F${i} on GameParticipationConnection { ...F${i + 1} ...F${i + 1} }`).join(
      '\n',
    );
    const res = await s.execute(
      `query($id: ID!) { game(id: $id) { players { ...F0 } } }\n${frags}\nfragment F40 on GameParticipationConnection { pageInfo { hasNextPage } }`,
      { variables: { id: gameId } },
    );
    expectNoErrors(res);
    expect(res.data!.game.players).toEqual({ pageInfo: { hasNextPage: false } });
  });

  it('serves the full introspection query GraphiQL sends', async () => {
    const res = await s.execute(
      getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true, specifiedByUrl: true, directiveIsRepeatable: true }),
    );
    expectNoErrors(res);
    expect(res.calls).toEqual([]);
  });

  it('refuses introspection whose answer would pass maxIntrospection fields', async () => {
    const full = getIntrospectionQuery();
    const body = full.slice(full.indexOf('__schema'), full.lastIndexOf('}', full.indexOf('fragment FullType')));
    const aliased = `query { ${Array.from({ length: 5 }, (_, i) => `s${i}: ${body}`).join('\n')} }\n${full.slice(full.indexOf('fragment FullType'))}`;
    expectLimit(await s.execute(aliased), 'maxIntrospection');
  });
});

describe('request limits', () => {
  const post = (body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    fetch(`${s.url}/graphql`, { method: 'POST', headers, body });

  it('refuses a batch of operations with the limit of one operation per request', async () => {
    s.recorder.reset();
    const res = await post(JSON.stringify([{ query: '{ ping }' }, { query: '{ ping }' }]));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { extensions: unknown }[] }).errors[0]!.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      limit: 'maxOperationsPerRequest',
      value: 2,
      max: 1,
    });
    expect(s.recorder.calls).toEqual([]);
  });

  it('refuses a body over maxBodyBytes with 413', async () => {
    s.recorder.reset();
    const res = await post(JSON.stringify({ query: '{ ping }', variables: { pad: 'x'.repeat(100_001) } }));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { errors: { extensions: unknown }[] }).errors[0]!.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      limit: 'maxBodyBytes',
      max: 100_000,
    });
    expect(s.recorder.calls).toEqual([]);
  });
});
