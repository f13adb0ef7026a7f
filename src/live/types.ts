// What starting live updates takes and gives, shared by the one-process and the Redis set-ups.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LiveConfig } from '../config.js';
import type { Logger } from '../log.js';
import type { Bus } from './bus.js';
import type { Hub } from './hub.js';
import { createLiveQueries, type LiveQueries } from './query/registry.js';
import type { StreamReader } from './stream/reader.js';

export interface LiveOptions {
  clients: { raw: DynamoDBClient; doc: DynamoDBDocumentClient; streams: DynamoDBStreamsClient };
  tableName: string;
  config: LiveConfig;
  logger: Logger;
  /** Another bus (Redis) instead of the in-process one. */
  bus?: Bus;
}

export interface Live {
  hub: Hub;
  /** The @live queries of this process, fed by the same bus. */
  queries: LiveQueries;
  bus: Bus;
  reader: StreamReader;
  stop(): Promise<void>;
}

/** Live updates over these parts, stopped reader first, so nothing is published into a closed hub or bus. */
export function assembleLive(hub: Hub, bus: Bus, reader: StreamReader, opts: Pick<LiveOptions, 'logger' | 'config'>): Live {
  const queries = createLiveQueries({ bus, logger: opts.logger, throttleMs: opts.config.liveQueryThrottleMs });
  return {
    hub,
    queries,
    bus,
    reader,
    async stop() {
      await reader.stop();
      queries.close();
      hub.close();
      await bus.close();
    },
  };
}
