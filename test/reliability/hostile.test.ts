// A catalogue of hostile requests. Each is refused with an exact, stable code (and HTTP status),
// sends no write to DynamoDB, and leaves the table exactly as it was (a whole-table scan before and
// after). Key-forging values (a '#' that would reach another entity's key) are among them.
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newGameItem, newPlayerItem } from '../../src/data/games/lobby-writes.js';
import { loadItems } from '../../src/ops/load.js';
import { newPhotoItem } from '../../src/data/photos/writes.js';
import { errorCodes, expectNoErrors, startTestServer, type TestServer } from '../helpers/server.js';
import { closeAndDrop, seedUsers, snapshot } from './support.js';

let s: TestServer;
let ana: string;
let bob: string;
let gameId: string;
let otherListCursor: string;
const PHOTO_TS = '2024-05-05T05:05:05.005';

beforeAll(async () => {
  s = await startTestServer({ reportCost: false });
  [ana, bob] = (await seedUsers(s.clients.doc, s.tableName, 2, 'hx')) as [string, string];
  gameId = crypto.randomUUID();
  await loadItems(s.clients.doc, s.tableName, [
    newGameItem(gameId, 'Hostile Hills', ana, '2024-05-05T05:00:00'),
    newPlayerItem(gameId, ana, '2024-05-05T05:00:00'),
    newPhotoItem(bob, PHOTO_TS, 'https://photos.example.com/bob.jpg'),
  ]);
  const page = await s.execute(`query($id: ID!) { game(id: $id) { players(first: 1) { pageInfo { endCursor } } } }`, {
    variables: { id: gameId },
  });
  expectNoErrors(page);
  otherListCursor = page.data!.game.players.pageInfo.endCursor;
});
afterAll(() => closeAndDrop(s));

interface Req {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Sign the request as this user (a function, since users are seeded in beforeAll). */
  as?: () => string;
}

/** One GraphQL POST as JSON. */
const gql =
  (query: string, variables?: Record<string, unknown>, as?: () => string): (() => Req) =>
  () => ({ body: JSON.stringify({ query, variables }), as });
const raw =
  (r: Req): (() => Req) =>
  () =>
    r;

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems', 'BatchWriteItem']);
const asAna = () => ana;
const asBob = () => bob;
const CREATE = `mutation($input: CreateUserInput!) { createUser(input: $input) { username } }`;
const UPDATE = `mutation($input: UpdateUserInput!) { updateUser(input: $input) { username } }`;
const REACT = `mutation($o: String!, $t: String!) { reactToPhoto(owner: $o, timestamp: $t, type: HEART) { id } }`;
const USER = `query($u: String!) { user(username: $u) { username } }`;
const long = (n: number, c = 'a') => c.repeat(n);
const fragmentBomb = `{ viewer { ...F0 } }\n${Array.from({ length: 40 }, (_, i) => `fragment F${i} on User { ...F${i + 1} ...F${i + 1} }`).join('\n')}\nfragment F40 on User { followers(first: 1) { edges { cursor } } }`;
const deepFragments = `{ user(username: "abc") { ...L0 } }\n${Array.from({ length: 5 }, (_, i) => `fragment L${i} on User { followers(first: 1) { edges { node { ...L${i + 1} } } } }`).join('\n')}\nfragment L5 on User { username }`;
const introspectionBomb = `{ __schema { types { fields { type { ofType { fields { type { ofType { fields { type { ofType { fields { name } } } } } } } } } } } } }`;
const fullIntrospectionTimes = (n: number) => {
  const full = getIntrospectionQuery();
  const fragments = full.slice(full.indexOf('fragment FullType'));
  const selection = full.slice(full.indexOf('__schema'), full.lastIndexOf('}', full.indexOf('fragment FullType')));
  return `{ ${Array.from({ length: n }, (_, i) => `s${i}: ${selection}`).join('\n')} }\n${fragments}`;
};
const nestedList = (n: number) => `${'['.repeat(n)}"a"${']'.repeat(n)}`;
const nestedJson = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

// [name, request, HTTP status, error codes, limit (extensions.limit) if a limit refused it]
type Case = [string, () => Req, number, string[], string?];

