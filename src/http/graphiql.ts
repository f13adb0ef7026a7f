// Serves the GraphiQL playground bundled from npm packages (built by vite into dist/graphiql), so
// it works offline and behind a firewall. In local mode the page starts with a demo user's token.
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface GraphiQLOptions {
  /**
   * A ready-made "Authorization" header value for the header editor (local mode only); a function
   * is called per page load, so a page opened days after start still gets a token the server accepts.
   */
  authorization?: string | (() => Promise<string>);
  demoUser?: string;
}

// From the source (src/http) the build is in the repository's dist/; compiled by `npm run build`,
// this module is itself in dist/src/http, two levels below that dist/.
const compiled = import.meta.url.endsWith('.js');
export const GRAPHIQL_DIR = fileURLToPath(new URL(compiled ? '../../graphiql/' : '../../dist/graphiql/', import.meta.url));

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.json': 'application/json',
};

export async function serveGraphiQL(_req: IncomingMessage, res: ServerResponse, url: URL, opts: GraphiQLOptions = {}): Promise<void> {
  const asset = url.pathname.startsWith('/graphiql/') ? url.pathname.slice('/graphiql/'.length) : 'index.html';
  let decoded: string;
  try {
    decoded = decodeURIComponent(asset);
  } catch {
    // A malformed percent escape ("%E0%A4%A") names no file: the client's mistake, not ours.
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('Malformed percent escape in the path.\n');
    return;
  }
  const path = normalize(join(GRAPHIQL_DIR, decoded || 'index.html'));
  if (!path.startsWith(GRAPHIQL_DIR)) {
    res.writeHead(404).end();
    return;
  }
  let body: Buffer;
  try {
    body = await readFile(path);
  } catch {
    if (asset === 'index.html') {
      res
        .writeHead(503, { 'content-type': 'text/plain; charset=utf-8' })
        .end('GraphiQL is not built yet: run "npm run build:graphiql" (npm start does this for you).\n');
    } else res.writeHead(404).end();
    return;
  }
  const type = TYPES[extname(path)] ?? 'application/octet-stream';
  if (path.endsWith('index.html')) {
    const authorization = typeof opts.authorization === 'function' ? await opts.authorization() : opts.authorization;
    const config = JSON.stringify({
      endpoint: '/graphql',
      authorization: authorization ?? null,
      demoUser: opts.demoUser ?? null,
    }).replace(/</g, '\\u003c');
    const html = body.toString('utf8').replace('</head>', `<script>window.__GRAPHIQL_CONFIG__=${config}</script></head>`);
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(html);
    return;
  }
  res.writeHead(200, { 'content-type': type, 'cache-control': 'public, max-age=31536000, immutable' }).end(body);
}
