// Several real server processes (src/main.ts, as `npm start` runs it) on one table of the shared
// DynamoDB Local and one Redis: what a deployment of N containers looks like. Each is a child
// process, so a test can SIGKILL one mid-stream or stop it gracefully with SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { signToken } from '../../src/auth.js';
import { isLoopback, loadConfig } from '../../src/config.js';
import { createClients, type DynamoClients } from '../../src/data/dynamo/client.js';
import { Db } from '../../src/data/dynamo/db.js';
import { readLease } from '../../src/data/live/lease.js';
import { ensureTable } from '../../src/ops/admin.js';
import type { TestServer } from './server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Instance {
  name: string;
  url: string;
  wsUrl: string;
  proc: ChildProcess;
  /** Everything the process printed, for a failing test to show. */
  output: string[];
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
  /** Whether this process's id is in the lease item's holder. */
  execute(query: string, opts?: { variables?: Record<string, unknown>; as?: string }): Promise<{ data?: any; errors?: any[] }>;
}

export interface Cluster {
  tableName: string;
  clients: DynamoClients;
  db: Db;
  /** For seeding helpers that take a TestServer: they only use its table and clients. */
  seedTarget: TestServer;
  instances: Instance[];
  start(name: string, env?: Record<string, string>): Promise<Instance>;
  token(username: string): Promise<string>;
  /** The instance whose process holds the stream lease now, or null. */
  holder(): Promise<Instance | null>;
  close(): Promise<void>;
}

export const CLUSTER_LEASE = { leaseMs: 3_000, renewMs: 1_000 };

export async function startCluster(redisUrl: string): Promise<Cluster> {
  const endpoint = inject('dynamoEndpoint');
  if (!isLoopback(endpoint)) throw new Error(`Refusing to run cluster tests against ${endpoint}: loopback only.`);
  const tableName = `cluster-${randomUUID().slice(0, 8)}`;
  const clients = createClients({ endpoint, region: 'local', timeoutMs: 5_000, maxAttempts: 3 });
  await ensureTable(clients.raw, tableName);
  const config = loadConfig({ DYNAMODB_ENDPOINT: endpoint, TABLE_NAME: tableName });
  const db = new Db(clients.doc, tableName);
  const instances: Instance[] = [];
  const token = (username: string) => signToken(config.auth, username);

  async function start(name: string, env: Record<string, string> = {}): Promise<Instance> {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'production',
        DYNAMODB_ENDPOINT: endpoint,
        TABLE_NAME: tableName,
        REDIS_URL: redisUrl,
        PORT: '0',
        HOST: '127.0.0.1',
        DEMO_DATA: 'off',
        LOG_REQUESTS: 'off',
        STREAM_POLL_MS: '50',
        LIVE_LEASE_MS: String(CLUSTER_LEASE.leaseMs),
        LIVE_LEASE_RENEW_MS: String(CLUSTER_LEASE.renewMs),
        ...env,
      },
    });
    const output: string[] = [];
    const exited = new Promise<number | string>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
    const url = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${name} did not start within 60 s:\n${output.join('')}`)), 60_000);
      const onData = (chunk: Buffer) => {
        output.push(String(chunk));
        const m = /GraphQL server ready: (http:\/\/\S+)\/graphql/.exec(output.join(''));
        if (m) {
          clearTimeout(t);
          resolve(m[1]!);
        }
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', (c: Buffer) => output.push(String(c)));
      void exited.then((code) => (clearTimeout(t), reject(new Error(`${name} exited (${code}) before it was ready:\n${output.join('')}`))));
    });
    const instance: Instance = {
      name,
      url,
      wsUrl: `${url.replace(/^http/, 'ws')}/graphql`,
      proc,
      output,
      exited,
      async execute(query, opts = {}) {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (opts.as) headers.authorization = `Bearer ${await token(opts.as)}`;
        const res = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables: opts.variables }) });
        return (await res.json()) as { data?: any; errors?: any[] };
      },
    };
    instances.push(instance);
    return instance;
  }

  return {
    tableName,
    clients,
    db,
    seedTarget: { tableName, clients } as TestServer,
    instances,
    start,
    token,
    async holder() {
      const lease = await readLease(db);
      if (!lease || lease.expiresAt < Date.now()) return null;
      return (
        instances.find((i) => i.proc.exitCode === null && i.proc.signalCode === null && lease.holder.includes(`:${i.proc.pid}:`)) ?? null
      );
    },
    async close() {
      for (const i of instances) if (i.proc.exitCode === null && i.proc.signalCode === null) i.proc.kill('SIGKILL');
      await Promise.all(instances.map((i) => i.exited));
      await clients.raw.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
      clients.raw.destroy();
    },
  };
}

/** Resolves once `ok()` holds, polling every 50 ms; fails after `ms` with `what`. */
export async function eventually<T>(ok: () => Promise<T | null | undefined | false>, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await ok();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
