// One stage of the service: the table, the GraphQL server as a Lambda function, and an HTTP API
// in front of it. Nothing runs while idle: every resource here is billed per request or per GB.
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { ISecurityGroup, IVpc } from 'aws-cdk-lib/aws-ec2';
import { SubnetType } from 'aws-cdk-lib/aws-ec2';
import { Architecture, Function as LambdaFunction, Runtime, StartingPosition, type Code } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { TABLE, type TableDefinition } from '../../src/data/table.js';
import { ServerlessLive, type ServerlessLiveProps } from './live-ws.js';
import { buildTable } from './table.js';

/**
 * Every DynamoDB action the server's Db (src/data/dynamo/db.ts) and /readyz can send. A transaction is
 * authorized per item action, so TransactWriteItems needs no action of its own but needs
 * ConditionCheckItem for its condition checks.
 */
export const SERVER_DYNAMODB_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DeleteItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:UpdateItem',
];

export interface JwksAuth {
  jwksUrl: string;
  issuer: string;
  audience: string;
}

export interface GraphqlStackProps extends StackProps {
  /** `prod` or `production` keeps data (PITR, RETAIN, deletion protection); any other stage is disposable. */
  stage: string;
  /** The table to build; src/data/table.ts's TABLE unless a test passes another. */
  table?: TableDefinition;
  /** The bundled server (see bundle.ts) and its handler. */
  code: Code;
  handler: string;
  /**
   * An OIDC issuer's JWKS (e.g. Cognito). Required in production; without it a non-production
   * stage gets a generated HS256 secret, and tokens are minted with `npm run token`.
   */
  auth?: JwksAuth;
  /**
   * Live updates on many servers (docs/deployment.md): the table's stream read by a Lambda function
   * (AWS keeps shards, checkpoints and retries) that publishes to the Redis the servers share.
   * The servers then run with REDIS_URL and hold no lease. Absent: no stream reader is deployed.
   */
  streamReader?: StreamReaderProps;
  /**
   * Live updates with no containers (infra/lib/live-ws.ts): API Gateway's WebSocket API and a
   * delivery function on the table's stream. The alternative to streamReader: never both on the stream.
   */
  serverlessLive?: ServerlessLiveProps;
}

export interface StreamReaderProps {
  /** The Redis (ElastiCache) the servers listen to, e.g. rediss://master.my-cache.xxxx.cache.amazonaws.com:6379. */
  redisUrl: string;
  /** The handler in `code` (bundle.ts: STREAM_READER_HANDLER). */
  handler: string;
  /** The VPC ElastiCache lives in; the function joins its private subnets. */
  vpc?: IVpc;
  securityGroups?: ISecurityGroup[];
}

/** What the stream reader may do to the table: remove a removed game's players (Query, then BatchWriteItem). */
export const STREAM_READER_DYNAMODB_ACTIONS = ['dynamodb:BatchWriteItem', 'dynamodb:Query'];

export function isProduction(stage: string): boolean {
  return stage === 'prod' || stage === 'production';
}

export class GraphqlStack extends Stack {
  readonly table: Table;
  readonly fn: LambdaFunction;
  readonly api: HttpApi;
  readonly streamReader?: LambdaFunction;
  readonly serverlessLive?: ServerlessLive;

