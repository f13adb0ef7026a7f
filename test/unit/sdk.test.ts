// The client SDK without a server: which operations it has, what it sends, and how every kind of
// answer (data, refusals, partial data, junk, no answer) comes back to the caller.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, Kind, parse, print, type OperationDefinitionNode } from 'graphql';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  createClient,
  createCostTally,
  isSdkError,
  JoinGameDocument,
  operationDocuments,
  SdkError,
  type CostReport,
  type JoinGameMutation,
  type SdkErrorCode,
  type SdkResult,
} from '../../sdk/src/index.js';
import type { ErrorCode } from '../../src/errors.js';
import ts from 'typescript';

const URL_ = 'http://sdk.test/graphql';
const OPERATIONS_DIR = new URL('../../sdk/operations/', import.meta.url);
const SCHEMA_DIR = new URL('../../schema/', import.meta.url);

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A fetch that records each request and answers with the given status and body. */
function fakeFetch(status: number, body: unknown) {
  const sent: Sent[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    sent.push({ url, method: String(init.method), headers: init.headers as Record<string, string>, body: JSON.parse(String(init.body)) });
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, sent };
}

const cost: CostReport = {
  calls: { TransactWriteItems: 1, BatchGetItem: 1 },
  totalCalls: 2,
  waves: 2,
  readCapacityUnits: 0.5,
  writeCapacityUnits: 14,
};

async function failure(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof SdkError) return err;
    throw err;
  }
  throw new Error('Expected an SdkError, the call succeeded.');
}

describe('operations', () => {
  const definitions = readdirSync(OPERATIONS_DIR)
    .filter((f) => f.endsWith('.graphql'))
    .flatMap((f) => parse(readFileSync(new URL(f, OPERATIONS_DIR), 'utf8')).definitions)
    .filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);

  it('has one client method per operation in sdk/operations, named after it', () => {
    const names = definitions.map((d) => d.name!.value.charAt(0).toLowerCase() + d.name!.value.slice(1));
    expect(Object.keys(operationDocuments).sort()).toEqual(names.sort());
    expect(
      Object.keys(createClient({ url: URL_ }))
        .filter((k) => !['url', 'request', 'subscribe', 'live', 'withToken', 'close'].includes(k))
        .sort(),
    ).toEqual(names.sort());
  });

  it('selects every root Query, Mutation and Subscription field of the schema', () => {
    const schema = buildSchema(
      readdirSync(SCHEMA_DIR)
        .filter((f) => f.endsWith('.graphql'))
        .map((f) => readFileSync(new URL(f, SCHEMA_DIR), 'utf8'))
        .join('\n'),
    );
    const selected = (kind: 'query' | 'mutation' | 'subscription') =>
      new Set(
        definitions
          .filter((d) => d.operation === kind)
          .flatMap((d) => d.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []))),
      );
    expect([...selected('query')].sort()).toEqual(Object.keys(schema.getQueryType()!.getFields()).sort());
    expect([...selected('mutation')].sort()).toEqual(Object.keys(schema.getMutationType()!.getFields()).sort());
    expect([...selected('subscription')].sort()).toEqual(Object.keys(schema.getSubscriptionType()!.getFields()).sort());
  });

  it('lets every subscription resume: each declares $after, passes it on and selects cursor and kind', () => {
    const subscriptions = definitions.filter((d) => d.operation === 'subscription');
    expect(subscriptions.length).toBeGreaterThan(0);
    for (const d of subscriptions) {
      expect(d.variableDefinitions?.map((v) => v.variable.name.value)).toContain('after');
      const text = print(d);
      expect(text).toMatch(/\(([^)]*, )?after: \$after\)/);
      expect(text).toMatch(/\{\s+cursor\s+kind\b/);
    }
  });

  it('names a @live query, and only a @live query, with a name ending in "Live" (how the types tell them apart)', () => {
    const live = definitions.filter((d) => d.directives?.some((x) => x.name.value === 'live'));
    expect(live.length).toBeGreaterThan(0);
    for (const d of definitions) expect([d.name!.value, d.name!.value.endsWith('Live')]).toEqual([d.name!.value, live.includes(d)]);
  });

  it('pages every connection of the schema with first and after somewhere', () => {
    const sources = readdirSync(OPERATIONS_DIR)
      .map((f) => readFileSync(new URL(f, OPERATIONS_DIR), 'utf8'))
      .join('\n');
    for (const field of ['players', 'openGames', 'gamesByMap', 'games', 'photos', 'reactions', 'followers', 'following']) {
      expect(sources).toMatch(new RegExp(`\\b${field}\\(([^)]*\\b)?first: \\$first, after: \\$after\\)`));
    }
  });
});

