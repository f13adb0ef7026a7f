// The Lambda entry, invoked the way API Gateway's HTTP API invokes it (payload 2.0). The first
// block needs no database; the second runs the same handler against the test run's DynamoDB Local.
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context as LambdaContext } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signToken } from '../../src/auth.js';
import { isLoopback, loadConfig } from '../../src/config.js';
import { ensureTable } from '../../src/ops/admin.js';
import { createClients } from '../../src/data/dynamo/client.js';
import { createHandler, type LambdaHttpHandler } from '../../src/lambda.js';
import { createLogger } from '../../src/log.js';
import { freshUsername } from '../helpers/server.js';

const SECRETS = { AUTH_SECRET: 'a'.repeat(40), CURSOR_SECRET: 'c'.repeat(40) };

interface EventInit {
  method?: string;
  path?: string;
  body?: string;
  base64?: boolean;
  headers?: Record<string, string>;
  query?: string;
}

function event({ method = 'POST', path = '/graphql', body, base64 = false, headers = {}, query = '' }: EventInit): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: query,
    headers: { 'content-type': 'application/json', ...headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: randomUUID(),
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    body: body === undefined ? undefined : base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: base64,
  };
}

const lambdaContext = { awsRequestId: 'test', functionName: 'graphql' } as LambdaContext;

async function invoke(handler: LambdaHttpHandler, init: EventInit) {
  const res = await handler(event(init), lambdaContext);
  return { status: res.statusCode, headers: res.headers ?? {}, body: res.body ? JSON.parse(res.body) : undefined };
}

const graphql = (query: string, variables?: Record<string, unknown>) => JSON.stringify({ query, variables });

