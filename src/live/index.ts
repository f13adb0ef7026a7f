// The live pipeline, assembled here for a server in either topology (the Lambda reader, the third,
// shares its parts: see lambda-reader.ts). An event's path, file by file, is drawn in
// docs/architecture.md ("One event: a stream record to a subscriber"):
//
//   stream/reader.ts, stream/shard.ts   follow the table's stream, one poll loop per shard
//        │                       (with Redis only while this instance holds the lease: cluster.ts)
//        ▼
//   publish.ts        drops bookkeeping, publishes, sweeps a removed game's players, sets the lag gauge
//        ▼
//   bus.ts / redis-bus.ts   one ordered log of records, replayable from a position
//        ▼
//   hub.ts + events.ts     each record to events (once per entry), each event to its topic's feeds
//        ▼
//   feed.ts           one subscription's bounded queue, pulled by graphql-ws (src/http/ws.ts)
//
// The @live queries (query/registry.ts) listen to the same bus beside the hub.
//
// Nothing here is called by a resolver: every event, whoever made the write, comes from the
// stream. Where DynamoDB's TTL cannot delete expired games (DynamoDB Local), the expirer deletes
// them and the stream does the rest.
import { recordBackgroundCall } from '../observe/background.js';
import { createMemoryBus } from './bus.js';
import { leaseHoldingReader, openRedisBus } from './cluster.js';
import { backgroundDb } from './db.js';
import { startExpirer } from './expirer.js';
import { createHub } from './hub.js';
import { publishRecords } from './publish.js';
import { createLiveQueries } from './query/registry.js';
import { createStreamReader } from './stream/reader.js';
import type { TableCheckpoints } from './table-checkpoints.js';
import type { Live, LiveOptions } from './types.js';

export type { Live, LiveOptions } from './types.js';

/** Starts reading the stream; resolves once any write committed from now on will reach subscribers. */
export async function startLive(opts: LiveOptions): Promise<Live> {
  const { clients, tableName, config, logger } = opts;
  const { redisUrl } = config;
  const bus = opts.bus ?? (redisUrl ? await openRedisBus(redisUrl, tableName, config, logger) : createMemoryBus(config.replayRecords));
  const hub = createHub({ bus, logger, queueLimit: config.queueLimit });
  const queries = createLiveQueries({ bus, logger, throttleMs: config.liveQueryThrottleMs });
  const sweeps = backgroundDb(clients.doc, tableName, 'sweep');

  // Checkpoints in the table with Redis (a successor continues after them); in memory for one process.
  const streamReader = (checkpoints?: TableCheckpoints) =>
    createStreamReader({
      client: clients.raw,
      streams: clients.streams,
      tableName,
      pollIntervalMs: config.streamPollMs,
      checkpoints,
      logger,
      onCall: recordBackgroundCall,
      onGap: (reason) => bus.gap(reason),
      onRecords: async (records) => {
        const published = await publishRecords(bus, sweeps, logger, records);
        for (const shardId of new Set(published.map((r) => r.shardId))) checkpoints?.published(shardId);
      },
    });
  const reader = redisUrl ? leaseHoldingReader(opts, streamReader) : streamReader();
  await reader.start();
  const expirer = startExpirer(backgroundDb(clients.doc, tableName, 'expirer'), config.expireSweepMs, logger);
  return {
    hub,
    queries,
    bus,
    reader,
    // Reader first, so nothing is published into a closed hub or bus.
    async stop() {
      expirer.stop();
      await reader.stop();
      queries.close();
      hub.close();
      await bus.close();
    },
  };
}
