// Live updates with nothing running at idle: API Gateway's WebSocket API holds the sockets, one
// Lambda function serves its routes and another consumes the table's stream and posts each event
// to its subscribers (src/lambda-ws.ts, in the same asset as the HTTP function). Connections and
// subscriptions are items of the table with its TTL; their own stream records never invoke the
// delivery function (the event source mapping's filter criteria leave them out).
import { CfnOutput, Duration, type RemovalPolicy } from 'aws-cdk-lib';
import {
  CfnIntegration,
  CfnIntegrationResponse,
  CfnRoute,
  CfnRouteResponse,
  WebSocketApi,
  WebSocketStage,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, FilterCriteria, Function as LambdaFunction, Runtime, StartingPosition, type Code } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DELIVERY_FILTER_PATTERN } from '../../src/serverless/filter.js';
import { DeliveryResync, failureQueues, RESYNC_TIMEOUT } from './live-resync.js';

export interface ServerlessLiveProps {
  /** The WebSocket routes' handler in the asset (bundle.ts: WS_HANDLER). */
  handler: string;
  /** The delivery function's handler (bundle.ts: DELIVER_HANDLER). */
  deliverHandler: string;
  /** The on-failure queue's consumer, RESYNC for a batch given up (bundle.ts: RESYNC_HANDLER). */
  resyncHandler: string;
}

interface Wiring extends ServerlessLiveProps {
  stage: string;
  table: Table;
  code: Code;
  environment: Record<string, string>;
  dynamodbActions: string[];
  retain: RemovalPolicy;
}

/** A batch older than this is given up to the on-failure queue: RESYNC and an alarm, never a silent gap (live-resync.ts). */
export const DELIVERY_MAX_RECORD_AGE = Duration.hours(1);

export class ServerlessLive extends Construct {
  readonly api: WebSocketApi;
  readonly wsStage: WebSocketStage;
  readonly routes: LambdaFunction;
  readonly delivery: LambdaFunction;
  readonly resync: LambdaFunction;
  readonly failures: Queue;

  constructor(scope: Construct, id: string, w: Wiring) {
    super(scope, id);
    const fn = (name: string, handler: string, timeout: Duration, what: string) => {
      const logGroup = new LogGroup(this, `${name}Logs`, { retention: RetentionDays.ONE_MONTH, removalPolicy: w.retain });
      const role = new Role(this, `${name}Role`, {
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
        description: `${what} (${w.stage}): its table, its log group, this WebSocket API's connections`,
      });
      logGroup.grantWrite(role);
      const f = new LambdaFunction(this, name, {
        runtime: Runtime.NODEJS_24_X,
        architecture: Architecture.ARM_64,
        code: w.code,
        handler,
        memorySize: 1024,
        timeout,
        environment: w.environment,
        logGroup,
        role,
      });
      f.addToRolePolicy(new PolicyStatement({ actions: w.dynamodbActions, resources: [w.table.tableArn, `${w.table.tableArn}/index/*`] }));
      return f;
    };
    // API Gateway gives an integration 29 s.
    this.routes = fn('WsRoutes', w.handler, Duration.seconds(20), 'WebSocket routes');
    this.delivery = fn('Delivery', w.deliverHandler, Duration.seconds(60), 'Live updates delivery');
    this.resync = fn('Resync', w.resyncHandler, RESYNC_TIMEOUT, 'RESYNC for stream batches given up');

    const integration = new WebSocketLambdaIntegration('Routes', this.routes);
    this.api = new WebSocketApi(this, 'Api', {
      description: `GraphQL subscriptions, graphql-transport-ws (${w.stage})`,
      // graphql-transport-ws names a message's kind in `type`: the ping route below matches {"type":"ping"}.
      routeSelectionExpression: '$request.body.type',
      connectRouteOptions: { integration },
      disconnectRouteOptions: { integration },
      defaultRouteOptions: { integration },
    });
    this.wsStage = new WebSocketStage(this, 'Stage', { webSocketApi: this.api, stageName: w.stage, autoDeploy: true });
    this.addPingRoute();
    // PostToConnection and DeleteConnection on this API's stage only.
    this.wsStage.grantManagementApiAccess(this.routes);
    this.wsStage.grantManagementApiAccess(this.delivery);
    this.wsStage.grantManagementApiAccess(this.resync);

    const { failures, dead } = failureQueues(this);
    this.failures = failures;
    this.delivery.addEventSource(
      new DynamoEventSource(w.table, {
        startingPosition: StartingPosition.LATEST,
        batchSize: 100,
        maxBatchingWindow: Duration.millis(0),
        // One batch per shard at a time: a game's and a photo's events in the stream's order.
        parallelizationFactor: 1,
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: 10,
        maxRecordAge: DELIVERY_MAX_RECORD_AGE,
        onFailure: new SqsDlq(this.failures),
        filters: [FilterCriteria.filter(DELIVERY_FILTER_PATTERN)],
      }),
    );
    new Alarm(this, 'IteratorAgeAlarm', {
      alarmDescription: 'Live updates are more than a minute behind the table (the delivery function is failing or too slow).',
      metric: this.delivery.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) }),
      threshold: 60_000,
      evaluationPeriods: 3,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    new DeliveryResync(this, 'GivenUp', { fn: this.resync, table: w.table, failures, dead });
    new CfnOutput(scope, 'WebSocketUrl', { value: this.wsStage.url });
  }

  /** `{"type":"ping"}` answered `{"type":"pong"}` by API Gateway itself (a mock integration): keep-alive costs no invocation. */
  private addPingRoute(): void {
    const apiId = this.api.apiId;
    const mock = new CfnIntegration(this, 'PingIntegration', {
      apiId,
      integrationType: 'MOCK',
      requestTemplates: { $default: '{"statusCode": 200}' },
      templateSelectionExpression: '\\$default',
    });
    new CfnIntegrationResponse(this, 'PingIntegrationResponse', {
      apiId,
      integrationId: mock.ref,
      integrationResponseKey: '$default',
      responseTemplates: { $default: '{"type":"pong"}' },
      templateSelectionExpression: '\\$default',
    });
    const route = new CfnRoute(this, 'PingRoute', {
      apiId,
      routeKey: 'ping',
      target: `integrations/${mock.ref}`,
      routeResponseSelectionExpression: '$default',
    });
    new CfnRouteResponse(this, 'PingRouteResponse', { apiId, routeId: route.ref, routeResponseKey: '$default' });
  }
}