describe('Lambda handler without a database', () => {
  // As in Lambda: AWS_REGION set, no endpoint, so config.database is { kind: 'aws' }. These
  // operations make no DynamoDB call, so nothing leaves the machine.
  const config = loadConfig({ AWS_REGION: 'us-east-1', TABLE_NAME: 'graphql-test', ...SECRETS });
  const handler = createHandler(config, { logger: createLogger({ silent: true }) });

  it('is configured for AWS DynamoDB, as in Lambda', () => {
    expect(config.database).toEqual({ kind: 'aws', region: 'us-east-1' });
  });

  it('answers { ping } with 200, data and a zero DynamoDB cost report', async () => {
    const res = await invoke(handler, { body: graphql('{ ping }') });
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual({
      data: { ping: 'ok' },
      extensions: { dynamodb: { calls: {}, totalCalls: 0, waves: 0, readCapacityUnits: 0, writeCapacityUnits: 0 } },
    });
  });

  it('answers { __typename } and a base64-encoded body', async () => {
    const res = await invoke(handler, { body: graphql('{ __typename }'), base64: true });
    expect(res.status).toBe(200);
    expect(res.body.data).toStrictEqual({ __typename: 'Query' });
  });

  it('answers GET /graphql with the query in the query string', async () => {
    const res = await invoke(handler, {
      method: 'GET',
      query: `query=${encodeURIComponent('{ ping }')}`,
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toStrictEqual({ ping: 'ok' });
  });

  it('answers /healthz and refuses unknown paths and methods as the HTTP server does', async () => {
    expect(await invoke(handler, { method: 'GET', path: '/healthz' })).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect((await invoke(handler, { method: 'GET', path: '/nope' })).status).toBe(404);
    const put = await handler(event({ method: 'PUT', body: graphql('{ ping }') }), lambdaContext);
    expect(put.statusCode).toBe(405);
    expect(put.headers).toMatchObject({ allow: 'GET, POST' });
  });

  it('gives bad bodies a stable code instead of a bare 400', async () => {
    const notJson = await invoke(handler, { body: '{ "query": ' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const batched = await invoke(handler, { body: JSON.stringify([{ query: '{ ping }' }, { query: '{ ping }' }]) });
    expect(batched.status).toBe(400);
    expect(batched.body.errors[0].message).toMatch(/Batched requests are not accepted/);
    const tooBig = await invoke(handler, {
      body: graphql(`
        {
          ping
        }
        ${' '.repeat(config.maxBodyBytes)}
      `),
    });
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('rejects a malformed Authorization header with UNAUTHENTICATED', async () => {
    const res = await invoke(handler, { body: graphql('{ ping }'), headers: { authorization: 'Basic abc' } });
    expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('refuses to run on the embedded database, which Lambda cannot start', () => {
    expect(() => createHandler(loadConfig({}), { logger: createLogger({ silent: true }) })).toThrow(/never starts DynamoDB Local/);
  });
});

describe('Lambda handler on DynamoDB Local', () => {
  const endpoint = inject('dynamoEndpoint');
  const tableName = `lambda-${randomUUID().slice(0, 8)}`;
  const config = loadConfig({ DYNAMODB_ENDPOINT: endpoint, AWS_REGION: 'us-east-1', TABLE_NAME: tableName, ...SECRETS });
  const clients = createClients({ endpoint, region: 'local', timeoutMs: 5_000, maxAttempts: 3 });
  let handler: LambdaHttpHandler;

  beforeAll(async () => {
    if (!isLoopback(endpoint)) throw new Error(`Refusing to run against ${endpoint}: loopback only.`);
    await ensureTable(clients.raw, tableName);
    handler = createHandler(config, { logger: createLogger({ silent: true }) });
  });
  afterAll(() => clients.raw.destroy());

  it('reports ready when the table answers DescribeTable', async () => {
    expect(await invoke(handler, { method: 'GET', path: '/readyz' })).toMatchObject({ status: 200, body: { status: 'ready' } });
  });

  it('reports not ready for a table that does not exist', async () => {
    const missing = createHandler(
      loadConfig({ ...SECRETS, DYNAMODB_ENDPOINT: endpoint, TABLE_NAME: `missing-${randomUUID().slice(0, 8)}` }),
      {
        logger: createLogger({ silent: true }),
      },
    );
    expect(await invoke(missing, { method: 'GET', path: '/readyz' })).toMatchObject({
      status: 503,
      body: { status: 'database unreachable' },
    });
  });

  it("creates a user with the caller's token, reads it back and reports what each operation cost", async () => {
    const username = freshUsername('lambda');
    const token = await signToken(config.auth, username);
    const created = await invoke(handler, {
      headers: { authorization: `Bearer ${token}` },
      body: graphql('mutation($input: CreateUserInput!) { createUser(input: $input) { username email } }', {
        input: { username, name: 'Lambda User', email: `${username}@example.com` },
      }),
    });
    expect(created.status).toBe(200);
    expect(created.body.errors).toBeUndefined();
    expect(created.body.data.createUser).toStrictEqual({ username, email: `${username}@example.com` });
    expect(created.body.extensions.dynamodb.calls).toMatchObject({ TransactWriteItems: 1 });

    const read = await invoke(handler, { body: graphql('query($u: String!) { user(username: $u) { username name } }', { u: username }) });
    expect(read.body).toMatchObject({ data: { user: { username, name: 'Lambda User' } } });
    expect(read.body.extensions.dynamodb).toMatchObject({ totalCalls: 1, waves: 1 });
    expect(read.body.extensions.dynamodb.readCapacityUnits).toBeGreaterThan(0);
  });

  it('refuses a write without a token and leaves the table without the user', async () => {
    const username = freshUsername('anon');
    const res = await invoke(handler, {
      body: graphql('mutation($input: CreateUserInput!) { createUser(input: $input) { username } }', {
        input: { username, name: 'Nobody', email: `${username}@example.com` },
      }),
    });
    expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const read = await invoke(handler, { body: graphql('query($u: String!) { user(username: $u) { username } }', { u: username }) });
    expect(read.body.data).toStrictEqual({ user: null });
  });
});
