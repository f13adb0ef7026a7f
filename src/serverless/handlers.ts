// The WebSocket API's routes ($connect, $default, $disconnect), speaking graphql-transport-ws as
// the container server does, with API Gateway holding the socket and the table holding the state.
// API Gateway cannot send a close code, so where graphql-ws would close with one, the client gets
// the protocol's `error` message for the subscription at fault (when there is one), then the
// connection is deleted (close code 1000). README "Live updates on AWS" lists each replacement.
// A `subscribe` carrying a `query … @live` is opened by live-query.ts (first result, watches).
import { GRAPHQL_TRANSPORT_WS_PROTOCOL, MessageType, parseMessage, stringifyMessage, type Message } from 'graphql-ws';
import type { Authenticate, Viewer } from '../auth.js';
import {
  acknowledgeConnection,
  addSubscription,
  connectionExpiry,
  openConnection,
  toConnection,
  type SubscriptionRecord,
} from '../data/connections/connections.js';
import { connectionItems, removeConnection, removeSubscription } from '../data/connections/removal.js';
import { positionOf } from '../data/connections/replay.js';
import type { Db } from '../data/dynamo/db.js';
import { keys } from '../data/keys.js';
import { AppError, unauthenticated } from '../errors.js';
import type { Logger } from '../log.js';
import type { Connections } from './api.js';
import { catchUp } from './catch-up.js';
import { closingError } from './close-codes.js';
import { openLiveQuery } from './live-query.js';
import { contextFor, errorMessage, type Executor } from './execute.js';
import { prepareSubscription } from './subscribe.js';

/** What API Gateway sends a WebSocket route's Lambda integration (the fields we read). */
export interface WsEvent {
  requestContext: {
    routeKey: string;
    eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT';
    connectionId: string;
    domainName: string;
    stage: string;
    connectedAt?: number;
    requestTimeEpoch?: number;
  };
  /** $connect only. */
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
}