describe('createClient', () => {
  it('posts the printed operation, its name and variables, signed with the token', async () => {
    const { fetch, sent } = fakeFetch(200, { data: { joinGame: {} } });
    await createClient({ url: URL_, token: 'tok', fetch, headers: { 'x-app': 'demo' } }).joinGame({ gameId: 'g1' });
    expect(sent).toStrictEqual([
      {
        url: URL_,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          'x-app': 'demo',
          authorization: 'Bearer tok',
        },
        body: { query: print(JoinGameDocument), operationName: 'JoinGame', variables: { gameId: 'g1' } },
      },
    ]);
  });

  it('sends no Authorization when anonymous, {} for left-out variables, and withToken signs a copy', async () => {
    const { fetch, sent } = fakeFetch(200, { data: { openGames: { edges: [] } } });
    const anonymous = createClient({ url: URL_, fetch });
    await anonymous.openGames();
    await anonymous.withToken('ana-token').ping();
    await anonymous.ping();
    expect(sent.map((s) => s.headers.authorization)).toEqual([undefined, 'Bearer ana-token', undefined]);
    expect(sent[0]!.body).toMatchObject({ operationName: 'OpenGames', variables: {} });
  });

  it('resolves to the data, the DynamoDB cost and the whole extensions', async () => {
    const data = { joinGame: { user: { username: 'ana' } } };
    const { fetch } = fakeFetch(200, { data, extensions: { dynamodb: cost, trace: 1 } });
    await expect(createClient({ url: URL_, fetch }).joinGame({ gameId: 'g1' })).resolves.toStrictEqual({
      data,
      cost,
      extensions: { dynamodb: cost, trace: 1 },
    });
  });

  it('gives cost null when the server reports none', async () => {
    const { fetch } = fakeFetch(200, { data: { ping: 'ok' } });
    await expect(createClient({ url: URL_, fetch }).ping()).resolves.toStrictEqual({ data: { ping: 'ok' }, cost: null, extensions: {} });
  });
});

