// Serves the Prometheus exposition: at /metrics on the GraphQL server's port, or on a port of its
// own (METRICS_PORT) that a production network can keep private.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { scrape } from '../observe/metrics.js';

export async function serveMetrics(res: ServerResponse): Promise<void> {
  const { contentType, body } = await scrape();
  res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body);
}

/** A listener for metrics alone; resolves with the bound port. */
export async function startMetricsServer(port: number, host: string): Promise<{ server: Server; port: number }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' && new URL(req.url ?? '/', 'http://localhost').pathname === '/metrics') {
      serveMetrics(res).catch(() => res.writeHead(500).end());
    } else res.writeHead(404, { 'content-type': 'text/plain' }).end('Metrics are served at /metrics.\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  return { server, port: typeof addr === 'object' && addr ? addr.port : port };
}