const cases: Case[] = [
  // Values that would reach another entity's key.
  ['username containing the key separator', gql(USER, { u: 'x#METADATA#y' }), 200, ['BAD_USER_INPUT']],
  [
    'createUser for a username containing "#"',
    gql(CREATE, { input: { username: 'hx#metadata#hx', name: 'X', email: 'x@example.com' } }, asAna),
    200,
    ['BAD_USER_INPUT'],
  ],
  [
    'follow a "user" whose name reaches a follow key',
    gql(`mutation { followUser(username: "hx#FRIEND#x") { username } }`, undefined, asAna),
    200,
    ['BAD_USER_INPUT'],
  ],
  ['photo timestamp containing "#"', gql(REACT, { o: 'hxowner', t: '2024-05-05T05:05:05#x' }, asAna), 200, ['BAD_USER_INPUT']],
  ['photo owner that is a whole key', gql(REACT, { o: 'USER#hx', t: PHOTO_TS }, asAna), 200, ['BAD_USER_INPUT']],
  ['game id containing "#"', gql(`mutation { joinGame(gameId: "abc#METADATA#abc") { place } }`, undefined, asAna), 200, ['BAD_USER_INPUT']],
  [
    'map name containing "#"',
    gql(`mutation { createGame(input: { map: "Green#Grasslands" }) { id } }`, undefined, asAna),
    200,
    ['BAD_USER_INPUT'],
  ],
  ['open games on a map containing "#"', gql(`{ openGames(map: "Map#1") { edges { cursor } } }`), 200, ['BAD_USER_INPUT']],
  [
    'pinning a photo timestamp that smuggles another owner',
    gql(UPDATE, { input: { pinnedPhotoTimestamp: `x#PHOTO#other#${PHOTO_TS}` } }, asBob),
    200,
    ['BAD_USER_INPUT'],
  ],
  [
    'email containing "#" (the email guard key)',
    gql(`{ userByEmail(email: "a#EMAIL@example.com") { username } }`),
    200,
    ['BAD_USER_INPUT'],
  ],

  // Oversized values.
  ['username of 33 characters', gql(USER, { u: long(33) }), 200, ['BAD_USER_INPUT']],
  [
    'name of 10,000 characters',
    gql(CREATE, { input: { username: 'hxnew1', name: long(10_000), email: 'hxnew1@example.com' } }, () => 'hxnew1'),
    200,
    ['BAD_USER_INPUT'],
  ],
  ['status of 281 characters', gql(UPDATE, { input: { status: long(281) } }, asAna), 200, ['BAD_USER_INPUT']],
  [
    'photo location of 2,049 characters',
    gql(`mutation($l: String!) { uploadPhoto(input: { location: $l }) { id } }`, { l: `https://x.example.com/${long(2_030)}` }, asAna),
    200,
    ['BAD_USER_INPUT'],
  ],
  ['21 interests', gql(UPDATE, { input: { interests: Array(21).fill('chess') } }, asAna), 200, ['BAD_USER_INPUT']],
  ['an interest of 41 characters', gql(UPDATE, { input: { interests: [long(41)] } }, asAna), 200, ['BAD_USER_INPUT']],
  [
    '101 usernames in one batch read',
    gql(`query($n: [String!]!) { users(usernames: $n) { username } }`, { n: Array.from({ length: 101 }, (_, i) => `hx_${i}`) }),
    200,
    ['BAD_USER_INPUT'],
  ],
  ['variables of 99 KB in one field', gql(UPDATE, { input: { name: long(99_000) } }, asAna), 200, ['BAD_USER_INPUT']],

  // Unicode edge cases.
  ['NUL inside a name', gql(UPDATE, { input: { name: 'Ana\u0000Admin' } }, asAna), 200, ['BAD_USER_INPUT']],
  ['right-to-left override inside a status', gql(UPDATE, { input: { status: 'hello \u202Egnp.exe' } }, asAna), 200, ['BAD_USER_INPUT']],
  [
    'a lone surrogate escape inside the document',
    raw({ body: `{"query":"mutation { updateUser(input: { name: \\"A\\\\ud800B\\" }) { name } }"}`, as: asAna }),
    400,
    ['GRAPHQL_PARSE_FAILED'],
  ],
  // Real DynamoDB refuses strings that are not valid UTF-8; DynamoDB Local would store it.
  [
    'a lone surrogate inside a name, through variables',
    raw({
      body: `{"query":"mutation($n: String!) { updateUser(input: { name: $n }) { name } }","variables":{"n":"A\\ud800B"}}`,
      as: asAna,
    }),
    200,
    ['BAD_USER_INPUT'],
  ],
  ['emoji in a username', gql(USER, { u: 'ana😀' }), 200, ['BAD_USER_INPUT']],
  ['a Cyrillic look-alike letter in a username', gql(USER, { u: 'аna_x' }), 200, ['BAD_USER_INPUT']],
  ['a zero-width space in a username', gql(USER, { u: 'ana\u200Bx' }), 200, ['BAD_USER_INPUT']],
  ['full-width digits in a timestamp', gql(REACT, { o: 'hxowner', t: '２０２４-05-05T05:05:05' }, asAna), 200, ['BAD_USER_INPUT']],
  ['a birthdate that is not a day (February 30)', gql(UPDATE, { input: { birthdate: '2019-02-30' } }, asAna), 200, ['BAD_USER_INPUT']],
  // Date.parse alone would roll February 30 over to March 2.
  [
    'a photo timestamp that is not a day (February 30)',
    gql(REACT, { o: 'hxowner', t: '2024-02-30T00:00:00' }, asAna),
    200,
    ['BAD_USER_INPUT'],
  ],
  [
    'invalid UTF-8 bytes in the body',
    raw({
      body: Buffer.concat([
        Buffer.from('{"query":"{ user(username: \\"an'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('a\\") { username } }"}'),
      ]),
    }),
    200,
    ['BAD_USER_INPUT'],
  ],

  // Numbers.
  ['first: -1', gql(`{ openGames(first: -1) { edges { cursor } } }`), 200, ['BAD_USER_INPUT']],
  ['first: 101', gql(`{ openGames(first: 101) { edges { cursor } } }`), 200, ['BAD_USER_INPUT']],
  ['first: 2^31, beyond Int', gql(`{ openGames(first: 2147483648) { edges { cursor } } }`), 400, ['GRAPHQL_VALIDATION_FAILED']],
  [
    'first: 1,000,000 through a variable',
    gql(`query($n: Int) { openGames(first: $n) { edges { cursor } } }`, { n: 1_000_000 }),
    400,
    ['BAD_USER_INPUT'],
    'maxCost',
  ],
  [
    'first: 1.5 through a variable',
    gql(`query($n: Int) { openGames(first: $n) { edges { cursor } } }`, { n: 1.5 }),
    400,
    ['BAD_USER_INPUT'],
  ],
  [
    'negative kills',
    gql(
      `mutation($id: ID!) { recordPlayerResult(gameId: $id, username: "hxplayer", input: { kills: -1, damage: 0, survivedSeconds: 0 }) { kills } }`,
      { id: 'g1' },
      asAna,
    ),
    200,
    ['BAD_USER_INPUT'],
  ],
  [
    'damage of 2^31 - 1',
    gql(
      `mutation($id: ID!) { recordPlayerResult(gameId: $id, username: "hxplayer", input: { kills: 0, damage: 2147483647, survivedSeconds: 0 }) { kills } }`,
      { id: 'g1' },
      asAna,
    ),
    200,
    ['BAD_USER_INPUT'],
  ],

  // Cursors.
  [
    'a forged cursor',
    () => gql(`query($id: ID!) { game(id: $id) { players(after: "${'A'.repeat(64)}") { edges { cursor } } } }`, { id: gameId })(),
    200,
    ['BAD_USER_INPUT'],
  ],
  [
    'a cursor from another list',
    () =>
      gql(`query($u: String!, $c: String!) { user(username: $u) { games(after: $c) { edges { cursor } } } }`, {
        u: ana,
        c: otherListCursor,
      })(),
    200,
    ['BAD_USER_INPUT'],
  ],
  ['a cursor of 3,000 characters', gql(`{ openGames(after: "${long(3_000, 'A')}") { edges { cursor } } }`), 200, ['BAD_USER_INPUT']],
  ['a cursor with path characters', gql(`{ openGames(after: "../../etc/passwd") { edges { cursor } } }`), 200, ['BAD_USER_INPUT']],

  // Operations shaped to cost the server.
  [
    '31 aliases',
    gql(`{ viewer { ${Array.from({ length: 31 }, (_, i) => `a${i}: username`).join(' ')} } }`),
    400,
    ['BAD_USER_INPUT'],
    'maxAliases',
  ],
  ['fragments nested 16 levels deep', gql(deepFragments), 400, ['BAD_USER_INPUT'], 'maxDepth'],
  [
    'a fragment cycle',
    gql(`{ viewer { ...A } } fragment A on User { ...B } fragment B on User { ...A }`),
    400,
    ['GRAPHQL_VALIDATION_FAILED'],
  ],
  ['a fragment spread 2^40 times', gql(fragmentBomb), 400, ['BAD_USER_INPUT'], 'maxCost'],
  ['introspection nested through types and fields', gql(introspectionBomb), 400, ['GRAPHQL_VALIDATION_FAILED']],
  ['the full introspection five times over', gql(fullIntrospectionTimes(5)), 400, ['BAD_USER_INPUT'], 'maxIntrospection'],
  ['3,001 tokens', gql(`{ ${Array(3_001).fill('ping').join(' ')} }`), 400, ['BAD_USER_INPUT'], 'maxTokens'],
  ['a list literal nested 1,000 deep', gql(`{ users(usernames: ${nestedList(1_000)}) { username } }`), 400, ['GRAPHQL_VALIDATION_FAILED']],
  [
    'variables nested 10,000 arrays deep',
    raw({ body: `{"query":"query($u: String!) { user(username: $u) { username } }","variables":{"u":${nestedJson(10_000)}}}` }),
    400,
    ['BAD_USER_INPUT'],
  ],
  [
    '__proto__ in an input object',
    raw({
      body: `{"query":"mutation($input: UpdateUserInput!) { updateUser(input: $input) { username } }","variables":{"input":{"__proto__":{"name":"Admin"}}}}`,
      as: asAna,
    }),
    400,
    ['BAD_USER_INPUT'],
  ],

  // Transport.
  [
    'a batch of 100 operations',
    raw({ body: JSON.stringify(Array(100).fill({ query: '{ ping }' })) }),
    400,
    ['BAD_USER_INPUT'],
    'maxOperationsPerRequest',
  ],
  [
    'a body over 100 KB',
    raw({ body: JSON.stringify({ query: '{ ping }', variables: { pad: long(100_001) } }) }),
    413,
    ['BAD_USER_INPUT'],
    'maxBodyBytes',
  ],
  ['malformed JSON', raw({ body: '{"query": "{ ping }"' }), 400, ['BAD_USER_INPUT']],
  ['a JSON string instead of an object', raw({ body: '"{ ping }"' }), 400, ['BAD_USER_INPUT']],
  ['query that is not a string', raw({ body: '{"query": {"$ne": null}}' }), 400, ['BAD_REQUEST']],
  [
    'a persisted query whose hash is not the query',
    raw({ body: JSON.stringify({ query: '{ ping }', extensions: { persistedQuery: { version: 1, sha256Hash: 'ab'.repeat(32) } } }) }),
    400,
    ['PERSISTED_QUERY_HASH_MISMATCH'],
  ],
  [
    'a persisted query of an unknown protocol version',
    raw({ body: JSON.stringify({ query: '{ ping }', extensions: { persistedQuery: { version: 2, sha256Hash: 'ab'.repeat(32) } } }) }),
    400,
    ['PERSISTED_QUERY_VERSION_UNSUPPORTED'],
  ],
  [
    'a subscription over HTTP POST (subscriptions need a WebSocket)',
    gql(`subscription { openGamesChanged { kind } }`),
    400,
    ['BAD_REQUEST'],
  ],
  ['variables that are an array', raw({ body: '{"query": "{ ping }", "variables": [1]}' }), 400, ['BAD_REQUEST']],
  ['two operations and no operationName', gql(`query A { ping } query B { ping }`), 400, ['OPERATION_RESOLUTION_FAILURE']],
  [
    'an operationName that does not exist',
    raw({ body: '{"query": "query A { ping }", "operationName": "B"}' }),
    400,
    ['OPERATION_RESOLUTION_FAILURE'],
  ],
  [
    'a text/plain POST (a CSRF "simple request")',
    raw({ headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: 'mutation { ping }' }), as: asAna }),
    400,
    ['BAD_REQUEST'],
  ],
  [
    'a form POST',
    raw({ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'query=mutation%20%7B%20ping%20%7D', as: asAna }),
    400,
    ['BAD_REQUEST'],
  ],
  [
    'a multipart POST',
    raw({
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      body: '--x\r\nContent-Disposition: form-data; name="query"\r\n\r\nmutation { ping }\r\n--x--',
      as: asAna,
    }),
    400,
    ['BAD_REQUEST'],
  ],
  [
    'a GET without a preflight header (CSRF)',
    raw({ method: 'GET', path: `/graphql?query=${encodeURIComponent('{ ping }')}`, headers: {} }),
    400,
    ['BAD_REQUEST'],
  ],
  [
    'a mutation over GET',
    raw({
      method: 'GET',
      path: `/graphql?query=${encodeURIComponent('mutation { ping }')}`,
      headers: { 'apollo-require-preflight': 'true' },
      as: asAna,
    }),
    405,
    ['BAD_REQUEST'],
  ],
  // A client's bad credentials are a 401, not a server failure.
  [
    'an Authorization header of 10 KB',
    raw({
      headers: { 'content-type': 'application/json', authorization: `Bearer ${long(10_000)}` },
      body: JSON.stringify({ query: '{ viewer { username } }' }),
    }),
    401,
    ['UNAUTHENTICATED'],
  ],
];

