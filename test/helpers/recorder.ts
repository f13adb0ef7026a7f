// A recording proxy in front of DynamoDB Local: it sees every command the server sends, as
// DynamoDB would, so tests can assert exact call counts independently of the server's own meter.
import { createServer, request, type Server } from 'node:http';

export interface RecordedCall {
  command: string;
  body: Record<string, unknown>;
}

/**
 * What the proxy does instead of a plain forward: answer itself ({status, body}), cut the
 * connection before DynamoDB sees the request (drop 'before') or after DynamoDB applied it but
 * before the answer arrives (drop 'after'), hold DynamoDB's answer back for delayMs (the
 * request is applied at once; only the answer is slow), or hold it until the client gives up
 * (hold: whatever the client's timeout, and however slow the machine, the answer never comes).
 */
export type Injected = { status: number; body: unknown } | { drop: 'before' | 'after' } | { delayMs: number } | { hold: true };

export interface Recorder {
  endpoint: string;
  calls: RecordedCall[];
  reset(): void;
  /** Makes the proxy answer the next matching requests itself (fault injection). */
  inject(fault: (call: RecordedCall) => Injected | undefined): void;
  close(): Promise<void>;
}

export async function startRecorder(target: string): Promise<Recorder> {
  const calls: RecordedCall[] = [];
  let fault: ((c: RecordedCall) => Injected | undefined) | undefined;
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const target = String(req.headers['x-amz-target'] ?? '');
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw.toString('utf8') || '{}');
      } catch {
        body = {};
      }
      const call = { command: target.split('.').pop() ?? target, body };
      calls.push(call);
      const injected = fault?.(call);
      if (injected && 'status' in injected) {
        res.writeHead(injected.status, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(injected.body));
        return;
      }
      if (injected && 'drop' in injected && injected.drop === 'before') {
        req.socket.destroy();
        return;
      }
      const fwd = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          // The connection stays open until the client's own timeout closes it.
          if (injected && 'hold' in injected) return void up.resume();
          if (injected && 'drop' in injected) {
            up.resume();
            up.on('end', () => req.socket.destroy());
            return;
          }
          const answer = () => {
            if (req.socket.destroyed) return void up.resume();
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          };
          if (injected && 'delayMs' in injected) setTimeout(answer, injected.delayMs);
          else answer();
        },
      );
      fwd.on('error', () => {
        if (!res.headersSent) res.writeHead(502).end();
        else res.destroy();
      });
      fwd.end(raw);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    reset: () => void calls.splice(0),
    inject: (f) => void (fault = f),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