  constructor(scope: Construct, id: string, props: GraphqlStackProps) {
    super(scope, id, props);
    if (!/^[a-z][a-z0-9-]{0,19}$/.test(props.stage)) {
      throw new Error(`The stage must be 1-20 lowercase letters, digits or "-", starting with a letter; got "${props.stage}".`);
    }
    const production = isProduction(props.stage);
    if (production && !props.auth) {
      throw new Error('A production stage needs an identity provider: pass -c authJwksUrl=... -c authIssuer=... -c authAudience=...');
    }
    const retain = production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.table = buildTable(this, 'Table', props.table ?? TABLE, { production });

    // CloudFormation resolves these references at deploy time: the template and cdk.out hold only
    // the reference, never the value, and the function needs no Secrets Manager permission.
    const cursorSecret = new Secret(this, 'CursorSecret', {
      description: `Signs GraphQL pagination cursors (${props.stage}). Rotating it invalidates outstanding cursors only.`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    let authEnv: Record<string, string>;
    if (props.auth) {
      authEnv = { AUTH_JWKS_URL: props.auth.jwksUrl, AUTH_ISSUER: props.auth.issuer, AUTH_AUDIENCE: props.auth.audience };
    } else {
      const authSecret = new Secret(this, 'AuthSecret', {
        description: `HS256 key for GraphQL tokens (${props.stage}); mint tokens with npm run token.`,
        generateSecretString: { passwordLength: 64, excludePunctuation: true },
      });
      authEnv = { AUTH_SECRET: authSecret.secretValue.unsafeUnwrap() };
      new CfnOutput(this, 'AuthSecretArn', { value: authSecret.secretArn });
    }

    // Our own role instead of AWSLambdaBasicExecutionRole, whose log permissions cover every log
    // group in the account: this one may write to its own log group and use this table, nothing else.
    const logGroup = new LogGroup(this, 'ServerLogs', { retention: RetentionDays.ONE_MONTH, removalPolicy: retain });
    const role = new Role(this, 'ServerRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `GraphQL server (${props.stage}): its table and its log group only`,
    });
    logGroup.grantWrite(role);

    const serverEnv = { TABLE_NAME: this.table.tableName, CURSOR_SECRET: cursorSecret.secretValue.unsafeUnwrap(), ...authEnv };
    this.fn = new LambdaFunction(this, 'Server', {
      // The newest LTS (nodejs20.x is deprecated, 22.x follows in 2027). The bundle targets Node 20
      // syntax, the oldest the project supports (20, 22, 24; CI tests 20 and 24), so it runs here unchanged.
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      code: props.code,
      handler: props.handler,
      // Memory buys CPU: 1 GB keeps a cold start (schema build, SDK load) short; idle costs nothing.
      memorySize: 1024,
      // Under API Gateway's 30 s, above the DynamoDB client's worst case of 4 attempts of 3 s.
      timeout: Duration.seconds(20),
      environment: serverEnv,
      logGroup,
      role,
    });
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions: SERVER_DYNAMODB_ACTIONS,
        resources: [this.table.tableArn, `${this.table.tableArn}/index/*`],
      }),
    );

    this.api = new HttpApi(this, 'Api', { description: `GraphQL over DynamoDB (${props.stage})` });
    const integration = new HttpLambdaIntegration('Server', this.fn);
    this.api.addRoutes({ path: '/graphql', methods: [HttpMethod.GET, HttpMethod.POST], integration });
    this.api.addRoutes({ path: '/healthz', methods: [HttpMethod.GET], integration });
    this.api.addRoutes({ path: '/readyz', methods: [HttpMethod.GET], integration });

    if (props.streamReader && props.serverlessLive) {
      throw new Error(
        'streamReader (Redis) and serverlessLive (API Gateway WebSocket) are alternatives: choose one to consume the stream.',
      );
    }
    if (props.streamReader) this.streamReader = this.addStreamReader(props, serverEnv, retain);
    if (props.serverlessLive) {
      this.serverlessLive = new ServerlessLive(this, 'Live', {
        ...props.serverlessLive,
        stage: props.stage,
        table: this.table,
        code: props.code,
        environment: serverEnv,
        dynamodbActions: SERVER_DYNAMODB_ACTIONS,
        retain,
      });
    }

    new CfnOutput(this, 'GraphqlUrl', { value: `${this.api.apiEndpoint}/graphql` });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'FunctionName', { value: this.fn.functionName });
    new CfnOutput(this, 'CursorSecretArn', { value: cursorSecret.secretArn });
  }

  private addStreamReader(props: GraphqlStackProps, serverEnv: Record<string, string>, retain: RemovalPolicy): LambdaFunction {
    const reader = props.streamReader!;
    const logGroup = new LogGroup(this, 'StreamReaderLogs', { retention: RetentionDays.ONE_MONTH, removalPolicy: retain });
    const role = new Role(this, 'StreamReaderRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Live updates stream reader (${props.stage}): its table's stream, its log group, its VPC`,
    });
    logGroup.grantWrite(role);
    if (reader.vpc) role.addManagedPolicy(ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'));
    const fn = new LambdaFunction(this, 'StreamReader', {
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      code: props.code,
      handler: reader.handler,
      memorySize: 512,
      timeout: Duration.seconds(60),
      // The servers' own configuration (src/config.ts parses the same variables), plus the bus.
      environment: { ...serverEnv, REDIS_URL: reader.redisUrl },
      logGroup,
      role,
      ...(reader.vpc
        ? { vpc: reader.vpc, vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS }, securityGroups: reader.securityGroups }
        : {}),
    });
    fn.addToRolePolicy(new PolicyStatement({ actions: STREAM_READER_DYNAMODB_ACTIONS, resources: [this.table.tableArn] }));
    fn.addEventSource(
      new DynamoEventSource(this.table, {
        startingPosition: StartingPosition.LATEST,
        batchSize: 100,
        maxBatchingWindow: Duration.millis(0),
        // Order per shard is the bus's order: one batch per shard at a time.
        parallelizationFactor: 1,
        // A batch that fails is retried until it is published or leaves the stream's 24 h: nothing is skipped;
        // halving isolates a record that keeps failing. Records published twice are dropped by the bus.
        bisectBatchOnError: true,
        retryAttempts: -1,
      }),
    );
    return fn;
  }
}
