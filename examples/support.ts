// What both example programs need besides the SDK: a server to talk to (SERVER_URL, or one they
// start themselves), tokens for many users, fresh usernames and a little printing.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
// Server modules, imported for token minting only: a real app gets its tokens from its identity
// provider. These sign with the same local configuration `npm run --silent token` uses.
import { signToken } from '../src/auth.js';
import { loadConfig } from '../src/config.js';
import WebSocket from 'ws';
import { createClient, createCostTally, isSdkError, type Client, type CostReport, type CostTally } from '../sdk/src/index.js';

export const DEFAULT_URL = 'http://127.0.0.1:4000/graphql';
const REPO = fileURLToPath(new URL('..', import.meta.url));
const READY_TIMEOUT_MS = 90_000;

// Everything src/config.ts reads: a server we start gets none of the caller's settings, so it
// runs on its own in-memory database and accepts the development tokens we sign.
const SERVER_SETTINGS = [
  'PORT',
  'HOST',
  'TABLE_NAME',
  'DYNAMODB_ENDPOINT',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'DYNAMODB_DATA_DIR',
  'DYNAMODB_IN_MEMORY',
  'AUTH_ISSUER',
  'AUTH_AUDIENCE',
  'AUTH_JWKS_URL',
  'AUTH_SECRET',
  'CURSOR_SECRET',
  'DEMO_DATA',
  'DYNAMODB_COST',
  'MAX_BODY_BYTES',
  'DYNAMODB_TIMEOUT_MS',
  'DYNAMODB_MAX_ATTEMPTS',
  'LOG_REQUESTS',
];

export interface Session {
  url: string;
  /** Every operation's cost, failed ones included. */
  tally: CostTally;
  /** A client signed in as this user. */
  as(username: string, opts?: { role?: 'game-server' }): Promise<Client>;
  anonymous: Client;
  /** Stops the server if this program started it. */
  close(): Promise<void>;
}

/** Connects to SERVER_URL (default http://127.0.0.1:4000/graphql), or starts a local server when none answers. */
export async function openSession(): Promise<Session> {
  const tally = createCostTally();
  const configured = process.env.SERVER_URL;
  let url = configured ?? DEFAULT_URL;
  let server: LocalServer | undefined;
  if (!(await answers(url))) {
    if (configured) throw new Error(`No GraphQL server answers at SERVER_URL=${configured}.`);
    console.log(`No server answers at ${url}: starting one (in-memory DynamoDB Local)...`);
    server = await startLocalServer();
    url = server.url;
  }
  console.log(`Server: ${url}`);
  // A server we started runs on the development secret; one already running was most likely
  // started from this shell, so sign the way `npm run token` would there.
  const auth = loadConfig(server ? {} : pick(process.env, ['AUTH_SECRET', 'AUTH_ISSUER', 'AUTH_AUDIENCE'])).auth;
  // Node 20 has no global WebSocket: subscriptions use the ws package's.
  const anonymous = createClient({ url, onCost: (cost) => tally.add(cost), live: { webSocketImpl: WebSocket } });
  return {
    url,
    tally,
    anonymous,
    async as(username, opts = {}) {
      return anonymous.withToken(await signToken(auth, username, { ...opts, expiresIn: '1h' }));
    },
    async close() {
      await anonymous.close();
      await server?.stop();
    },
  };
}

async function answers(url: string): Promise<boolean> {
  try {
    await createClient({ url }).ping(undefined, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch (err) {
    if (isSdkError(err, 'NETWORK_ERROR')) return false;
    throw err;
  }
}

interface LocalServer {
  url: string;
  stop(): Promise<void>;
}

async function startLocalServer(): Promise<LocalServer> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of SERVER_SETTINGS) delete env[name];
  Object.assign(env, { PORT: String(port), HOST: '127.0.0.1', DYNAMODB_IN_MEMORY: 'on', DEMO_DATA: 'off', LOG_REQUESTS: 'off' });
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  let output = '';
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-4_000));
  child.stderr.on('data', keep);
  // Our own Ctrl-C must not leave the server (and its Java process) behind.
  const onSignal = () => {
    console.error('Interrupted: stopping the local server.');
    void stopChild(child, exited).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const stop = async () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stopChild(child, exited);
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`The server did not get ready within ${READY_TIMEOUT_MS / 1000} s.`)),
        READY_TIMEOUT_MS,
      );
      child.stdout.on('data', (d: Buffer) => {
        keep(d);
        if (/"msg":"server ready"/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`The server exited before it was ready (code ${child.exitCode}):\n${output}`));
      });
    });
  } catch (err) {
    await stop();
    throw err;
  }
  child.stdout.resume();
  return { url: `http://127.0.0.1:${port}/graphql`, stop };
}

/** SIGTERM lets the server finish requests and stop DynamoDB Local; SIGKILL only if it hangs. */
async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => res(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

function pick(env: NodeJS.ProcessEnv, names: string[]): Record<string, string | undefined> {
  return Object.fromEntries(names.map((n) => [n, env[n]]));
}

/** A prefix no earlier run used, so runs against a persistent server never collide (usernames are 3-32 of [a-z0-9_]). */
export function runId(): string {
  return randomBytes(4).toString('hex');
}

export function heading(title: string): void {
  console.log(`\n== ${title}`);
}

export function describeCost(cost: CostReport | null): string {
  if (!cost) return 'no cost reported';
  const calls = Object.entries(cost.calls)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([command, n]) => `${command} ${n}`)
    .join(', ');
  return `${cost.totalCalls} DynamoDB call(s) [${calls || 'none'}], ${cost.readCapacityUnits} RCU, ${cost.writeCapacityUnits} WCU`;
}

/** Runs an example's main, always closing its session, and exits non-zero on failure. */
export async function runExample(main: (session: Session) => Promise<void>): Promise<void> {
  let session: Session | undefined;
  try {
    session = await openSession();
    await main(session);
    process.exitCode = 0;
  } catch (err) {
    process.exitCode = 1;
    console.error(isSdkError(err) ? `Failed: ${err.message} (code ${err.code}, path ${err.path?.join('.') ?? '-'})` : err);
  } finally {
    await session?.close();
  }
}
