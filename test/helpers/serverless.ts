// The serverless flavour of live updates for tests: a fresh table in the shared DynamoDB Local, the
// WebSocket route handler behind the API Gateway emulator, and the delivery function fed by the
// event source emulator from the table's real stream, with the stack's own filter criteria, and
// a batch it gives up on sent to the on-failure handler through the emulated SQS destination.
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { signToken } from '../../src/auth.js';
import { isLoopback, loadConfig, type Config } from '../../src/config.js';
import { createClients, type DynamoClients } from '../../src/data/dynamo/client.js';
import { Db } from '../../src/data/dynamo/db.js';
import { createServerlessHandlers, type ServerlessHandlers } from '../../src/lambda-ws.js';
import { createLogger, type Logger } from '../../src/log.js';
import { ensureTable } from '../../src/ops/admin.js';
import { createConnections } from '../../src/serverless/api.js';
import { DELIVERY_FILTER_PATTERN } from '../../src/serverless/filter.js';
import { startApiGatewayEmulator, type ApiGatewayEmulator, type EmulatorOptions } from './apigw-ws-emulator.js';
import { createFailureDestination, type FailureDestination } from './on-failure-destination.js';
import { startStreamSource, type StreamSource, type StreamSourceOptions } from './stream-source-emulator.js';

export interface ServerlessFlavour {
  wsUrl: string;
  tableName: string;
  clients: DynamoClients;
  db: Db;
  config: Config;
  gateway: ApiGatewayEmulator;
  stream: StreamSource;
  /** The delivery function itself, for a test that hands it a batch again as Lambda's retry would. */
  deliver: ServerlessHandlers['deliver'];
  /** The on-failure queue: the records of the batches given up, and their consumer's progress. */
  failures: FailureDestination;
  token(username: string): Promise<string>;
  close(): Promise<void>;
}

export async function startServerless(
  opts: {
    gateway?: EmulatorOptions;
    env?: Record<string, string>;
    logger?: Logger;
    now?: () => Date;
    /** The event source mapping's retry settings (scaled down). */
    stream?: Pick<StreamSourceOptions, 'maxRetries' | 'maxRecordAgeMs' | 'retryDelayMs'>;
    /** What the event source invokes instead of the delivery function itself (a test's fault around it). */
    wrapDeliver?: (deliver: ServerlessHandlers['deliver']) => ServerlessHandlers['deliver'];
  } = {},
): Promise<ServerlessFlavour> {
  const endpoint = inject('dynamoEndpoint');
  if (!isLoopback(endpoint)) throw new Error(`Refusing to run against ${endpoint}: loopback only.`);
  const tableName = `sls-${randomUUID().slice(0, 8)}`;
  const clients = createClients({ endpoint, region: 'local', timeoutMs: 5_000, maxAttempts: 3 });
  await ensureTable(clients.raw, tableName);
  const config = loadConfig({ ...opts.env, DYNAMODB_ENDPOINT: endpoint, TABLE_NAME: tableName });
  let callbackUrl = '';
  const handlers = createServerlessHandlers(config, {
    clients,
    logger: opts.logger ?? createLogger({ silent: true }),
    // The real management API client, pointed at the emulator and signing as any SDK client does.
    connections: createConnections({ clientConfig: { region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } }),
    callbackUrl: () => callbackUrl,
    now: opts.now,
  });
  const gateway = await startApiGatewayEmulator(handlers.ws, opts.gateway);
  callbackUrl = gateway.callbackUrl;
  const failures = createFailureDestination(handlers.resync);
  const stream = await startStreamSource(opts.wrapDeliver?.(handlers.deliver) ?? handlers.deliver, {
    endpoint,
    client: clients.raw,
    tableName,
    filter: DELIVERY_FILTER_PATTERN,
    onFailure: failures,
    ...opts.stream,
  });
  return {
    wsUrl: gateway.wsUrl,
    tableName,
    clients,
    db: new Db(clients.doc, tableName),
    config,
    gateway,
    stream,
    deliver: handlers.deliver,
    failures,
    token: (username) => signToken(config.auth, username),
    async close() {
      await gateway.close();
      await stream.stop();
      await failures.settled();
      await clients.raw.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
      clients.raw.destroy();
    },
  };
}
