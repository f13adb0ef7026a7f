// Subscriptions over WebSocket (graphql-transport-ws, graphql-ws 6 on ws 8) on the HTTP server's
// own port and path. Identity comes in connection_init, as a Bearer token like HTTP's; a document
// is refused exactly as HTTP refuses it (prepareOperation, src/graphql/operation.ts), a client's
// protocol mistake closes the socket as the protocol says (ws-protocol.ts), and each connection,
// viewer and address is bounded.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { execute, GraphQLError, subscribe, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { CloseCode, makeServer } from 'graphql-ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { LiveConfig } from '../config.js';
import { AppError } from '../errors.js';
import { QueryOverWebSocketError } from '../request-errors.js';
import { markArrival, type Context, type LiveSession } from '../graphql/context.js';
import { isLiveOperation, prepareOperation } from '../graphql/operation.js';
import type { TrustedDocuments } from '../graphql/trusted.js';
import type { Hub } from '../live/hub.js';
import { liveRun } from '../live/query/operation.js';
import type { LiveQueries } from '../live/query/registry.js';
import type { Logger } from '../log.js';
import { live as metrics } from '../observe/metrics.js';
import { serverOnlyType } from './ws-protocol.js';

/** Close codes beyond graphql-ws's own (4400 bad request, 4401 no connection_init, 4403 forbidden, 4408 init timeout, 4409, 4429). */
export const CLOSE = {
  /** The token expired (or was refused): reconnect with a fresh one. */
  forbidden: CloseCode.Forbidden,
  /** This viewer or address holds too many connections. */
  tooManyConnections: 4029,
  /** The server is shutting down: reconnect (to another instance). */
  goingAway: 1001,
} as const;

export interface WsOptions {
  schema: GraphQLSchema;
  hub: Hub;
  /** Serves `query … @live` operations (src/live/query); absent: a @live query is refused as any query. */
  liveQueries?: LiveQueries;
  live: LiveConfig;
  logger: Logger;
  /** Builds a subscription's context from the connection's Authorization value (throws UNAUTHENTICATED). */
  context(authorization: string | undefined, live?: LiveSession): Promise<Context>;
  /** Shapes errors exactly as HTTP answers do (no internals). */
  formatError(error: GraphQLError): ReturnType<GraphQLError['toJSON']>;
  /** Resolves `extensions.documentId` to its document, and refuses what TRUSTED_DOCUMENTS refuses. */
  trusted?: TrustedDocuments;
}

export interface WsEndpoint {
  /** The HTTP server's 'upgrade' handler for /graphql. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  connections(): number;
  /** Closes every socket with 1001 so clients reconnect elsewhere. */
  close(): Promise<void>;
}

interface Connection {
  address: string;
  viewer: string | null;
  expiry?: NodeJS.Timeout;
}

