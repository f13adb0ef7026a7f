// Live updates for one process: the stream reader publishes every record of the table's stream
// on the bus, the hub fans events out to subscriptions, and the stream also drives the one side
// effect the table needs (an expired game's players are removed). Nothing here is called by a
// resolver: every event, whoever made the write, comes from the stream. Where DynamoDB's TTL
// cannot delete expired games (DynamoDB Local), the expirer deletes them and the stream does the rest.
import { Db } from '../data/dynamo/db.js';
import { live as metrics } from '../observe/metrics.js';
import { createMemoryBus } from './bus.js';
import { startClusterLive } from './cluster.js';
import { startExpirer } from './expirer.js';
import { createHub } from './hub.js';
import { createStreamReader } from './stream/reader.js';
import { assembleLive, type Live, type LiveOptions } from './types.js';
import { publishRecords } from './publish.js';

export type { Live, LiveOptions } from './types.js';

/** Starts reading the stream; resolves once any write committed from now on will reach subscribers. */
export async function startLive(opts: LiveOptions): Promise<Live> {
  const { redisUrl, expireSweepMs } = opts.config;
  const live = redisUrl ? await startClusterLive({ ...opts, redisUrl }) : await startOneProcess(opts);
  const expirer = startExpirer(new Db(opts.clients.doc, opts.tableName), expireSweepMs, opts.logger);
  return {
    ...live,
    async stop() {
      expirer.stop();
      await live.stop();
    },
  };
}

async function startOneProcess(opts: LiveOptions): Promise<Live> {
  const { logger, config } = opts;
  const bus = opts.bus ?? createMemoryBus(config.replayRecords);
  const hub = createHub({ bus, logger, queueLimit: config.queueLimit });
  const db = new Db(opts.clients.doc, opts.tableName);
  const reader = createStreamReader({
    client: opts.clients.raw,
    streams: opts.clients.streams,
    tableName: opts.tableName,
    pollIntervalMs: config.streamPollMs,
    logger,
    onGap: (reason) => bus.gap(reason),
    onRecords: async (records) => {
      await publishRecords(bus, db, logger, records);
      const lag = reader.status().lagMs;
      if (lag !== null) metrics.streamLag(lag / 1000);
    },
  });
  await reader.start();
  return assembleLive(hub, bus, reader, opts);
}
