// A real server for integration tests: a fresh table in the shared DynamoDB Local, the app on a
// free port, and a recording proxy between them. execute() runs one operation and returns what
// it cost as DynamoDB saw it.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { signToken, type Role } from '../../src/auth.js';
import { isLoopback, loadConfig, type AuthConfig, type LiveConfig } from '../../src/config.js';
import { startLive, type Live } from '../../src/live/index.js';
import { createClients, type DynamoClients } from '../../src/data/dynamo/client.js';
import { ensureTable } from '../../src/ops/admin.js';
import { loadItems, readJsonl } from '../../src/ops/load.js';
import type { GraphiQLOptions } from '../../src/http/graphiql.js';
import { createLogger, type Logger } from '../../src/log.js';
import { appOptions, createApp, type App } from '../../src/http/server.js';
import type { Tracing } from '../../src/observe/trace-types.js';
import { createServices } from '../../src/services.js';
import { startRecorder, type RecordedCall, type Recorder } from './recorder.js';

export const LAB_FILES = {
  game: fileURLToPath(new URL('../../demo/battle-royale.items.jsonl', import.meta.url)),
  photos: fileURLToPath(new URL('../../demo/quick-photos.items.jsonl', import.meta.url)),
};

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
  extensions?: Record<string, any>;
  /** The DynamoDB commands the proxy saw during this operation. */
  calls: RecordedCall[];
}

export interface ExecuteOptions {
  variables?: Record<string, unknown>;
  /** Sign the request as this user. */
  as?: string;
  role?: Role;
  headers?: Record<string, string>;
}

export interface TestServer {
  url: string;
  tableName: string;
  /** Direct clients to the table (through no proxy), for seeding and checking state. */
  clients: DynamoClients;
  recorder: Recorder;
  auth: AuthConfig;
  /** The stream reader, bus and hub when started with `live`. */
  live: Live | null;
  /** ws://…/graphql */
  wsUrl: string;
  /** The Node HTTP server, for its settings (deadlines). */
  http: Server;
  execute<T = Record<string, any>>(query: string, opts?: ExecuteOptions): Promise<GraphQLResponse<T>>;
  token(username: string, role?: Role): Promise<string>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** Load the labs' data first. */
  seed?: ('game' | 'photos')[];
  reportCost?: boolean;
  now?: () => Date;
  /** Client settings for the server's DynamoDB client. */
  timeoutMs?: number;
  maxAttempts?: number;
  /** What the GraphiQL page at /graphql starts with (the browser test's demo token). */
  graphiql?: GraphiQLOptions;
  /** Serve subscriptions from the table's stream, with these settings over the defaults. */
  live?: Partial<LiveConfig>;
  /** Serve Prometheus metrics at /metrics (off by default: the registry is per process). */
  metrics?: boolean;
  /** Where the server logs (silent by default). */
  logger?: Logger;
  /** OpenTelemetry tracing for this server's requests. */
  tracing?: Tracing;
  /** Slow-client deadlines of the HTTP server (its defaults otherwise). */
  timeouts?: { requestMs: number; headersMs: number };
  /** More environment for the server's configuration, read as src/main.ts reads it. */
  env?: Record<string, string>;
  /** Serve this existing table as it is (no ensureTable, kept on close) instead of a fresh one. */
  tableName?: string;
  /** A loopback DynamoDB of the test's own instead of the shared one (with `tableName`). */
  endpoint?: string;
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const endpoint = opts.endpoint ?? inject('dynamoEndpoint');
  // The real-database tier guards itself: it only ever talks to a loopback DynamoDB.
  if (!isLoopback(endpoint)) throw new Error(`Refusing to run integration tests against ${endpoint}: loopback only.`);
  const tableName = opts.tableName ?? `test-${randomUUID().slice(0, 8)}`;
  const clients = createClients({ endpoint, region: 'local', timeoutMs: 5_000, maxAttempts: 3 });
  if (!opts.tableName) await ensureTable(clients.raw, tableName);
  for (const s of opts.seed ?? []) await loadItems(clients.doc, tableName, readJsonl(LAB_FILES[s]));

  const recorder = await startRecorder(endpoint);
  const config = loadConfig({ ...opts.env, DYNAMODB_ENDPOINT: recorder.endpoint, TABLE_NAME: tableName });
  const serverClients = createClients({
    endpoint: recorder.endpoint,
    region: 'local',
    timeoutMs: opts.timeoutMs ?? 5_000,
    maxAttempts: opts.maxAttempts ?? 3,
  });
  // The stream reader talks to DynamoDB Local directly: its polls are not the operations' calls.
  const liveConfig = opts.live ? { ...config.live, ...opts.live } : null;
  const live = liveConfig ? await startLive({ clients, tableName, config: liveConfig, logger: createLogger({ silent: true }) }) : null;
  const services = createServices(config, { clients: serverClients, logger: opts.logger ?? createLogger({ silent: true }) });
  const app: App = createApp({
    ...appOptions(services),
    reportCost: opts.reportCost ?? true,
    checkReady: async () => true,
    now: opts.now,
    graphiql: opts.graphiql,
    live: live && liveConfig ? { hub: live.hub, config: liveConfig, queries: live.queries } : undefined,
    metricsRoute: opts.metrics ?? false,
    tracing: opts.tracing,
    timeouts: opts.timeouts,
  });
  const { url, server: http } = await app.listen(0, '127.0.0.1');

  const token = (username: string, role?: Role) => signToken(config.auth, username, role ? { role } : {});
  return {
    url,
    tableName,
    clients,
    recorder,
    auth: config.auth,
    live,
    wsUrl: `${url.replace(/^http/, 'ws')}/graphql`,
    http,
    token,
    async execute(query, o = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...o.headers };
      if (o.as) headers.authorization = `Bearer ${await token(o.as, o.role)}`;
      recorder.reset();
      const res = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables: o.variables }) });
      const body = (await res.json()) as Omit<GraphQLResponse, 'status' | 'calls'>;
      return { status: res.status, ...body, calls: [...recorder.calls] } as GraphQLResponse<never>;
    },
    async close() {
      await app.stop();
      await live?.stop();
      serverClients.raw.destroy();
      await recorder.close();
      // DynamoDB Local slows down as tables pile up (adding an index stalls past ten or so).
      if (!opts.tableName) await clients.raw.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
      clients.raw.destroy();
    },
  };
}

/** Fails with the whole response printed, so a failing test explains itself. */
export function expectNoErrors(res: GraphQLResponse, query?: string): void {
  if (res.errors?.length || res.status !== 200) {
    throw new Error(
      `Expected no errors${query ? ` for\n${query}\n` : ''}, got HTTP ${res.status}:\n${JSON.stringify({ errors: res.errors, data: res.data }, null, 2)}`,
    );
  }
}

/** The error codes of a response, in order. */
export function errorCodes(res: GraphQLResponse): string[] {
  return (res.errors ?? []).map((e) => String(e.extensions?.code));
}

/** Counts recorded calls by command name. */
export function countCalls(calls: RecordedCall[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of calls) out[c.command] = (out[c.command] ?? 0) + 1;
  return out;
}

/** A fresh valid username for a test (3-32 of [a-z0-9_]). */
export function freshUsername(prefix = 'u'): string {
  return `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
}