describe('hostile input', () => {
  it('has at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)('%s', async (_name, make, status, codes, limit) => {
    const r = make();
    const headers: Record<string, string> = { ...(r.headers ?? { 'content-type': 'application/json' }) };
    if (r.as) headers.authorization = `Bearer ${await s.token(r.as())}`;
    const before = await snapshot(s.clients.doc, s.tableName);
    s.recorder.reset();
    const res = await fetch(`${s.url}${r.path ?? '/graphql'}`, { method: r.method ?? 'POST', headers, body: r.body });
    const text = await res.text();
    const body = JSON.parse(text) as { errors?: { extensions?: Record<string, unknown> }[] };
    expect({ status: res.status, codes: (body.errors ?? []).map((e) => e.extensions?.code) }, text.slice(0, 500)).toEqual({
      status,
      codes,
    });
    if (limit) expect(body.errors![0]!.extensions!.limit).toBe(limit);
    expect(s.recorder.calls.filter((c) => WRITES.has(c.command))).toEqual([]);
    expect(await snapshot(s.clients.doc, s.tableName)).toEqual(before);
  });

  it('a GraphiQL asset path with a malformed percent escape is a 400, not a server failure', async () => {
    for (const path of ['/graphiql/%E0%A4%A', '/graphiql/assets/%', '/graphiql/%zz.js']) {
      const res = await fetch(`${s.url}${path}`);
      expect([path, res.status]).toEqual([path, 400]);
      expect(await res.text()).toBe('Malformed percent escape in the path.\n');
    }
    // A well-formed escape of a file that does not exist is still a plain 404.
    expect((await fetch(`${s.url}/graphiql/no%20such.js`)).status).toBe(404);
  });

  it('a subscription over HTTP is told where subscriptions are served', async () => {
    const res = await s.execute(`subscription { openGamesChanged { kind } }`);
    expect({ status: res.status, codes: errorCodes(res) }).toEqual({ status: 400, codes: ['BAD_REQUEST'] });
    expect(res.errors![0]!.message).toMatch(/WebSocket/);
  });

  it('first: 0 means the same on every list: BAD_USER_INPUT naming "first"', async () => {
    const lists = [
      `{ openGames(first: 0) { edges { cursor } } }`,
      `{ gamesByMap(map: "Hostile Hills", first: 0) { edges { cursor } } }`,
      `query($id: ID!) { game(id: $id) { players(first: 0) { pageInfo { hasNextPage } } } }`,
      `query($u: String!) { user(username: $u) { games(first: 0) { pageInfo { hasNextPage } } } }`,
      `query($u: String!) { user(username: $u) { followers(first: 0) { pageInfo { hasNextPage } } } }`,
      `query($u: String!) { user(username: $u) { following(first: 0) { pageInfo { hasNextPage } } } }`,
      `query($u: String!) { user(username: $u) { photos(first: 0) { pageInfo { hasNextPage } } } }`,
      `query($o: String!, $t: String!) { photo(owner: $o, timestamp: $t) { reactions(first: 0) { pageInfo { hasNextPage } } } }`,
    ];
    for (const query of lists) {
      const vars = Object.fromEntries(
        Object.entries({ id: gameId, u: ana, o: bob, t: PHOTO_TS }).filter(([k]) => query.includes(`$${k}:`)),
      );
      const res = await s.execute(query, { variables: vars });
      expect({ query, codes: errorCodes(res), message: res.errors?.[0]?.message }).toEqual({
        query,
        codes: ['BAD_USER_INPUT'],
        message: '"first" must be a whole number from 1 to 100, got 0.',
      });
    }
  });

  it('a PUT is refused with 405 and an Allow header', async () => {
    const res = await fetch(`${s.url}/graphql`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"mutation { ping }"}',
    });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, POST');
  });
});
