// The Lambda entry, invoked the way API Gateway's HTTP API invokes it (payload 2.0), with no
// database; test/integration/lambda.test.ts runs the same handler against DynamoDB Local.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createHandler } from '../../src/lambda.js';
import { createLogger } from '../../src/log.js';
import { SECRETS, event, graphql, invoke, lambdaContext } from '../helpers/lambda.js';

describe('Lambda handler without a database', () => {
  // As in Lambda: AWS_REGION set, no endpoint, so config.database is { kind: 'aws' }. These
  // operations make no DynamoDB call, so nothing leaves the machine.
  const config = loadConfig({ AWS_REGION: 'us-east-1', TABLE_NAME: 'graphql-test', ...SECRETS });
  const handler = createHandler(config, { logger: createLogger({ silent: true }) });

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
        ${' '.repeat(config.http.maxBodyBytes)}
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

describe('the exported handler, configured from the environment on first use', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });
  // What the deployed function has: the variables Lambda sets (AWS_REGION, no endpoint) and the
  // stack's own; a fresh module each time, because the handler keeps what its first use built.
  const lambdaEnv = (env: Record<string, string | undefined>) => {
    for (const name of Object.keys(process.env).filter((n) => /^(AWS_|DYNAMODB_|TABLE_NAME$|AUTH_|CURSOR_SECRET$)/.test(n))) {
      vi.stubEnv(name, undefined);
    }
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  };

  it("answers with Lambda's environment: AWS DynamoDB in AWS_REGION, the stack's table and secrets", async () => {
    lambdaEnv({ AWS_REGION: 'us-east-1', TABLE_NAME: 'graphql-test', LOG_LEVEL: 'silent', ...SECRETS });
    const { handler } = await import('../../src/lambda.js');
    const res = await invoke(handler, { body: graphql('{ ping }') });
    expect(res).toMatchObject({ status: 200, body: { data: { ping: 'ok' } } });
  });

  it('refuses the embedded database when the environment names no region and no endpoint', async () => {
    lambdaEnv({ LOG_LEVEL: 'silent' });
    const { handler } = await import('../../src/lambda.js');
    await expect(invoke(handler, { body: graphql('{ ping }') })).rejects.toThrow(/never starts DynamoDB Local/);
  });
});
