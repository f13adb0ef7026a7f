// A recording proxy in front of DynamoDB Local: it sees every command the server sends, as
// DynamoDB would, so tests can assert exact call counts independently of the server's own meter.
import { createServer, request, type Server } from 'node:http';

export interface RecordedCall {
  command: string;
  body: Record<string, unknown>;
}

export interface Recorder {
  endpoint: string;
  calls: RecordedCall[];
  reset(): void;
  /** Makes the proxy answer the next matching requests itself (fault injection). */
  inject(fault: (call: RecordedCall) => { status: number; body: unknown } | undefined): void;
  close(): Promise<void>;
}

export async function startRecorder(target: string): Promise<Recorder> {
  const calls: RecordedCall[] = [];
  let fault: ((c: RecordedCall) => { status: number; body: unknown } | undefined) | undefined;
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const target = String(req.headers['x-amz-target'] ?? '');
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw.toString('utf8') || '{}');
      } catch {
        body = {};
      }
      const call = { command: target.split('.').pop() ?? target, body };
      calls.push(call);
      const injected = fault?.(call);
      if (injected) {
        res.writeHead(injected.status, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(injected.body));
        return;
      }
      const fwd = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      fwd.on('error', () => res.writeHead(502).end());
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
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
