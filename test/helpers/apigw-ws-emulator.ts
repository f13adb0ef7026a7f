// An emulator of an API Gateway WebSocket API for the tests: a real WebSocket server that invokes
// the route handler with the event shapes API Gateway sends ($connect with the handshake's
// headers, $default per message, $disconnect), and the management API the real
// @aws-sdk/client-apigatewaymanagementapi calls (POST/GET/DELETE /@connections/{id}). It enforces
// what API Gateway enforces, the durations scaled down: 128 KB per message either way (a larger
// client message closes the socket with 1009, a larger post is 413 PayloadTooLargeException), the
// idle timeout and the maximum duration (close 1001), no post during $connect and none to a
// vanished client (410 GoneException), and no close code but 1000 from DeleteConnection.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { WsEvent, WsHandler, WsResult } from '../../src/serverless/handlers.js';

export const API_GATEWAY_MAX_MESSAGE_BYTES = 128 * 1024;
const STAGE = 'test';

export interface EmulatorOptions {
  /** API Gateway: 10 minutes. */
  idleMs?: number;
  /** API Gateway: 2 hours. */
  maxDurationMs?: number;
}

export interface ApiGatewayEmulator {
  /** ws://127.0.0.1:<port>/test */
  wsUrl: string;
  /** http://127.0.0.1:<port>/test: the management API's endpoint (the handlers' callback URL). */
  callbackUrl: string;
  /** Connections open now. */
  connectionIds(): string[];
  /** The client vanishes without API Gateway noticing: its socket is cut and no $disconnect runs. */
  vanish(connectionId: string): void;
  /** From now on, posts to this connection answer 429 LimitExceededException (its client stopped reading). */
  throttle(connectionId: string): void;
  /** While on, every management call for this connection answers 500 (a fault of API Gateway's: the SDK retries, then throws). */
  fault(connectionId: string, on: boolean): void;
  /** Every route invocation so far, in order. */
  invocations: { routeKey: string; connectionId: string }[];
  /** Resolves when no route invocation is in flight. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

interface Conn {
  id: string;
  socket: WebSocket | null;
  connectedAt: number;
  lastActiveAt: number;
  sourceIp: string;
  userAgent: string;
  state: 'connecting' | 'open';
  idle?: NodeJS.Timeout;
  max?: NodeJS.Timeout;
}

export async function startApiGatewayEmulator(handler: WsHandler, opts: EmulatorOptions = {}): Promise<ApiGatewayEmulator> {
  const conns = new Map<string, Conn>();
  const inFlight = new Set<Promise<unknown>>();
  const invocations: ApiGatewayEmulator['invocations'] = [];
  const throttled = new Set<string>();
  const faulty = new Set<string>();
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (_p, req) => (req as IncomingMessage & { chosen?: string }).chosen ?? false,
  });
  const server = createServer((req, res) => void management(req, res));
  let domainName = '';

  const invoke = (conn: Conn, routeKey: string, eventType: WsEvent['requestContext']['eventType'], extra: Partial<WsEvent> = {}) => {
    invocations.push({ routeKey, connectionId: conn.id });
    const event: WsEvent & Record<string, unknown> = {
      requestContext: {
        routeKey,
        eventType,
        connectionId: conn.id,
        domainName,
        stage: STAGE,
        connectedAt: conn.connectedAt,
        ...{ messageId: randomUUID(), requestId: randomUUID(), apiId: 'emulated', messageDirection: 'IN', requestTimeEpoch: Date.now() },
        ...(eventType === 'DISCONNECT' ? { disconnectStatusCode: 1000, disconnectReason: '' } : {}),
      },
      isBase64Encoded: false,
      ...extra,
    };
    const p = handler(event);
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => undefined);
    return p;
  };

  const forget = (conn: Conn) => {
    clearTimeout(conn.idle);
    clearTimeout(conn.max);
    conns.delete(conn.id);
  };
  const touch = (conn: Conn) => {
    conn.lastActiveAt = Date.now();
    clearTimeout(conn.idle);
    if (opts.idleMs) conn.idle = setTimeout(() => conn.socket?.close(1001, 'Going away'), opts.idleMs);
  };

  server.on('upgrade', (req: IncomingMessage & { chosen?: string }, socket, head) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const conn: Conn = {
      id: randomBytes(11).toString('base64'), // API Gateway's ids look like this: base64, '=' and all
      socket: null,
      connectedAt: Date.now(),
      lastActiveAt: Date.now(),
      sourceIp: req.socket.remoteAddress ?? '',
      userAgent: headers['user-agent'] ?? '',
      state: 'connecting',
    };
    conns.set(conn.id, conn);
    invoke(conn, '$connect', 'CONNECT', { headers }).then(
      (res: WsResult) => {
        if (res.statusCode < 200 || res.statusCode > 299) {
          forget(conn);
          socket.end(`HTTP/1.1 ${res.statusCode} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
          return;
        }
        req.chosen = Object.entries(res.headers ?? {}).find(([k]) => k.toLowerCase() === 'sec-websocket-protocol')?.[1];
        wss.handleUpgrade(req, socket, head, (ws) => opened(conn, ws));
      },
      () => {
        forget(conn);
        socket.end('HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      },
    );
  });

  const opened = (conn: Conn, ws: WebSocket) => {
    conn.socket = ws;
    conn.state = 'open';
    touch(conn);
    if (opts.maxDurationMs) conn.max = setTimeout(() => ws.close(1001, 'Going away'), opts.maxDurationMs);
    ws.on('message', (data, isBinary) => {
      const bytes = Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]);
      if (bytes.length > API_GATEWAY_MAX_MESSAGE_BYTES) return ws.close(1009, 'Message too big');
      touch(conn);
      // API Gateway invokes per message, not one after another: nothing here waits for the last one.
      void invoke(conn, '$default', 'MESSAGE', {
        body: isBinary ? bytes.toString('base64') : bytes.toString(),
        isBase64Encoded: isBinary,
      }).catch(() => undefined);
    });
    ws.on('close', () => {
      if (!conns.has(conn.id)) return; // vanished: API Gateway never heard of it
      forget(conn);
      void invoke(conn, '$disconnect', 'DISCONNECT').catch(() => undefined);
    });
    ws.on('error', () => ws.terminate());
  };

  async function management(req: IncomingMessage, res: ServerResponse) {
    const m = /^\/([^/]+)\/@connections\/([^/?]+)$/.exec(req.url ?? '');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const fail = (status: number, type: string, message: string) => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
      res.end(JSON.stringify({ message }));
    };
    if (!m || m[1] !== STAGE) return fail(404, 'NotFoundException', `No route ${req.method} ${req.url}`);
    if (!req.headers.authorization?.startsWith('AWS4-HMAC-SHA256 ')) return fail(403, 'ForbiddenException', 'Missing Authentication Token');
    const conn = conns.get(decodeURIComponent(m[2]!));
    if (!conn || conn.state !== 'open' || !conn.socket) return fail(410, 'GoneException', 'Gone');
    if (faulty.has(conn.id)) return fail(500, 'InternalServerErrorException', 'Internal server error');
    if (req.method === 'POST') {
      if (throttled.has(conn.id)) return fail(429, 'LimitExceededException', 'Rate exceeded');
      const body = Buffer.concat(chunks);
      if (body.length > API_GATEWAY_MAX_MESSAGE_BYTES) return fail(413, 'PayloadTooLargeException', 'Message too long');
      conn.socket.send(body.toString());
      res.writeHead(200).end();
    } else if (req.method === 'DELETE') {
      conn.socket.close(1000);
      res.writeHead(204).end();
    } else if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          ConnectedAt: new Date(conn.connectedAt).toISOString(),
          LastActiveAt: new Date(conn.lastActiveAt).toISOString(),
          Identity: { SourceIp: conn.sourceIp, UserAgent: conn.userAgent },
        }),
      );
    } else fail(405, 'BadRequestException', 'Method not allowed');
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  domainName = `127.0.0.1:${port}`;
  return {
    wsUrl: `ws://${domainName}/${STAGE}`,
    callbackUrl: `http://${domainName}/${STAGE}`,
    connectionIds: () => [...conns.values()].filter((c) => c.state === 'open').map((c) => c.id),
    vanish(id) {
      const conn = conns.get(id);
      if (!conn) throw new Error(`No connection ${id}`);
      forget(conn);
      conn.socket?.terminate();
    },
    throttle: (id) => void throttled.add(id),
    fault: (id, on) => void (on ? faulty.add(id) : faulty.delete(id)),
    invocations,
    async settled() {
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
    async close() {
      for (const c of conns.values()) c.socket?.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
  };
}
