// The WebSocket side of the hostile catalogue (hostile.test.ts is HTTP's). Every document HTTP
// refuses is sent both ways, and the WebSocket's error message carries exactly HTTP's errors
// (message, locations, extensions); every protocol message in the wrong direction or at the wrong
// time gets the protocol's answer; and no client input over WebSocket writes a log line above info.
import { createClient, type Client } from 'graphql-ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createLogger } from '../../src/log.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { closeAndDrop } from './support.js';

interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}
const lines: LogLine[] = [];
const logger = createLogger({ destination: { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) } });

let s: TestServer;
let client: Client;
beforeAll(async () => {
  s = await startTestServer({ reportCost: false, logger, live: { streamPollMs: 200 } });
  client = createClient({ url: s.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
  // Start-up's own lines (the development secret's warning) come before any client input.
  lines.splice(0);
});
afterAll(async () => {
  await client?.dispose();
  await closeAndDrop(s);
});
// Client mistakes are logged as such: info at most, never a warning, an error or a stack.
afterEach(() => {
  const loud = lines.splice(0).filter((l) => l.level !== 'info' && l.level !== 'debug' && l.level !== 'trace');
  expect(loud).toEqual([]);
});

interface Payload {
  query: string;
  operationName?: string;
  variables?: Record<string, unknown>;
  extensions?: Record<string, unknown>;
}
interface ErrorJson {
  message: string;
  locations?: unknown;
  extensions?: Record<string, unknown>;
}

async function overHttp(p: Payload): Promise<{ status: number; errors?: ErrorJson[] }> {
  const res = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(p) });
  return { status: res.status, ...((await res.json()) as { errors?: ErrorJson[] }) };
}

/** The errors of the protocol's `error` message for this subscribe; fails on a `next`. */
function overWs(p: Payload): Promise<ErrorJson[]> {
  return new Promise((resolve, reject) => {
    client.subscribe(p, {
      next: (r) => reject(new Error(`expected a refusal, got ${JSON.stringify(r)}`)),
      error: (e) => (Array.isArray(e) ? resolve(e as ErrorJson[]) : reject(e instanceof Error ? e : new Error(JSON.stringify(e)))),
      complete: () => reject(new Error('expected a refusal, got complete')),
    });
  });
}

const sub = (selection: string) => `subscription { openGamesChanged { ${selection} } }`;
const deep = `subscription { userPhotos(username: "ana") { photo { owner { pinnedPhoto { owner { pinnedPhoto { owner { pinnedPhoto { owner { pinnedPhoto { owner { pinnedPhoto { owner { username } } } } } } } } } } } } } }`;
const costly = `subscription { gameLobby(gameId: "g") { game { players(first: 100) { edges { node { user { followers(first: 100) { edges { cursor } } } } } } } } }`;

const fragmentBomb = `subscription { openGamesChanged { game { ...F0 } } }\n${Array.from({ length: 40 }, (_, i) => `fragment F${i} on Game { ...F${i + 1} ...F${i + 1} }`).join('\n')}\nfragment F40 on Game { players(first: 1) { edges { cursor } } }`;
const nested = (n: number): unknown => Array.from({ length: n }).reduce<unknown>((inner) => [inner], []);

// [name, what is sent, the code of each error, the limit (extensions.limit) when a limit refused it]
type DocumentCase = [string, Payload, string[], string?];

