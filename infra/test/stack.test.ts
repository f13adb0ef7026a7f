// The stack as CloudFormation will see it, synthesized in-process with a placeholder function
// body (bundling is tested in app.test.ts). No AWS account, no CLI.
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { createTableInput } from '../../src/ops/admin.js';
import { TABLE, type TableDefinition } from '../../src/data/table.js';
import { GraphqlStack, SERVER_DYNAMODB_ACTIONS, type GraphqlStackProps, type JwksAuth } from '../lib/stack.js';

const AUTH: JwksAuth = {
  jwksUrl: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example/.well-known/jwks.json',
  issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example',
  audience: 'example-client-id',
};

function synth(props: Partial<GraphqlStackProps> = {}): Template {
  // The built-in CloudFormation rules run once, on the real app, in app.test.ts; here they would
  // only repeat that at some seconds per synth.
  const stack = new GraphqlStack(new App({ builtinCloudFormationValidation: false }), 'Test', {
    stage: 'dev',
    code: Code.fromInline('export const handler = async () => ({ statusCode: 200 });'),
    handler: 'index.handler',
    ...props,
  });
  return Template.fromStack(stack);
}

type Json = Record<string, any>;

function only(template: Template, type: string): { id: string; resource: Json } {
  const found = Object.entries(template.findResources(type));
  expect(
    found.map(([id]) => id),
    `exactly one ${type}`,
  ).toHaveLength(1);
  const [id, resource] = found[0]!;
  return { id, resource };
}

/** Every IAM statement in the template, from inline policies and roles alike. */
function statements(template: Template): Json[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).map((p) => p.Properties.PolicyDocument.Statement as Json[]);
  const roleInline = Object.values(template.findResources('AWS::IAM::Role')).flatMap((r) =>
    ((r.Properties.Policies ?? []) as Json[]).map((p) => p.PolicyDocument.Statement as Json[]),
  );
  return [...policies, ...roleInline].flat();
}