export interface WsResult {
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface WsDeps extends Executor {
  db: Db;
  authenticate: Authenticate;
  connections: Connections;
  logger: Logger;
  maxSubscriptionsPerConnection: number;
  now?: () => Date;
  /** Where the management API answers for this API: https://<domain>/<stage> unless a custom domain or a test says otherwise. */
  callbackUrl?: (rc: WsEvent['requestContext']) => string;
}

export type WsHandler = (event: WsEvent) => Promise<WsResult>;

export function createWsHandler(deps: WsDeps): WsHandler {
  const { db, connections, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const urlOf = deps.callbackUrl ?? ((rc) => `https://${rc.domainName}/${rc.stage}`);

  return async (event) => {
    const rc = event.requestContext;
    const url = urlOf(rc);
    const send = (m: Message) => connections.post(url, rc.connectionId, stringifyMessage(m));
    const close = async (why: string) => {
      logger.info('WebSocket closed by the server', { connectionId: rc.connectionId, why });
      await connections.disconnect(url, rc.connectionId);
    };
    /** graphql-ws would close with a code here: `error` for the subscription at fault, then close. */
    const refuse = async (id: string | null, error: AppError, why: string) => {
      if (id) await connections.post(url, rc.connectionId, errorMessage(deps, id, [closingError(error, Number.parseInt(why, 10))]));
      await close(why);
    };

    switch (rc.eventType) {
      case 'CONNECT': {
        const offered = headerValue(event.headers, 'sec-websocket-protocol') ?? '';
        if (!offered.split(',').some((p) => p.trim() === GRAPHQL_TRANSPORT_WS_PROTOCOL)) {
          return { statusCode: 400, body: `Offer the ${GRAPHQL_TRANSPORT_WS_PROTOCOL} subprotocol.` };
        }
        await openConnection(db, {
          connectionId: rc.connectionId,
          callbackUrl: url,
          connectedAt: now().getTime(),
          expiresAt: connectionExpiry(now()),
        });
        return { statusCode: 200, headers: { 'Sec-WebSocket-Protocol': GRAPHQL_TRANSPORT_WS_PROTOCOL } };
      }
      case 'DISCONNECT':
        await removeConnection(db, rc.connectionId);
        return { statusCode: 200 };
      case 'MESSAGE':
        break;
    }

    let message: Message;
    try {
      const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString() : (event.body ?? '');
      message = parseMessage(raw);
    } catch (err) {
      await close(`4400 ${(err as Error).message}`);
      return { statusCode: 200 };
    }
    switch (message.type) {
      case MessageType.ConnectionInit: {
        let viewer: Viewer | null;
        try {
          viewer = await deps.authenticate(authorizationOf(message.payload));
        } catch {
          await close('4403 Forbidden: the token was refused');
          return { statusCode: 200 };
        }
        if (!(await acknowledgeConnection(db, rc.connectionId, viewer))) await close('4429 Too many initialisation requests');
        else await send({ type: MessageType.ConnectionAck });
        break;
      }
      case MessageType.Ping:
        await send(message.payload ? { type: MessageType.Pong, payload: message.payload } : { type: MessageType.Pong });
        break;
      case MessageType.Pong:
        break;
      case MessageType.Subscribe: {
        const { id } = message;
        // When API Gateway took the message, not when this (perhaps cold) function got it.
        const arrivedAt = rc.requestTimeEpoch ?? now().getTime();
        const items = await connectionItems(db, rc.connectionId);
        const connItem = items.find((it) => it.SK === keys.ws.connection(rc.connectionId).SK);
        const conn = connItem ? toConnection(connItem) : null;
        if (!conn?.acknowledged) {
          await refuse(id, unauthenticated('Unauthorized: send connection_init first.'), '4401 Unauthorized');
          break;
        }
        if (conn.viewer?.expiresAt !== undefined && conn.viewer.expiresAt <= now().getTime()) {
          await refuse(id, unauthenticated('The token has expired. Get a new one.'), '4403 Token expired');
          break;
        }
        if (items.some((it) => it.SK === keys.ws.subscription(rc.connectionId, id).SK)) {
          await refuse(id, new AppError('BAD_REQUEST', `Subscriber for ${id} already exists`), '4409 Subscriber already exists');
          break;
        }
        if (items.length - 1 >= deps.maxSubscriptionsPerConnection) {
          const limit = deps.maxSubscriptionsPerConnection;
          await connections.post(url, rc.connectionId, errorMessage(deps, id, [tooManySubscriptions(limit)]));
          break;
        }
        const ctx = await contextFor(deps, conn.viewer);
        const prepared = await prepareSubscription(deps.schema, deps.trusted, message.payload, ctx);
        if (!prepared.ok) {
          // A refused document is the client's mistake: one info line, as on the container server.
          const codes = [...new Set(prepared.errors.map((e) => String(e.extensions.code ?? 'INTERNAL_SERVER_ERROR')))];
          logger.info('subscription refused', { id, operation: message.payload.operationName ?? null, codes });
          await connections.post(url, rc.connectionId, errorMessage(deps, id, prepared.errors));
          break;
        }
        if ('live' in prepared) {
          const live = { ...prepared.live, connectionId: rc.connectionId, subscriptionId: id, callbackUrl: url, viewer: conn.viewer };
          const opened = await openLiveQuery(
            { ...deps, now },
            { ...live, document: live.query, variables: message.payload.variables ?? {}, expiresAt: conn.expiresAt },
          );
          if (opened === 'duplicate') await refuse(id, new AppError('BAD_REQUEST', `Subscriber for ${id} already exists`), '4409');
          break;
        }
        const after = prepared.resumeAfter;
        const subscription: SubscriptionRecord = {
          connectionId: rc.connectionId,
          subscriptionId: id,
          topic: prepared.topic,
          callbackUrl: url,
          document: prepared.query,
          variables: message.payload.variables ?? {},
          operationName: message.payload.operationName ?? null,
          viewer: conn.viewer,
          // A cursor that is not a stream position (another deployment's) matches no kept event: RESYNC.
          lastPosition: after ? (/^\d+$/.test(after.position) ? positionOf(after.position, after.index) : after.position) : null,
          caughtUpAt: null,
          expiresAt: conn.expiresAt,
        };
        const added = await addSubscription(db, subscription);
        if (added === 'duplicate') await refuse(id, new AppError('BAD_REQUEST', `Subscriber for ${id} already exists`), '4409');
        else if (added === 'added') await catchUp({ ...deps, now }, subscription, { arrivedAt, addedAt: now().getTime() });
        break;
      }
      case MessageType.Complete:
        await removeSubscription(db, rc.connectionId, message.id);
        break;
      default:
        await close(`4400 Unexpected message of type ${message.type}`);
    }
    return { statusCode: 200 };
  };
}

function tooManySubscriptions(limit: number): AppError {
  return new AppError('BAD_USER_INPUT', `A connection may hold ${limit} subscriptions.`, { limit: 'maxSubscriptions' });
}

function authorizationOf(params: Record<string, unknown> | undefined | null): string | undefined {
  const v = params?.authorization ?? params?.Authorization;
  return typeof v === 'string' ? v : undefined;
}

function headerValue(headers: WsEvent['headers'], name: string): string | undefined {
  for (const [k, v] of Object.entries(headers ?? {})) if (k.toLowerCase() === name) return v;
  return undefined;
}