const documents: DocumentCase[] = [
  ['a field the type lacks', { query: sub('noSuchField') }, ['GRAPHQL_VALIDATION_FAILED']],
  ['a directive the schema lacks', { query: `subscription { openGamesChanged @noSuchDirective { kind } }` }, ['GRAPHQL_VALIDATION_FAILED']],
  ['an argument the field lacks', { query: `subscription { openGamesChanged(noSuchArg: 1) { kind } }` }, ['GRAPHQL_VALIDATION_FAILED']],
  ['a literal of the wrong type', { query: `subscription { openGamesChanged(map: 5) { kind } }` }, ['GRAPHQL_VALIDATION_FAILED']],
  ['a variable never declared', { query: `subscription { openGamesChanged(map: $m) { kind } }` }, ['GRAPHQL_VALIDATION_FAILED']],
  [
    'a subscription with two root fields',
    { query: `subscription { openGamesChanged { kind } viewerFollowers { kind } }` },
    ['GRAPHQL_VALIDATION_FAILED'],
  ],
  ['introspection at the root of a subscription', { query: `subscription { __typename }` }, ['GRAPHQL_VALIDATION_FAILED']],
  [
    'a fragment cycle',
    { query: `subscription { openGamesChanged { ...A } } fragment A on OpenGamesEvent { ...B } fragment B on OpenGamesEvent { ...A }` },
    ['GRAPHQL_VALIDATION_FAILED'],
  ],
  [
    'a fragment on a type that does not exist',
    { query: `subscription { openGamesChanged { ...on NoSuchType { kind } } }` },
    ['GRAPHQL_VALIDATION_FAILED'],
  ],
  ['an empty document', { query: '' }, ['BAD_REQUEST']],
  ['a document of white space only', { query: ' \n\t ' }, ['GRAPHQL_PARSE_FAILED']],
  ['an unclosed selection', { query: `subscription { openGamesChanged { kind }` }, ['GRAPHQL_PARSE_FAILED']],
  ['a stray character', { query: `subscription { openGamesChanged { kind ! } }` }, ['GRAPHQL_PARSE_FAILED']],
  [
    'two operations and no operationName',
    { query: `subscription A { openGamesChanged { kind } } subscription B { openGamesChanged { cursor } }` },
    ['OPERATION_RESOLUTION_FAILURE'],
  ],
  [
    'an operationName naming no operation',
    { query: `subscription A { openGamesChanged { kind } }`, operationName: 'B' },
    ['OPERATION_RESOLUTION_FAILURE'],
  ],
  [
    'a variable of the wrong type',
    { query: `subscription($m: String) { openGamesChanged(map: $m) { kind } }`, variables: { m: 5 } },
    ['BAD_USER_INPUT'],
  ],
  [
    'a required variable left out',
    { query: `subscription($id: ID!) { gameLobby(gameId: $id) { kind } }`, variables: {} },
    ['BAD_USER_INPUT'],
  ],
  [
    'two bad variables, each reported',
    { query: `subscription($m: String, $a: String) { openGamesChanged(map: $m, after: $a) { kind } }`, variables: { m: [1], a: { x: 1 } } },
    ['BAD_USER_INPUT', 'BAD_USER_INPUT'],
  ],
  ['a document over the depth limit', { query: deep }, ['BAD_USER_INPUT'], 'maxDepth'],
  ['31 aliases', { query: sub(Array.from({ length: 31 }, (_, i) => `a${i}: kind`).join(' ')) }, ['BAD_USER_INPUT'], 'maxAliases'],
  ['a document that may read 10,000 items', { query: costly }, ['BAD_USER_INPUT'], 'maxCost'],
  ['3,001 tokens', { query: sub(Array(3_001).fill('kind').join(' ')) }, ['BAD_USER_INPUT'], 'maxTokens'],
  // hostile.test.ts's bombs and edge cases, as subscriptions.
  [
    'a lone surrogate escape inside the document',
    { query: `subscription { openGamesChanged(map: "A\\ud800B") { kind } }` },
    ['GRAPHQL_PARSE_FAILED'],
  ],
  [
    'first: 2^31, beyond Int',
    { query: `subscription { openGamesChanged { game { players(first: 2147483648) { edges { cursor } } } } }` },
    ['GRAPHQL_VALIDATION_FAILED'],
  ],
  [
    'a list literal nested 1,000 deep',
    { query: `subscription { openGamesChanged(map: ${'['.repeat(1_000)}"a"${']'.repeat(1_000)}) { kind } }` },
    ['GRAPHQL_VALIDATION_FAILED'],
  ],
  [
    'variables nested 1,000 arrays deep',
    { query: `subscription($m: String) { openGamesChanged(map: $m) { kind } }`, variables: { m: nested(1_000) } },
    ['BAD_USER_INPUT'],
  ],
  ['a fragment spread 2^40 times', { query: fragmentBomb }, ['BAD_USER_INPUT'], 'maxCost'],
  [
    'a persisted query whose hash is not the query',
    { query: sub('kind'), extensions: { persistedQuery: { version: 1, sha256Hash: 'ab'.repeat(32) } } },
    ['PERSISTED_QUERY_HASH_MISMATCH'],
  ],
  [
    'a persisted query of an unknown protocol version',
    { query: sub('kind'), extensions: { persistedQuery: { version: 2, sha256Hash: 'ab'.repeat(32) } } },
    ['PERSISTED_QUERY_VERSION_UNSUPPORTED'],
  ],
  // Wrong in itself before it is on the wrong transport: the same answer both ways.
  ['a query with a field the schema lacks', { query: `{ noSuchField }` }, ['GRAPHQL_VALIDATION_FAILED']],
  ['a mutation that does not parse', { query: `mutation { ping ` }, ['GRAPHQL_PARSE_FAILED']],
  [
    'introspection nested through types and fields',
    {
      query: `{ __schema { types { fields { type { ofType { fields { type { ofType { fields { type { ofType { fields { name } } } } } } } } } } } } }`,
    },
    ['GRAPHQL_VALIDATION_FAILED'],
  ],
];

