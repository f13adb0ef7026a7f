// The HTTP surface: routes, body limits, GraphiQL, and Apollo's execution behind them, without
// listening until asked, so tests and main.ts share one definition of the server.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { LiveConfig } from '../config.js';
import { createGraphQL, graphqlOptions, type GraphQLOptions } from '../graphql/apollo.js';
import type { Context } from '../graphql/context.js';
import type { Hub } from '../live/hub.js';
import type { LiveQueries } from '../live/query/registry.js';
import { createLogger } from '../log.js';
import type { Services } from '../services.js';
import { enableMetrics } from '../observe/metrics.js';
import { serveGraphiQL, type GraphiQLOptions } from './graphiql.js';
import { serveMetrics } from './metrics.js';
import { errorAnswer, parseGraphQLRequest, routeAnswer, type Answer } from './preflight.js';
import { createWsEndpoint, type WsEndpoint } from './ws.js';

export interface AppOptions extends GraphQLOptions {
  maxBodyBytes: number;
  /** Reports whether the table answers; /readyz uses it. */
  checkReady: () => Promise<boolean>;
  graphiql?: GraphiQLOptions;
  /** Live updates: subscriptions over WebSocket on /graphql, fed by this hub. Absent: HTTP only. */
  live?: { hub: Hub; config: LiveConfig; queries?: LiveQueries };
  /** Serve Prometheus metrics at GET /metrics (and start recording them). */
  metricsRoute?: boolean;
  /** Slow-client deadlines (tests shorten them): the whole request, and its headers alone. */
  timeouts?: { requestMs: number; headersMs: number };
}

/** A client that stalls its headers is cut after 10 s, one that stalls its request after 30 s. */
export const HTTP_TIMEOUTS = { requestMs: 30_000, headersMs: 10_000 };

/** The options every server derives the same way from the composition root's services; callers add the rest. */
export function appOptions(services: Services): AppOptions {
  const { http, observability } = services.config;
  return {
    ...graphqlOptions(services),
    maxBodyBytes: http.maxBodyBytes,
    checkReady: services.checkReady,
    metricsRoute: observability.metrics.mode === 'route',
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
  const { apollo, context, schema, formatError, trusted } = createGraphQL({ ...opts, logger });
  if (opts.metricsRoute) enableMetrics();
  let httpServer: Server | undefined;
  const ws: WsEndpoint | undefined = opts.live
    ? createWsEndpoint({
        schema,
        hub: opts.live.hub,
        liveQueries: opts.live.queries,
        live: opts.live.config,
        logger,
        context,
        formatError: (e) => formatError(e.toJSON(), e),
        trusted,
      })
    : undefined;

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
    if (url.pathname === '/metrics' && method === 'GET' && opts.metricsRoute) return serveMetrics(res);
    if (url.pathname.startsWith('/graphiql/') && method === 'GET') return serveGraphiQL(req, res, url, opts.graphiql);
    if (
      url.pathname === '/graphql' &&
      method === 'GET' &&
      (req.headers.accept ?? '').includes('text/html') &&
      !url.searchParams.has('query')
    ) {
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
      searchDocumentId: url.searchParams.get('documentId'),
      maxBodyBytes: opts.maxBodyBytes,
      trusted,
    });
    if ('answer' in parsed) return send(res, parsed.answer);
    const body = parsed.body;
    if (parsed.getQuery !== undefined) {
      url.searchParams.delete('documentId');
      url.searchParams.set('query', parsed.getQuery);
    }
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: () => context(req.headers.authorization),
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
      const t = opts.timeouts ?? HTTP_TIMEOUTS;
      // Node checks these deadlines only every connectionsCheckingInterval (30 s by default), so a
      // stalled client would be cut up to 30 s late; checking every second keeps the figures true.
      httpServer = createServer(
        {
          requestTimeout: t.requestMs,
          headersTimeout: t.headersMs,
          connectionsCheckingInterval: Math.min(1_000, Math.ceil(t.headersMs / 4)),
        },
        handler,
      );
      httpServer.keepAliveTimeout = 5_000;
      httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        if (ws && new URL(req.url ?? '/', 'http://localhost').pathname === '/graphql') ws.upgrade(req, socket, head);
        else socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      });
      await new Promise<void>((res, rej) => {
        httpServer!.once('error', rej);
        httpServer!.listen(port, host, () => res());
      });
      const addr = httpServer.address();
      const bound = typeof addr === 'object' && addr ? addr.port : port;
      return { server: httpServer, port: bound, url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}` };
    },
    async stop() {
      await ws?.close();
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