/** Literal strings anywhere in a value, including inside Fn::Join. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

describe('the table', () => {
  const template = synth();
  const table = only(template, 'AWS::DynamoDB::Table');
  const props = table.resource.Properties;
  const expected = createTableInput('ignored');

  it('has the keys, attributes, indexes and billing that `npm run table:create` sends', () => {
    expect(props.KeySchema).toStrictEqual(expected.KeySchema);
    expect(props.AttributeDefinitions).toStrictEqual(expected.AttributeDefinitions);
    expect(props.GlobalSecondaryIndexes).toStrictEqual(expected.GlobalSecondaryIndexes);
    expect(props.GlobalSecondaryIndexes.map((i: Json) => i.IndexName)).toStrictEqual([
      'InvertedIndex',
      'OpenGamesIndex',
      'EmailIndex',
      'GamesByMapIndex',
    ]);
    expect(props.BillingMode).toBe(expected.BillingMode);
    expect(props.BillingMode).toBe('PAY_PER_REQUEST');
    expect(props.ProvisionedThroughput).toBeUndefined();
  });

  it('streams new and old images, as CreateTable asks', () => {
    // CloudFormation has no StreamEnabled: a StreamSpecification is the stream.
    expect(expected.StreamSpecification).toStrictEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(props.StreamSpecification).toStrictEqual({ StreamViewType: expected.StreamSpecification!.StreamViewType });
  });

  it('expires temporary items by the TTL attribute of the definition', () => {
    expect(props.TimeToLiveSpecification).toStrictEqual({ AttributeName: TABLE.ttlAttribute, Enabled: true });
  });

  it('is passed to the function by the name CloudFormation gives it', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ TABLE_NAME: { Ref: table.id } }) },
    });
  });

  it('follows a new index in the definition without any change to infra', () => {
    const extended: TableDefinition = {
      ...TABLE,
      attributes: { ...TABLE.attributes, status: 'S', score: 'N' },
      indexes: [...TABLE.indexes, { name: 'ScoreByStatusIndex', partitionKey: 'status', sortKey: 'score', projection: 'ALL' }],
    };
    const t = only(synth({ table: extended }), 'AWS::DynamoDB::Table').resource.Properties;
    expect(t.GlobalSecondaryIndexes).toHaveLength(TABLE.indexes.length + 1);
    expect(t.GlobalSecondaryIndexes.at(-1)).toStrictEqual({
      IndexName: 'ScoreByStatusIndex',
      KeySchema: [
        { AttributeName: 'status', KeyType: 'HASH' },
        { AttributeName: 'score', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    });
    expect(t.AttributeDefinitions).toStrictEqual([
      ...expected.AttributeDefinitions!,
      { AttributeName: 'status', AttributeType: 'S' },
      { AttributeName: 'score', AttributeType: 'N' },
    ]);
    // The default definition is untouched.
    expect(TABLE.indexes.map((i) => i.name)).not.toContain('ScoreByStatusIndex');
  });
});

describe("the function's permissions", () => {
  const template = synth();
  const tableId = only(template, 'AWS::DynamoDB::Table').id;
  const logsId = only(template, 'AWS::Logs::LogGroup').id;
  const tableArn = { 'Fn::GetAtt': [tableId, 'Arn'] };

  it("allow the server's DynamoDB actions on this table and its indexes, and writing its own logs, nothing else", () => {
    expect(statements(template)).toStrictEqual([
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [logsId, 'Arn'] } },
      {
        Action: SERVER_DYNAMODB_ACTIONS,
        Effect: 'Allow',
        Resource: [tableArn, { 'Fn::Join': ['', [tableArn, '/index/*']] }],
      },
    ]);
  });

  it('name no wildcard resource, no wildcard action and no managed policy', () => {
    for (const s of statements(template)) {
      const resources = strings(s.Resource);
      expect(resources.filter((r) => r.includes('*'))).toStrictEqual(resources.includes('/index/*') ? ['/index/*'] : []);
      expect(strings(s.Action).filter((a) => a.includes('*'))).toStrictEqual([]);
    }
    const role = only(template, 'AWS::IAM::Role').resource;
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toBeUndefined();
    // The function runs as that role.
    template.hasResourceProperties('AWS::Lambda::Function', { Role: { 'Fn::GetAtt': [only(template, 'AWS::IAM::Role').id, 'Arn'] } });
  });

  it("cover every command the server's Db can send", () => {
    // A transaction is authorized per item: Put/Update/Delete plus ConditionCheckItem for checks.
    const perItem: Record<string, string[]> = { TransactWriteItems: ['PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'] };
    const db = readFileSync(new URL('../../src/data/dynamo/db.ts', import.meta.url), 'utf8');
    const sent = [...db.matchAll(/this\.send(?:<\w+>)?\('(\w+)'/g)].map((m) => m[1]!);
    expect(sent.length).toBeGreaterThanOrEqual(9);
    for (const command of sent) {
      for (const action of perItem[command] ?? [command]) expect(SERVER_DYNAMODB_ACTIONS).toContain(`dynamodb:${action}`);
    }
    // /readyz
    expect(SERVER_DYNAMODB_ACTIONS).toContain('dynamodb:DescribeTable');
  });
});

describe('stages', () => {
  const normalize = (t: Template) => JSON.parse(JSON.stringify(t.toJSON()).replaceAll('(prod)', '(dev)')) as Json;

  it('differ exactly in what keeps production data: PITR, deletion protection, Retain', () => {
    const dev = normalize(synth({ stage: 'dev', auth: AUTH })).Resources as Json;
    const prod = normalize(synth({ stage: 'prod', auth: AUTH })).Resources as Json;
    expect(Object.keys(prod).sort()).toStrictEqual(Object.keys(dev).sort());
    const differences: string[] = [];
    const walk = (a: unknown, b: unknown, path: string) => {
      if (a && b && typeof a === 'object' && typeof b === 'object') {
        for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) walk((a as Json)[k], (b as Json)[k], `${path}.${k}`);
      } else if (JSON.stringify(a) !== JSON.stringify(b)) {
        differences.push(`${path}: ${JSON.stringify(a)} -> ${JSON.stringify(b)}`);
      }
    };
    walk(dev, prod, '');
    const tableId = Object.keys(dev).find((k) => dev[k].Type === 'AWS::DynamoDB::Table');
    const logsId = Object.keys(dev).find((k) => dev[k].Type === 'AWS::Logs::LogGroup');
    expect(differences.sort()).toStrictEqual(
      [
        `.${tableId}.UpdateReplacePolicy: "Delete" -> "Retain"`,
        `.${tableId}.DeletionPolicy: "Delete" -> "Retain"`,
        `.${tableId}.Properties.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled: false -> true`,
        `.${tableId}.Properties.DeletionProtectionEnabled: false -> true`,
        `.${logsId}.UpdateReplacePolicy: "Delete" -> "Retain"`,
        `.${logsId}.DeletionPolicy: "Delete" -> "Retain"`,
      ].sort(),
    );
  });

  it('treat "production" as prod', () => {
    synth({ stage: 'production', auth: AUTH }).hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
    });
  });

  it('refuse a production stage without an identity provider', () => {
    expect(() => synth({ stage: 'prod' })).toThrow(/production stage needs an identity provider/);
  });

  it('refuse a stage name that cannot name a stack', () => {
    expect(() => synth({ stage: 'Prod Stage' })).toThrow(/The stage must be/);
  });
});

describe('secrets and auth', () => {
  const resolves = (secretId: string) => ({ 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:::}}']] });
  const secrets = (t: Template) => Object.keys(t.findResources('AWS::SecretsManager::Secret'));
  const env = (t: Template) => only(t, 'AWS::Lambda::Function').resource.Properties.Environment.Variables as Json;

  it("give the function a generated cursor secret and the issuer's JWKS, by reference only", () => {
    const t = synth({ auth: AUTH });
    const [cursor, ...rest] = secrets(t);
    expect(rest).toStrictEqual([]);
    expect(t.findOutputs('AuthSecretArn')).toStrictEqual({});
    expect(env(t)).toStrictEqual({
      TABLE_NAME: { Ref: only(t, 'AWS::DynamoDB::Table').id },
      CURSOR_SECRET: resolves(cursor!),
      AUTH_JWKS_URL: AUTH.jwksUrl,
      AUTH_ISSUER: AUTH.issuer,
      AUTH_AUDIENCE: AUTH.audience,
    });
    t.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
  });

  it('give a dev stage without an identity provider a generated HS256 secret', () => {
    const t = synth({ stage: 'dev' });
    const ids = secrets(t);
    expect(ids).toHaveLength(2);
    const e = env(t);
    expect(Object.keys(e).sort()).toStrictEqual(['AUTH_SECRET', 'CURSOR_SECRET', 'TABLE_NAME']);
    expect([e.CURSOR_SECRET, e.AUTH_SECRET]).toStrictEqual(ids.map(resolves));
    // Its ARN is an output, so docs/deployment.md can fetch it to mint tokens.
    expect(Object.keys(t.findOutputs('AuthSecretArn'))).toStrictEqual(['AuthSecretArn']);
  });
});

describe('the function and its API', () => {
  const template = synth();

  it("runs the given handler on a supported Node.js runtime, on ARM, within API Gateway's 30 s", () => {
    const fn = only(template, 'AWS::Lambda::Function').resource.Properties;
    expect(fn).toMatchObject({ Handler: 'index.handler', Runtime: 'nodejs24.x', Architectures: ['arm64'], MemorySize: 1024, Timeout: 20 });
    expect(fn.LoggingConfig).toStrictEqual({ LogGroup: { Ref: only(template, 'AWS::Logs::LogGroup').id } });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it("is reached through an HTTP API on exactly the server's routes, with payload 2.0", () => {
    only(template, 'AWS::ApiGatewayV2::Api');
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey as string);
    expect(routes.sort()).toStrictEqual(['GET /graphql', 'GET /healthz', 'GET /readyz', 'POST /graphql']);
    for (const i of Object.values(template.findResources('AWS::ApiGatewayV2::Integration'))) {
      expect(i.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { StageName: '$default', AutoDeploy: true });
  });

  it('has nothing billed by the hour: no provisioned capacity, concurrency or instances', () => {
    const types = new Set(Object.values(template.toJSON().Resources as Json).map((r) => r.Type as string));
    expect([...types].sort()).toStrictEqual([
      'AWS::ApiGatewayV2::Api',
      'AWS::ApiGatewayV2::Integration',
      'AWS::ApiGatewayV2::Route',
      'AWS::ApiGatewayV2::Stage',
      'AWS::DynamoDB::Table',
      'AWS::IAM::Policy',
      'AWS::IAM::Role',
      'AWS::Lambda::Function',
      'AWS::Lambda::Permission',
      'AWS::Logs::LogGroup',
      'AWS::SecretsManager::Secret',
    ]);
    expect(only(template, 'AWS::Lambda::Function').resource.Properties.ReservedConcurrentExecutions).toBeUndefined();
  });
});

describe('the stream reader Lambda (N servers + Redis + Lambda reader)', () => {
  const REDIS = 'rediss://master.cache.example.com:6379';
  const template = synth({ streamReader: { redisUrl: REDIS, handler: 'src/live/lambda-reader.handler' } });
  const functions = () => Object.values(template.findResources('AWS::Lambda::Function')) as Json[];
  const reader = () => functions().find((f) => f.Properties.Handler === 'src/live/lambda-reader.handler')!;

  it('is absent unless asked for', () => {
    synth().resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
  });

  it('reads the table’s own stream from LATEST, one batch per shard at a time, retrying a failed batch until it is published', () => {
    const mapping = only(template, 'AWS::Lambda::EventSourceMapping').resource.Properties;
    expect(mapping).toMatchObject({
      StartingPosition: 'LATEST',
      BatchSize: 100,
      ParallelizationFactor: 1,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: -1,
    });
    expect(strings(mapping.EventSourceArn).join(' ')).toMatch(/StreamArn/);
    expect(JSON.stringify(mapping.EventSourceArn)).toContain(only(template, 'AWS::DynamoDB::Table').id);
  });

  it('publishes to the servers’ Redis with the servers’ configuration; the HTTP function gets no REDIS_URL (queries and mutations only)', () => {
    expect(functions()).toHaveLength(2);
    expect(reader().Properties.Environment.Variables).toMatchObject({ REDIS_URL: REDIS, TABLE_NAME: expect.anything() });
    const server = functions().find((f) => f.Properties.Handler === 'index.handler')!;
    expect(server.Properties.Environment.Variables.REDIS_URL).toBeUndefined();
  });

  it('may read the stream and sweep a removed game’s players, and nothing more on the table', () => {
    const all = statements(template);
    const streamRead = all.find((st) => strings(st.Action).includes('dynamodb:GetRecords'))!;
    expect(strings(streamRead.Action)).toEqual(
      expect.arrayContaining(['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator']),
    );
    const sweep = all.find(
      (st) => strings(st.Action).includes('dynamodb:BatchWriteItem') && !strings(st.Action).includes('dynamodb:PutItem'),
    )!;
    expect(strings(sweep.Action).sort()).toEqual(['dynamodb:BatchWriteItem', 'dynamodb:Query']);
  });
});
