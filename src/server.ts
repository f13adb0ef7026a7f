// Builds the ApolloServer and the HTTP handler without listening, so tests, the Lambda entry and
// main.ts share one definition of the server.
import { readFileSync, readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { GraphQLFormattedError } from 'graphql';
import { createAuthenticator, type Authenticate } from './auth.js';
import type { Config } from './config.js';
import { createContext, type Context } from './context.js';
import { cursorKeys, type CursorKeys } from './data/cursor.js';
import { AppError } from './errors.js';
import { LIMITS, queryLimitsPlugin } from './limits.js';
import { errorAnswer, parseGraphQLRequest, routeAnswer, type Answer } from './preflight.js';
import { resolvers } from './resolvers/index.js';
import { serveGraphiQL, type GraphiQLOptions } from './graphiql.js';
import { createLogger, type Logger } from './log.js';

export const SCHEMA_DIR = fileURLToPath(new URL('../schema/', import.meta.url));

/** Every schema/*.graphql file, joined: one SDL per domain. */
export function loadTypeDefs(): string {
  return readdirSync(SCHEMA_DIR)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => readFileSync(join(SCHEMA_DIR, f), 'utf8'))
    .join('\n');
}

export interface AppOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  cursorKeys: CursorKeys;
  authenticate: Authenticate;
  reportCost: boolean;
  maxBodyBytes: number;
  /** Reports whether the table answers; /readyz uses it. */
  checkReady: () => Promise<boolean>;
  graphiql?: GraphiQLOptions;
  logger?: Logger;
  now?: () => Date;
}

/** Codes the server itself produces; anything else reaching formatError is an internal failure. */
const PUBLIC_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

export function formatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = (error as { originalError?: unknown })?.originalError ?? error;
    if (original instanceof AppError || (error instanceof AppError)) {
      const { http: _http, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
      return { ...formatted, extensions };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && PUBLIC_CODES.has(code)) {
      // graphql-js variable coercion errors are the client's: give them the stable input code.
      const publicCode = code === 'GRAPHQL_VALIDATION_FAILED' || code === 'BAD_REQUEST' ? code : code;
      return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code: publicCode } };
    }
    logger.error('unexpected error', { error: String((original as Error)?.stack ?? original) });
    return { message: 'Internal server error.', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

function costPlugin(report: boolean, logger: Logger): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ request }) {
      const started = performance.now();
      return {
        async willSendResponse({ response, contextValue, errors }) {
          const cost = contextValue.meter?.report();
          if (report && cost && response.body.kind === 'single') {
            response.body.singleResult.extensions = { ...response.body.singleResult.extensions, dynamodb: cost };
          }
          const codes = (errors ?? []).map((e) => e.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
          logger.info('request', {
            operation: request.operationName ?? null,
            ms: Math.round((performance.now() - started) * 10) / 10,
            outcome: codes.length ? 'error' : 'ok',
            ...(codes.length ? { codes: [...new Set(codes)] } : {}),
            ...(cost ? { calls: cost.totalCalls, waves: cost.waves } : {}),
          });
        },
      };
    },
  };
}

/** The options every entry derives the same way from its configuration. */
export function appOptionsFromConfig(config: Config): Pick<AppOptions, 'tableName' | 'cursorKeys' | 'authenticate' | 'reportCost' | 'maxBodyBytes'> {
  return {
    tableName: config.tableName,
    cursorKeys: cursorKeys(config.cursorSecret),
    authenticate: createAuthenticator(config.auth),
    reportCost: config.reportCost,
    maxBodyBytes: config.maxBodyBytes,
  };
}

export interface App {
  apollo: ApolloServer<Context>;
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Starts Apollo and an HTTP server on host:port; resolves with the bound port. */
  listen(port: number, host: string): Promise<{ server: Server; port: number; url: string }>;
  /** Stops taking requests, finishes the ones in flight, then stops Apollo. */
  stop(): Promise<void>;
}

