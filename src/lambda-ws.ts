// Lambda entries of live updates on AWS, beside lambda.ts and in the same asset: `handler` serves
// the WebSocket API's routes ($connect, $default, $disconnect), `deliver` consumes the table's
// stream and `resync` the on-failure queue of the batches delivery gave up on. All are built from
// the same configuration and schema as the HTTP entry.
import type { DynamoDBStreamEvent, SQSEvent } from 'aws-lambda';
import { loadConfig, type Config } from './config.js';
import type { DynamoClients } from './data/dynamo/client.js';
import { CostMeter, type CallListener } from './data/dynamo/cost.js';
import { Db } from './data/dynamo/db.js';
import { createGraphQL, graphqlOptions } from './graphql/apollo.js';
import type { Logger } from './log.js';
import { createConnections, type Connections } from './serverless/api.js';
import { createDeliveryHandler, type DeliveryHandler } from './serverless/delivery.js';
import type { Executor } from './serverless/execute.js';
import { createOnFailureHandler, type OnFailureHandler } from './serverless/on-failure.js';
import { createWsHandler, type WsDeps, type WsEvent, type WsHandler } from './serverless/handlers.js';
import { backgroundDb } from './live/db.js';
import { recordBackgroundCall } from './observe/background.js';
import { createServices } from './services.js';

/**
 * Posts in flight at once for one event. Each is a PostToConnection (tens of ms; a claim write
 * before it only while the subscriber's catch-up may race it), so 64 make at most a few thousand calls a second per shard: under the account's default
 * 10,000 requests/s shared by all its APIs and their @connections callbacks ("Amazon API Gateway
 * quotas", https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html), which a throttled
 * post would cost a client its connection. On AWS each post waits on the network, so more in
 * flight shortens a big game's fan-out; on the emulator (CPU-bound) 32 and 64 measure the same.
 */
export const DELIVERY_CONCURRENCY = 64;

export interface ServerlessOptions {
  logger?: Logger;
  clients?: DynamoClients;
  /** The management API's client (a test points it at its emulator). */
  connections?: Connections;
  callbackUrl?: WsDeps['callbackUrl'];
  now?: () => Date;
  /** Every table call of the routes and the delivery function (the benchmark counts them per event). */
  onCall?: CallListener;
}

export interface ServerlessHandlers {
  ws: WsHandler;
  deliver: DeliveryHandler;
  resync: OnFailureHandler;
}

export function createServerlessHandlers(config: Config, opts: ServerlessOptions = {}): ServerlessHandlers {
  if (config.database.target.kind === 'embedded') {
    throw new Error('The Lambda entries never start DynamoDB Local: set AWS_REGION (Lambda does) or DYNAMODB_ENDPOINT.');
  }
  const services = createServices(config, { logger: opts.logger, clients: opts.clients });
  const { logger, clients } = services;
  const graphql = graphqlOptions(services);
  const service = createGraphQL({ ...graphql, now: opts.now });
  const executor: Executor = {
    schema: service.schema,
    contextDeps: { ...graphql, now: opts.now },
    formatError: (e) => service.formatError(e.toJSON(), e),
    trusted: service.trusted,
  };
  // The routes' calls are requests; the delivery function's are the stream consumer's own work.
  const db = new Db(clients.doc, graphql.tableName, new CostMeter(), opts.onCall);
  const deliveryDb = new Db(clients.doc, graphql.tableName, new CostMeter(), opts.onCall ?? recordBackgroundCall, 'stream-reader');
  const connections = opts.connections ?? createConnections();
  return {
    ws: createWsHandler({
      ...executor,
      db,
      authenticate: graphql.authenticate,
      connections,
      logger,
      maxSubscriptionsPerConnection: config.live.maxSubscriptionsPerConnection,
      now: opts.now,
      callbackUrl: opts.callbackUrl,
    }),
    deliver: createDeliveryHandler({ ...executor, db: deliveryDb, connections, logger, concurrency: DELIVERY_CONCURRENCY, now: opts.now }),
    resync: createOnFailureHandler({
      ...executor,
      db: backgroundDb(clients.doc, graphql.tableName, 'resync'),
      streams: clients.streams,
      onCall: recordBackgroundCall,
      connections,
      logger,
      concurrency: DELIVERY_CONCURRENCY,
      now: opts.now,
    }),
  };
}

let cached: ServerlessHandlers | undefined;
const handlers = () => (cached ??= createServerlessHandlers(loadConfig()));

/** The WebSocket API's routes (`src/lambda-ws.handler`). */
export const handler = (event: WsEvent) => handlers().ws(event);

/** The stream's consumer (`src/lambda-ws.deliver`), with ReportBatchItemFailures on. */
export const deliver = (event: DynamoDBStreamEvent) => handlers().deliver(event);

/** The on-failure queue's consumer (`src/lambda-ws.resync`), with ReportBatchItemFailures on. */
export const resync = (event: SQSEvent) => handlers().resync(event);