export function createWsEndpoint(opts: WsOptions): WsEndpoint {
  const { live, logger } = opts;
  const wss = new WebSocketServer({ noServer: true, maxPayload: live.maxPayloadBytes });
  const perAddress = new Map<string, number>();
  const perViewer = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string, d: number) => {
    const n = (m.get(k) ?? 0) + d;
    if (n <= 0) m.delete(k);
    else m.set(k, n);
  };
  const prepared = new WeakMap<ExecutionArgs, AsyncIterableIterator<ExecutionResult>>();

  const server = makeServer<Record<string, unknown> | undefined, { socket: WebSocket; conn: Connection }>({
    schema: opts.schema,
    connectionInitWaitTimeout: live.initTimeoutMs,
    onConnect: async (ctx) => {
      const { conn, socket } = ctx.extra;
      const authorization = authorizationOf(ctx.connectionParams);
      let viewer;
      try {
        viewer = (await opts.context(authorization)).viewer;
      } catch {
        return false; // 4403: a refused token is refused for the whole connection
      }
      if (viewer) {
        if ((perViewer.get(viewer.username) ?? 0) >= live.maxConnectionsPerViewer) {
          socket.close(CLOSE.tooManyConnections, 'Too many connections for this user');
          return false;
        }
        conn.viewer = viewer.username;
        bump(perViewer, viewer.username, 1);
        if (viewer.expiresAt !== undefined) {
          // setTimeout holds at most ~24.8 days; a longer-lived token is checked again then.
          const closeAt = () => {
            const left = viewer.expiresAt! - Date.now();
            if (left <= 0) socket.close(CLOSE.forbidden, 'Token expired');
            else conn.expiry = setTimeout(closeAt, Math.min(left, 2 ** 31 - 1));
          };
          closeAt();
        }
      }
      return true;
    },
    onSubscribe: async (ctx, id, payload) => {
      // "From now" is when the message arrived, before any await: a write committed after it is
      // delivered, and a setup read shared with other subscribes was sent after it (data/dynamo/shared-reads.ts).
      const session: LiveSession = { hub: opts.hub, start: opts.hub.head(), arrival: markArrival() };
      const refuse = (errors: readonly GraphQLError[]) => {
        // A refused document is the client's mistake: one info line, as HTTP's request line.
        const codes = [...new Set(errors.map((e) => String(e.extensions.code ?? 'INTERNAL_SERVER_ERROR')))];
        logger.info('subscription refused', { id, operation: payload.operationName ?? null, codes });
        return [...errors];
      };
      if (Object.keys(ctx.subscriptions).length > live.maxSubscriptionsPerConnection) {
        return refuse([limitError(`A connection may hold ${live.maxSubscriptionsPerConnection} subscriptions.`, 'maxSubscriptions')]);
      }
      // An id travels as { query: "", extensions: { documentId } } (graphql-ws requires a string query):
      // it becomes its document here, so the empty query is never refused as an empty document.
      const resolved = opts.trusted?.resolve(payload) ?? { query: payload.query };
      if ('refused' in resolved) return refuse([resolved.refused]);
      const outcome = prepareOperation(opts.schema, { ...payload, query: resolved.query }, 'websocket');
      if ('refused' in outcome) return refuse(outcome.refused);
      if (isLiveOperation(outcome.prepared.operation)) {
        if (!opts.liveQueries) return refuse([new QueryOverWebSocketError()]);
        // Opened before any await, so every record from the message's arrival on reaches it.
        const { document, operationName, variables } = outcome.prepared;
        const args: ExecutionArgs = { schema: opts.schema, document, operationName, variableValues: variables };
        const authorization = authorizationOf(ctx.connectionParams);
        prepared.set(args, opts.liveQueries.open(liveRun({ ...args, context: () => opts.context(authorization) })));
        return args;
      }
      let contextValue: Context;
      try {
        contextValue = await opts.context(authorizationOf(ctx.connectionParams), session);
      } catch (err) {
        if (err instanceof GraphQLError) return refuse([err]);
        throw err;
      }
      const { document, operationName, variables } = outcome.prepared;
      const args: ExecutionArgs = {
        schema: opts.schema,
        document,
        operationName,
        variableValues: variables,
        contextValue,
        rootValue: undefined,
      };
      // Subscribe here rather than in graphql-ws, so a refusal (unknown game, bad cursor, not
      // signed in) is the protocol's error message with its code, not a `next` then `complete`.
      const result = await subscribe(args);
      if (!(Symbol.asyncIterator in result)) return refuse(result.errors ?? [new GraphQLError('Subscription failed.')]);
      prepared.set(args, result);
      return args;
    },
    subscribe: (args) => prepared.get(args) ?? subscribe(args),
    // Only a @live query gets here as a query (prepareOperation refuses the rest): its results.
    execute: (args) => prepared.get(args) ?? execute(args),
    onError: (_ctx, _id, _payload, errors) => errors.map((e) => opts.formatError(e)),
    onNext: (_ctx, _id, _payload, _args, result) =>
      result.errors ? { ...result, errors: result.errors.map((e) => opts.formatError(e as GraphQLError)) } : undefined,
  });

  wss.on('connection', (socket: WebSocket, req: IncomingMessage) => {
    const conn: Connection = { address: addressOf(req), viewer: null };
    bump(perAddress, conn.address, 1);
    metrics.connectionOpened();
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (err) => (err ? reject(err) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (cb) =>
          socket.on('message', (data) => {
            const text = String(data);
            cb(text).catch((err: unknown) => messageFailed(socket, text, err, logger));
          }),
      },
      { socket, conn },
    );
    socket.once('close', (code, reason) => {
      clearTimeout(conn.expiry);
      metrics.connectionClosed();
      bump(perAddress, conn.address, -1);
      if (conn.viewer) bump(perViewer, conn.viewer, -1);
      void closed(code, String(reason));
    });
    socket.on('error', () => socket.terminate());
  });

  return {
    upgrade(req, socket, head) {
      const address = addressOf(req);
      if ((perAddress.get(address) ?? 0) >= live.maxConnectionsPerAddress) {
        socket.end('HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    connections: () => wss.clients.size,
    async close() {
      for (const client of wss.clients) client.close(CLOSE.goingAway, 'Server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function authorizationOf(params: Record<string, unknown> | undefined): string | undefined {
  const v = params?.authorization ?? params?.Authorization;
  return typeof v === 'string' ? v : undefined;
}

function addressOf(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

/**
 * A message graphql-ws could not handle. A message only a server sends breaks the protocol (4400,
 * logged as the client's mistake); a client gone mid-answer is no failure; anything else is ours
 * (4500 and an error line).
 */
function messageFailed(socket: WebSocket, text: string, err: unknown, logger: Logger): void {
  const type = serverOnlyType(text);
  if (type !== undefined) {
    logger.info('websocket protocol violation', { type });
    socket.close(CloseCode.BadRequest, `A client may not send ${type} messages`);
  } else if (socket.readyState !== socket.OPEN) {
    logger.info('websocket client left before its answer was sent');
  } else {
    logger.error('subscription message failed', { error: String((err as Error)?.stack ?? err) });
    socket.close(CloseCode.InternalServerError, 'Internal server error');
  }
}

function limitError(message: string, limit: string): AppError {
  return new AppError('BAD_USER_INPUT', message, { limit });
}

export type { Server };