describe('a document HTTP refuses is refused over WebSocket with the same errors', () => {
  it.each(documents)('%s', async (_name, payload, codes, limit) => {
    const http = await overHttp(payload);
    expect({ status: http.status, codes: http.errors?.map((e) => e.extensions?.code) }).toEqual({ status: 400, codes });
    if (limit) expect(http.errors![0]!.extensions!.limit).toBe(limit);
    const ws = await overWs(payload);
    expect(ws).toEqual(http.errors);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'info', msg: 'subscription refused', codes: [...new Set(codes)] }));
  });

  it('names the mistake: graphql’s own message for a typo', async () => {
    const [error] = await overWs({ query: sub('noSuchField') });
    expect(error!.message).toBe('Cannot query field "noSuchField" on type "OpenGamesEvent".');
    expect(error!.locations).toEqual([{ line: 1, column: 35 }]);
  });
});

// Arguments the resolvers refuse: [name, the subscription, the query reading the same thing, codes].
const FORGED = 'A'.repeat(64);
const arguments_: [string, string, string, string[]][] = [
  [
    'a game id reaching another key',
    `subscription { gameLobby(gameId: "abc#METADATA#abc") { kind } }`,
    `{ game(id: "abc#METADATA#abc") { id } }`,
    ['BAD_USER_INPUT'],
  ],
  [
    'a map containing "#"',
    `subscription { openGamesChanged(map: "Map#1") { kind } }`,
    `{ openGames(map: "Map#1") { edges { cursor } } }`,
    ['BAD_USER_INPUT'],
  ],
  [
    'a username reaching another key',
    `subscription { userPhotos(username: "x#METADATA#y") { kind } }`,
    `{ user(username: "x#METADATA#y") { username } }`,
    ['BAD_USER_INPUT'],
  ],
  [
    'emoji in a username',
    `subscription { userPhotos(username: "ana😀") { kind } }`,
    `{ user(username: "ana😀") { username } }`,
    ['BAD_USER_INPUT'],
  ],
  [
    'a photo owner that is a whole key',
    `subscription { photoReactions(owner: "USER#hx", timestamp: "2024-05-05T05:05:05.005") { kind } }`,
    `{ photo(owner: "USER#hx", timestamp: "2024-05-05T05:05:05.005") { id } }`,
    ['BAD_USER_INPUT'],
  ],
  [
    'a photo timestamp that is not a day (February 30)',
    `subscription { photoReactions(owner: "hxowner", timestamp: "2024-02-30T00:00:00") { kind } }`,
    `{ photo(owner: "hxowner", timestamp: "2024-02-30T00:00:00") { id } }`,
    ['BAD_USER_INPUT'],
  ],
  [
    'a forged cursor',
    `subscription { openGamesChanged(after: "${FORGED}") { kind } }`,
    `{ openGames(after: "${FORGED}") { edges { cursor } } }`,
    ['BAD_USER_INPUT'],
  ],
];

