// The Lambda entry, invoked the way API Gateway's HTTP API invokes it (payload 2.0), against the
// test run's DynamoDB Local (test/unit/lambda.test.ts covers what needs no database).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signToken } from '../../src/auth.js';
import { isLoopback, loadConfig } from '../../src/config.js';
import { ensureTable } from '../../src/ops/admin.js';
import { createClients } from '../../src/data/dynamo/client.js';
import { createHandler, type LambdaHttpHandler } from '../../src/lambda.js';
import { createLogger } from '../../src/log.js';
import { SECRETS, graphql, invoke } from '../helpers/lambda.js';
import { freshUsername } from '../helpers/server.js';

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
