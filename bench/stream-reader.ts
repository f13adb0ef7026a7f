// The stream reader's own figures on DynamoDB Local: `npx tsx bench/stream-reader.ts [pollMs]`.
//   idle cost: DynamoDB calls per minute with nobody writing (one shard, as DynamoDB Local has);
//   delay: from a PutItem resolving (the write is committed) to onRecords receiving its record,
//   over writes spaced at random so they fall anywhere in the poll cycle.
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { createClients } from '../src/data/dynamo/client.js';
import { DEFAULT_POLL_INTERVAL_MS, createStreamReader } from '../src/live/stream/reader.js';
import type { ChangeRecord } from '../src/live/stream/records.js';
import { ensureTable } from '../src/ops/admin.js';
import { startDynamoLocal } from '../src/ops/local.js';

const pollIntervalMs = Number(process.argv[2] ?? DEFAULT_POLL_INTERVAL_MS);
const IDLE_MS = 60_000;
const WRITES = 100;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const local = await startDynamoLocal();
const clients = createClients({ endpoint: local.endpoint, region: 'local', timeoutMs: 5_000, maxAttempts: 3 });
try {
  const tableName = 'bench-stream';
  await ensureTable(clients.raw, tableName);
  const arrived = new Map<string, number>();
  const reader = createStreamReader({
    client: clients.raw,
    streams: clients.streams,
    tableName,
    pollIntervalMs,
    onRecords: (records: ChangeRecord[]) => {
      const now = performance.now();
      for (const r of records) arrived.set(r.keys.PK, now);
      return Promise.resolve();
    },
    onGap: (reason) => console.error('gap:', reason),
  });
  await reader.start();

  const before = reader.status().calls;
  await sleep(IDLE_MS);
  const after = reader.status().calls;
  const perMinute = Object.fromEntries(Object.keys(after).map((k) => [k, ((after[k]! - (before[k] ?? 0)) * 60_000) / IDLE_MS]));

  const committed = new Map<string, number>();
  for (let i = 0; i < WRITES; i++) {
    await sleep(Math.random() * 2 * pollIntervalMs);
    const pk = `W#${i}`;
    await clients.raw.send(new PutItemCommand({ TableName: tableName, Item: { PK: { S: pk }, SK: { S: pk } } }));
    committed.set(pk, performance.now());
  }
  await sleep(2_000);
  await reader.stop();
  const delays = [...committed].map(([pk, t]) => (arrived.get(pk) ?? NaN) - t);
  const lost = delays.filter(Number.isNaN).length;
  const ok = delays.filter((d) => !Number.isNaN(d));
  console.log(
    JSON.stringify(
      {
        pollIntervalMs,
        idleCallsPerMinute: perMinute,
        writes: WRITES,
        lost,
        delayMs: {
          p50: Math.round(pct(ok, 50)),
          p90: Math.round(pct(ok, 90)),
          p99: Math.round(pct(ok, 99)),
          max: Math.round(Math.max(...ok)),
        },
      },
      null,
      2,
    ),
  );
} finally {
  clients.raw.destroy();
  clients.streams.destroy();
  await local.stop();
}
