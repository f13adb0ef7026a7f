// Several real server processes (src/main.ts from source, test/helpers/main-process.ts) on one table of the shared
// DynamoDB Local and one Redis: what a deployment of N containers looks like. Each is a child
// process, so a test can SIGKILL one mid-stream or stop it gracefully with SIGTERM.
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { signToken } from '../../src/auth.js';
import { isLoopback, loadConfig } from '../../src/config.js';
import { createClients, type DynamoClients } from '../../src/data/dynamo/client.js';
import { Db } from '../../src/data/dynamo/db.js';
import { readLease } from '../../src/data/live/lease.js';
import { ensureTable } from '../../src/ops/admin.js';
import { startMainProcess, type MainProcess } from './main-process.js';
import type { TestServer } from './server.js';

export interface Instance extends MainProcess {
  name: string;
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
    const started = await startMainProcess(name, {
      DYNAMODB_ENDPOINT: endpoint,
      TABLE_NAME: tableName,
      REDIS_URL: redisUrl,
      STREAM_POLL_MS: '50',
      LIVE_LEASE_MS: String(CLUSTER_LEASE.leaseMs),
      LIVE_LEASE_RENEW_MS: String(CLUSTER_LEASE.renewMs),
      ...env,
    });
    const { url } = started;
    const instance: Instance = {
      name,
      ...started,
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