export function createApp(opts: AppOptions): App {
  const logger = opts.logger ?? createLogger();
  const apollo = new ApolloServer<Context>({
    typeDefs: loadTypeDefs(),
    resolvers: resolvers as never,
    csrfPrevention: true,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    parseOptions: { maxTokens: LIMITS.maxTokens },
    // main.ts owns shutdown: it stops taking requests, finishes those in flight, then stops Apollo.
    stopOnTerminationSignals: false,
    formatError: formatError(logger),
    // Cache hints mean nothing for per-viewer data, and computing them costs CPU on every field.
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled(), queryLimitsPlugin(), costPlugin(opts.reportCost, logger)],
  });
  let httpServer: Server | undefined;
  const contextDeps = { client: opts.client, tableName: opts.tableName, cursorKeys: opts.cursorKeys, authenticate: opts.authenticate, now: opts.now };

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    route(req, res).catch((err) => {
      logger.error('handler failed', { error: String((err as Error)?.stack ?? err) });
      if (!res.headersSent) send(res, errorAnswer(500, 'INTERNAL_SERVER_ERROR', 'Internal server error.'));
      else res.end();
    });
  };

  async function route(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    if (url.pathname === '/' && method === 'GET') {
      res.writeHead(302, { location: '/graphql' }).end();
      return;
    }
    if (url.pathname.startsWith('/graphiql/') && method === 'GET') return serveGraphiQL(req, res, url, opts.graphiql);
    if (url.pathname === '/graphql' && method === 'GET' && (req.headers.accept ?? '').includes('text/html') && !url.searchParams.has('query')) {
      return serveGraphiQL(req, res, url, opts.graphiql);
    }
    const answer = await routeAnswer(url.pathname, method, opts.checkReady);
    if (answer) return send(res, answer);
    await graphql(req, res, url);
  }

  async function graphql(req: IncomingMessage, res: ServerResponse, url: URL) {
    const headers = new HeaderMap();
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    const parsed = parseGraphQLRequest({
      method: req.method ?? 'GET',
      contentType: req.headers['content-type'] ?? '',
      raw: req.method === 'POST' ? await readBody(req, opts.maxBodyBytes) : undefined,
      searchQuery: url.searchParams.get('query'),
      maxBodyBytes: opts.maxBodyBytes,
    });
    if ('answer' in parsed) return send(res, parsed.answer);
    const body = parsed.body;
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: () => createContext(contextDeps, req.headers.authorization),
    });
    const out: Record<string, string> = {};
    for (const [k, v] of result.headers) out[k] = v;
    res.writeHead(result.status ?? 200, out);
    if (result.body.kind === 'complete') {
      res.end(result.body.string);
      return;
    }
    for await (const chunk of result.body.asyncIterator) res.write(chunk);
    res.end();
  }

  return {
    apollo,
    handler,
    async listen(port, host) {
      await apollo.start();
      httpServer = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, handler);
      httpServer.keepAliveTimeout = 5_000;
      await new Promise<void>((res, rej) => {
        httpServer!.once('error', rej);
        httpServer!.listen(port, host, () => res());
      });
      const addr = httpServer.address();
      const bound = typeof addr === 'object' && addr ? addr.port : port;
      return { server: httpServer, port: bound, url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}` };
    },
    async stop() {
      if (httpServer) {
        const server = httpServer;
        const closed = new Promise<void>((res) => server.close(() => res()));
        // Keep-alive sockets that finish their last request become idle later: close them as they
        // do, and cut whatever is still open after the grace period.
        const sweep = setInterval(() => server.closeIdleConnections(), 100);
        const cut = setTimeout(() => server.closeAllConnections(), 10_000);
        server.closeIdleConnections();
        await closed;
        clearInterval(sweep);
        clearTimeout(cut);
      }
      await apollo.stop();
    },
  };
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) {
    req.resume();
    return 'too-large';
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      return 'too-large';
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, answer: Answer) {
  res.writeHead(answer.status, answer.headers).end(answer.body);
}
