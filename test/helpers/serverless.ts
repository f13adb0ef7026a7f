// The serverless flavour of live updates for tests: a fresh table in the shared DynamoDB Local, the
// WebSocket route handler behind the API Gateway emulator, and the delivery function fed by the
// event source emulator from the table's real stream, with the stack's own filter criteria, and
// a batch it gives up on sent to the on-failure handler through the emulated SQS destination.
// Below it, what the serverless tests do with it: connect, listen, seed, and wait for the table.
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createClient, type Client } from 'graphql-ws';
import { inject } from 'vitest';
import WebSocket from 'ws';
import { signToken } from '../../src/auth.js';
import { isLoopback, loadConfig, type Config } from '../../src/config.js';
import { topicSubscribers } from '../../src/data/connections/connections.js';
import { createClients, type DynamoClients } from '../../src/data/dynamo/client.js';
import type { CallListener } from '../../src/data/dynamo/cost.js';
import { Db } from '../../src/data/dynamo/db.js';
import { keys } from '../../src/data/keys.js';
import { createServerlessHandlers, type ServerlessHandlers } from '../../src/lambda-ws.js';
import { createLogger, type Logger } from '../../src/log.js';
import { ensureTable } from '../../src/ops/admin.js';
import { loadItems } from '../../src/ops/load.js';
import { createConnections } from '../../src/serverless/api.js';
import { DELIVERY_FILTER_PATTERN } from '../../src/serverless/filter.js';
import { eventually } from './cluster.js';
import { labJoinCommand } from './labs.js';
import { freshUsername } from './server.js';
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
    /** Every DynamoDB call of the handlers, as the metered door reports it. */
    onCall?: CallListener;
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
    onCall: opts.onCall,
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

/** A graphql-ws client of the server at `wsUrl` (either flavour), once acknowledged; with a token, as its user. */
export async function acknowledgedClient(wsUrl: string, token?: string): Promise<Client> {
  let acked!: () => void;
  const ready = new Promise<void>((r) => (acked = r));
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    on: { connected: () => acked() },
    // Tests cut sockets on purpose (a vanished client, an idle close): graphql-ws would print the close to stderr.
    onNonLazyError: () => undefined,
  });
  await ready;
  return client;
}

/** A graphql-ws client through the API Gateway emulator, acknowledged, and the id API Gateway gave its connection. */
export async function connect(s: ServerlessFlavour, token?: string): Promise<{ client: Client; connectionId: string }> {
  const before = new Set(s.gateway.connectionIds());
  const client = await acknowledgedClient(s.wsUrl, token);
  return { client, connectionId: s.gateway.connectionIds().find((id) => !before.has(id))! };
}

/** A subscription's messages as they arrive (its completion is not one), and the function that completes it. */
export function listen<T = any>(client: Client, query: string, variables?: Record<string, unknown>) {
  const heard: { next?: T; error?: unknown }[] = [];
  const dispose = client.subscribe(
    { query, variables },
    { next: (r) => heard.push({ next: r as T }), error: (e) => heard.push({ error: e }), complete: () => undefined },
  );
  return { heard, dispose };
}

/** The subscriber items of a topic: one per subscription to it, on any connection. */
export async function subscribers(s: ServerlessFlavour, topic: string) {
  const out = [];
  for await (const page of topicSubscribers(s.db, topic)) out.push(...page);
  return out;
}

/** Resolves once `n` subscriptions to `topics` are held in all (their subscribe messages handled). */
export async function subscribed(s: ServerlessFlavour, topics: string[], n: number): Promise<void> {
  await eventually(
    async () => {
      let held = 0;
      for (const t of topics) held += (await subscribers(s, t)).length;
      return held === n;
    },
    `${n} subscription(s) of ${topics.join(', ')}`,
  );
}

/** Resolves once the delivery function has handled every write made before the call. */
export async function caughtUp(s: ServerlessFlavour): Promise<void> {
  // A game-shaped marker passes the filter criteria, so its batch went through the delivery function.
  const marker = { PK: `GAME#marker-${randomUUID()}`, SK: 'MARKER' };
  await s.clients.doc.send(new PutCommand({ TableName: s.tableName, Item: marker }));
  await s.stream.passed(marker.PK, marker.SK);
}

/** A game and its creator's user item, as the lab's data has them (no player item); its id. */
export async function seedGame(s: ServerlessFlavour): Promise<string> {
  const gameId = randomUUID();
  const creator = freshUsername('c');
  await loadItems(s.clients.doc, s.tableName, [
    { ...keys.user(creator), username: creator, name: 'Creator', email: `${creator}@example.com` },
    { ...keys.game(gameId), game_id: gameId, map: 'Juicy Jungle', create_time: '2024-05-01T10:00:00', people: 1, creator },
  ]);
  return gameId;
}

/** A new user who joins by the lab's own join transaction (a write from outside the API); their username. */
export async function joinAsNewUser(s: ServerlessFlavour, gameId: string): Promise<string> {
  const username = freshUsername('j');
  await loadItems(s.clients.doc, s.tableName, [{ ...keys.user(username), username, name: username, email: `${username}@example.com` }]);
  await s.clients.doc.send(labJoinCommand(s.tableName, gameId, username));
  return username;
}