describe('an argument a query refuses is refused in a subscription with the same code', () => {
  it.each(arguments_)('%s', async (_name, subscription, query, codes) => {
    const http = await overHttp({ query });
    expect(http.errors?.map((e) => e.extensions?.code)).toEqual(codes);
    expect((await overWs({ query: subscription })).map((e) => e.extensions?.code)).toEqual(codes);
  });
});

describe('a document on the wrong transport', () => {
  it('a query over WebSocket is BAD_REQUEST, pointing at HTTP; HTTP answers it', async () => {
    const [error] = await overWs({ query: '{ ping }' });
    expect(error).toEqual({
      message: 'Only subscriptions are served over WebSocket; send queries and mutations with HTTP POST.',
      extensions: { code: 'BAD_REQUEST' },
    });
    expect(await overHttp({ query: '{ ping }' })).toEqual({ status: 200, data: { ping: 'ok' } });
  });

  it('a mutation over WebSocket is BAD_REQUEST and sends nothing to DynamoDB', async () => {
    s.recorder.reset();
    const errors = await overWs({ query: `mutation { createGame(input: { map: "Green Grasslands" }) { id } }` });
    expect(errors.map((e) => e.extensions?.code)).toEqual(['BAD_REQUEST']);
    expect(s.recorder.calls).toEqual([]);
  });

  it('of two operations, the one operationName names decides: a query is BAD_REQUEST', async () => {
    const query = `query Q { ping } subscription S { openGamesChanged { kind } }`;
    expect((await overWs({ query, operationName: 'Q' })).map((e) => e.extensions?.code)).toEqual(['BAD_REQUEST']);
  });
});

/** A raw socket, for what no library client would send. */
async function raw(protocol: string | null = 'graphql-transport-ws') {
  const ws = protocol === null ? new WebSocket(s.wsUrl) : new WebSocket(s.wsUrl, protocol);
  const messages: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (d) => {
    messages.push(JSON.parse(String(d)) as Record<string, unknown>);
    waiters.splice(0).forEach((w) => w());
  });
  const closed = new Promise<{ code: number; reason: string }>((res) =>
    ws.on('close', (code, reason) => res({ code, reason: String(reason) })),
  );
  await new Promise<void>((res, rej) => {
    ws.once('open', () => res());
    ws.once('error', rej);
  });
  /** Resolves with the first message matching, or rejects when the socket closes first. */
  const receive = async (match: (m: Record<string, unknown>) => boolean) => {
    let gone = false;
    void closed.then(() => ((gone = true), waiters.splice(0).forEach((w) => w())));
    for (;;) {
      const found = messages.find(match);
      if (found) return found;
      if (gone) throw new Error(`closed (${JSON.stringify(await closed)}) before the message; got ${JSON.stringify(messages)}`);
      await new Promise<void>((res) => waiters.push(res));
    }
  };
  return { ws, closed, messages, receive };
}

const INIT = { type: 'connection_init' };
const VALID = { query: `subscription { openGamesChanged { kind } }` };
type Message = Record<string, unknown> | string;

// [name, messages sent in order (after connection_ack when `init`), the close code, or 'open']
type ProtocolCase = [string, { init?: boolean; protocol?: string | null; send: Message[] }, number | 'open'];

