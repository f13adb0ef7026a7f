// Live updates on many servers (REDIS_URL set): every instance listens to the Redis bus and fans
// out to its own subscribers; the instance holding the table's lease also reads the stream and
// publishes to Redis, with checkpoints in the table so its successor continues where it stopped.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Db } from '../data/dynamo/db.js';
import { createHub } from './hub.js';
import { assembleLive, type Live, type LiveOptions } from './types.js';
import { createLeasedReader } from './leased-reader.js';
import { publishRecords } from './publish.js';
import { busPrefix, createRedisBus } from './redis-bus.js';
import { createStreamReader, type StreamReader } from './stream/reader.js';
import { tableCheckpoints } from './table-checkpoints.js';

export async function startClusterLive(opts: LiveOptions & { redisUrl: string }): Promise<Live> {
  const { logger, config, tableName } = opts;
  const bus =
    opts.bus ??
    (await createRedisBus({
      url: opts.redisUrl,
      prefix: busPrefix(tableName),
      replayRecords: config.replayRecords,
      dedupeSeconds: config.dedupeSeconds,
      logger,
    }));
  const hub = createHub({ bus, logger, queueLimit: config.queueLimit });
  const db = new Db(opts.clients.doc, tableName);
  const holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const reader = !config.readStream
    ? listenOnly
    : createLeasedReader({
        db,
        holder,
        leaseMs: config.leaseMs,
        renewMs: config.leaseRenewMs,
        logger,
        createReader: () => {
          const checkpoints = tableCheckpoints(db);
          return createStreamReader({
            client: opts.clients.raw,
            streams: opts.clients.streams,
            tableName,
            pollIntervalMs: config.streamPollMs,
            checkpoints,
            logger,
            onGap: (reason) => bus.gap(reason),
            onRecords: async (records) => {
              const published = await publishRecords(bus, db, logger, records);
              for (const shardId of new Set(published.map((r) => r.shardId))) checkpoints.published(shardId);
            },
          });
        },
      });
  await reader.start();
  return assembleLive(hub, bus, reader, opts);
}

/** LIVE_STREAM_READER=off: another reader (the Lambda) publishes; this instance only listens to Redis. */
const listenOnly: StreamReader = {
  start: async () => undefined,
  stop: async () => undefined,
  status: () => ({ shards: 0, lagMs: null, lastPollAt: null, calls: {} }),
};
