// The Redis topology's own parts (REDIS_URL set): every instance listens to the Redis bus and fans
// out to its own subscribers; the instance holding the table's lease also reads the stream and
// publishes to Redis, with checkpoints in the table so its successor continues where it stopped.
// The Lambda reader (lambda-reader.ts) publishes to the same bus. Assembled in index.ts.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { LiveConfig } from '../config.js';
import type { Logger } from '../log.js';
import { backgroundDb } from './db.js';
import { createLeasedReader } from './leased-reader.js';
import { busPrefix, createRedisBus, type RedisBus } from './redis-bus.js';
import type { StreamReader } from './stream/reader.js';
import { tableCheckpoints, type TableCheckpoints } from './table-checkpoints.js';
import type { LiveOptions } from './types.js';

/** The table's bus on Redis, as every server and the Lambda reader open it. */
export function openRedisBus(redisUrl: string, tableName: string, config: LiveConfig, logger: Logger): Promise<RedisBus> {
  return createRedisBus({
    url: redisUrl,
    prefix: busPrefix(tableName),
    replayRecords: config.replayRecords,
    dedupeSeconds: config.dedupeSeconds,
    logger,
  });
}

/**
 * The stream reader of one instance among many: it reads only while holding the lease, a fresh
 * reader (from `createReader`, with the table's checkpoints) each time it takes it. With
 * LIVE_STREAM_READER=off it never reads: another reader (the Lambda) publishes.
 */
export function leaseHoldingReader(opts: LiveOptions, createReader: (checkpoints: TableCheckpoints) => StreamReader): StreamReader {
  const { clients, tableName, config, logger } = opts;
  if (!config.readStream) return listenOnly;
  const holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const checkpointDb = backgroundDb(clients.doc, tableName, 'checkpoint');
  return createLeasedReader({
    db: backgroundDb(clients.doc, tableName, 'lease'),
    holder,
    leaseMs: config.leaseMs,
    renewMs: config.leaseRenewMs,
    logger,
    createReader: () => createReader(tableCheckpoints(checkpointDb)),
  });
}

const listenOnly: StreamReader = {
  start: async () => undefined,
  stop: async () => undefined,
  status: () => ({ shards: 0, lagMs: null, lastPollAt: null, calls: {} }),
};