const protocol: ProtocolCase[] = [
  // Only a server sends these (issue 21, item 3).
  ['next from the client', { init: true, send: [{ id: '1', type: 'next', payload: { data: { ping: 'ok' } } }] }, 4400],
  ['error from the client', { init: true, send: [{ id: '1', type: 'error', payload: [{ message: 'boom' }] }] }, 4400],
  ['connection_ack from the client', { init: true, send: [{ type: 'connection_ack' }] }, 4400],
  ['connection_ack from the client instead of connection_init', { send: [{ type: 'connection_ack' }] }, 4400],
  ['next from the client before connection_init', { send: [{ id: '1', type: 'next', payload: {} }] }, 4400],
  // Not a message of the protocol.
  ['invalid JSON', { send: ['{"type": "connection_init"'] }, 4400],
  ['a JSON array', { send: ['[{"type": "connection_init"}]'] }, 4400],
  ['a message without a type', { send: [{ payload: {} }] }, 4400],
  ['an unknown type', { send: [{ type: 'start', id: '1', payload: VALID }] }, 4400],
  ['connection_init whose payload is not an object', { send: [{ type: 'connection_init', payload: 'Bearer x' }] }, 4400],
  ['subscribe without an id', { init: true, send: [{ type: 'subscribe', payload: VALID }] }, 4400],
  ['subscribe with an empty id', { init: true, send: [{ type: 'subscribe', id: '', payload: VALID }] }, 4400],
  ['subscribe without a payload', { init: true, send: [{ type: 'subscribe', id: '1' }] }, 4400],
  [
    'subscribe whose query is not a string',
    { init: true, send: [{ type: 'subscribe', id: '1', payload: { query: { $ne: null } } }] },
    4400,
  ],
  [
    'subscribe whose variables are an array',
    { init: true, send: [{ type: 'subscribe', id: '1', payload: { ...VALID, variables: [1] } }] },
    4400,
  ],
  ['complete without an id', { init: true, send: [{ type: 'complete' }] }, 4400],
  // The right message at the wrong time.
  ['subscribe before connection_init', { send: [{ type: 'subscribe', id: '1', payload: VALID }] }, 4401],
  ['a second connection_init', { init: true, send: [INIT] }, 4429],
  [
    'a subscribe reusing the id of a running subscription',
    {
      init: true,
      send: [
        { type: 'subscribe', id: 'a', payload: VALID },
        { type: 'subscribe', id: 'a', payload: VALID },
      ],
    },
    4409,
  ],
  ['a subprotocol other than graphql-transport-ws (the legacy graphql-ws)', { protocol: 'graphql-ws', send: [INIT] }, 4406],
  ['no subprotocol', { protocol: null, send: [INIT] }, 4406],
  // Harmless: answered or ignored, and the connection serves on.
  ['ping before connection_init', { send: [{ type: 'ping' }] }, 'open'],
  ['an unsolicited pong', { init: true, send: [{ type: 'pong', payload: { n: 1 } }] }, 'open'],
  ['complete for an id never subscribed', { init: true, send: [{ type: 'complete', id: 'never' }] }, 'open'],
  ['complete before connection_init', { send: [{ type: 'complete', id: 'x' }] }, 'open'],
];

describe('protocol messages in the wrong direction or at the wrong time', () => {
  it.each(protocol)('%s', async (_name, { init, protocol: offered, send }, expected) => {
    const c = await raw(offered === undefined ? 'graphql-transport-ws' : offered);
    if (init) {
      c.ws.send(JSON.stringify(INIT));
      await c.receive((m) => m.type === 'connection_ack');
    }
    for (const m of send) c.ws.send(typeof m === 'string' ? m : JSON.stringify(m));
    if (expected === 'open') {
      // The marker: a ping sent after the message is answered, so the message was handled and the socket lives.
      c.ws.send(JSON.stringify({ type: 'ping', payload: { marker: 'after' } }));
      expect(await c.receive((m) => m.type === 'pong' && m.payload !== undefined)).toEqual({ type: 'pong', payload: { marker: 'after' } });
      expect(c.ws.readyState).toBe(WebSocket.OPEN);
      c.ws.close(1000);
    }
    const { code } = await c.closed;
    expect(code).toBe(expected === 'open' ? 1000 : expected);
  });

  it('a ping is answered with a pong carrying its payload', async () => {
    const c = await raw();
    c.ws.send(JSON.stringify({ type: 'ping', payload: { n: 7 } }));
    expect(await c.receive((m) => m.type === 'pong')).toEqual({ type: 'pong', payload: { n: 7 } });
    c.ws.close(1000);
    await c.closed;
  });
});