describe('SdkError', () => {
  it("carries the refusal's code, message, path, every error, the status and the cost", async () => {
    const errors = [
      {
        message: 'Game g1 already has 50 of 50 players.',
        path: ['joinGame'],
        locations: [{ line: 2, column: 3 }],
        extensions: { code: 'GAME_FULL' },
      },
    ];
    const { fetch } = fakeFetch(200, { errors, data: null, extensions: { dynamodb: cost } });
    const err = await failure(createClient({ url: URL_, fetch }).joinGame({ gameId: 'g1' }));
    expect(err).toBeInstanceOf(SdkError);
    expect(isSdkError(err, 'GAME_FULL')).toBe(true);
    expect(isSdkError(err, 'GAME_NOT_OPEN')).toBe(false);
    expect({ ...err, message: err.message, name: err.name }).toStrictEqual({
      name: 'SdkError',
      message: 'JoinGame: GAME_FULL: Game g1 already has 50 of 50 players.',
      code: 'GAME_FULL',
      codes: ['GAME_FULL'],
      operationName: 'JoinGame',
      path: ['joinGame'],
      errors,
      data: null,
      status: 200,
      cost,
    });
  });

  it('throws on partial data too, with the partial data attached', async () => {
    const errors = [
      { message: 'The database is unavailable.', path: ['users', 1], extensions: { code: 'UNAVAILABLE', retryable: true } },
      { message: 'Internal server error.', path: ['users', 2], extensions: { code: 'INTERNAL_SERVER_ERROR' } },
    ];
    const data = { users: [{ username: 'ana' }, null, null] };
    const { fetch } = fakeFetch(200, { errors, data });
    const err = await failure(createClient({ url: URL_, fetch }).users({ usernames: ['ana', 'ben', 'cyd'] }));
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.codes).toEqual(['UNAVAILABLE', 'INTERNAL_SERVER_ERROR']);
    expect(err.path).toEqual(['users', 1]);
    expect(err.data).toEqual(data);
    expect(err.cost).toBeNull();
  });

  it('maps a validation failure (HTTP 400) and a code it does not know, keeping the raw code in errors', async () => {
    const bad = fakeFetch(400, { errors: [{ message: 'Cannot query field "nope".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] });
    const err = await failure(createClient({ url: URL_, fetch: bad.fetch }).ping());
    expect([err.code, err.status, err.path]).toEqual(['GRAPHQL_VALIDATION_FAILED', 400, undefined]);
    const newer = fakeFetch(200, { errors: [{ message: 'Slow down.', extensions: { code: 'RATE_LIMITED' } }], data: null });
    const unknown = await failure(createClient({ url: URL_, fetch: newer.fetch }).ping());
    expect(unknown.code).toBe('UNKNOWN_ERROR');
    expect(unknown.errors[0]!.extensions?.code).toBe('RATE_LIMITED');
  });

  it('is NETWORK_ERROR when nothing answers, with the cause kept', async () => {
    const cause = new TypeError('fetch failed');
    const fetch = (async () => {
      throw cause;
    }) as unknown as typeof globalThis.fetch;
    const err = await failure(createClient({ url: URL_, fetch }).ping());
    expect([err.code, err.status, err.errors, err.cause]).toEqual(['NETWORK_ERROR', undefined, [], cause]);
    expect(err.codes).toEqual(['NETWORK_ERROR']);
  });

  it('is INVALID_RESPONSE for a body that is not a GraphQL response', async () => {
    const html = await failure(createClient({ url: URL_, fetch: fakeFetch(502, '<html>Bad Gateway</html>').fetch }).ping());
    expect([html.code, html.status, html.message]).toEqual([
      'INVALID_RESPONSE',
      502,
      'Ping: INVALID_RESPONSE: HTTP 502 with a body that is not JSON: <html>Bad Gateway</html>',
    ]);
    const empty = await failure(createClient({ url: URL_, fetch: fakeFetch(200, { extensions: {} }).fetch }).ping());
    expect([empty.code, empty.message]).toEqual(['INVALID_RESPONSE', 'Ping: INVALID_RESPONSE: HTTP 200 with neither data nor errors.']);
    const list = await failure(createClient({ url: URL_, fetch: fakeFetch(200, [1, 2]).fetch }).ping());
    expect(list.code).toBe('INVALID_RESPONSE');
  });
});

describe('cost', () => {
  it('reports every answered operation to onCost, refusals included, and a tally sums them', async () => {
    const tally = createCostTally();
    const seen: string[] = [];
    const ok = createClient({
      url: URL_,
      fetch: fakeFetch(200, { data: { joinGame: {} }, extensions: { dynamodb: cost } }).fetch,
      onCost: (c, name) => (tally.add(c), seen.push(name)),
    });
    const refused = createClient({
      url: URL_,
      fetch: fakeFetch(200, {
        data: null,
        errors: [{ message: 'full', extensions: { code: 'GAME_FULL' } }],
        extensions: { dynamodb: { ...cost, calls: { BatchGetItem: 1 }, totalCalls: 1, waves: 1, writeCapacityUnits: 0.1 } },
      }).fetch,
      onCost: (c, name) => (tally.add(c), seen.push(name)),
    });
    await ok.joinGame({ gameId: 'g1' });
    await failure(refused.joinGame({ gameId: 'g1' }));
    tally.add(null);
    expect(seen).toEqual(['JoinGame', 'JoinGame']);
    expect(tally.operations).toBe(3);
    expect(tally.total).toStrictEqual({
      calls: { TransactWriteItems: 1, BatchGetItem: 2 },
      totalCalls: 3,
      waves: 3,
      readCapacityUnits: 1,
      writeCapacityUnits: 14.1,
    });
  });
});

describe('types', () => {
  it("types each method's variables and result from its operation, and error codes from the server's", () => {
    const client = createClient({ url: URL_ });
    expectTypeOf(client.joinGame).parameter(0).toEqualTypeOf<{ gameId: string }>();
    expectTypeOf(client.joinGame).returns.resolves.toEqualTypeOf<SdkResult<JoinGameMutation>>();
    expectTypeOf<ErrorCode>().toExtend<SdkErrorCode>();
    expectTypeOf<'GRAPHQL_VALIDATION_FAILED' | 'NETWORK_ERROR'>().toExtend<SdkErrorCode>();
  });

  it("refuses, at compile time, what an operation's types forbid: the compiler run on a caller's code", () => {
    // Each line ending in `// refused` must fail to compile, and no other line: the SDK's types are
    // what a caller's editor and build see, so they are checked the way a caller's build checks them.
    const caller = [
      "import { createClient, SdkError } from '../../sdk/src/index.js';",
      "const client = createClient({ url: 'http://sdk.test/graphql' });",
      'export async function uses(): Promise<void> {',
      '  await client.joinGame({}); // refused: gameId is required',
      "  await client.joinGame({ gameId: 'g1', map: 'x' }); // refused: no such variable",
      "  void (await client.user({ username: 'ana' })).data.user?.username;",
      "  void (await client.user({ username: 'ana' })).data.user.username; // refused: user(username) may be null",
      '  await client.openGames(); // every variable optional: none needed',
      '  // A @live query is an async iterable of whole results.',
      "  for await (const r of client.gameLive({ id: 'g1' })) void r.data.game?.players.edges[0]?.node.user.username;",
      "  client.gameLive({}); // refused: a live query's id is required",
      "  const err = new SdkError({ code: 'GAME_FULL', message: '', operationName: 'JoinGame' });",
      "  if (err.code === 'GAME_FUL') return; // refused: not a code the server has",
      '}',
    ];
    const refusedLines = caller.flatMap((line, i) => (line.includes('// refused') ? [i] : []));
    expect(compileErrorLines(caller.join('\n'))).toEqual(refusedLines);
  });
});

/** The (0-based) lines of `source`, a module placed in this folder, that the project's compiler settings refuse. */
function compileErrorLines(source: string): number[] {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const file = join(here, 'sdk-caller.generated.ts');
  const configPath = fileURLToPath(new URL('../../tsconfig.json', import.meta.url));
  const { options } = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, dirname(configPath));
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) => (name === file ? ts.createSourceFile(name, source, lang) : read(name, lang, ...rest));
  host.fileExists = (
    (exists) => (name: string) =>
      name === file || exists(name)
  )(host.fileExists.bind(host));
  const program = ts.createProgram([file], options, host);
  const sourceFile = program.getSourceFile(file)!;
  const lines = ts.getPreEmitDiagnostics(program, sourceFile).map((d) => sourceFile.getLineAndCharacterOfPosition(d.start ?? 0).line);
  return [...new Set(lines)].sort((a, b) => a - b);
}
