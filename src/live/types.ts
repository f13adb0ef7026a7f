// What starting live updates takes and gives, for every topology (index.ts assembles them).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LiveConfig } from '../config.js';
import type { Logger } from '../log.js';
import type { Bus } from './bus.js';
import type { Hub } from './hub.js';
import type { LiveQueries } from './query/registry.js';
import type { StreamReader } from './stream/reader.js';

export interface LiveOptions {
  clients: { raw: DynamoDBClient; doc: DynamoDBDocumentClient; streams: DynamoDBStreamsClient };
  tableName: string;
  config: LiveConfig;
  logger: Logger;
  /** Another bus than the one the config names (tests). */
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
