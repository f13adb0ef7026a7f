// The stream reader as a Lambda function (infra/lib/stack.ts: the table's stream as its event
// source): AWS keeps the shards, the checkpoints and the retries; this handler converts each batch
// into ChangeRecords and publishes them to the same Redis stream, in the same envelope, as the
// lease-holding server would, so containers do not care which reader runs. A failed publish
// fails the invocation and AWS retries the batch; records already published are dropped by the
// bus's de-duplication.
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { loadConfig } from '../config.js';
import type { Db } from '../data/dynamo/db.js';
import type { Logger } from '../log.js';
import { createServices } from '../services.js';
import type { Bus } from './bus.js';
import { publishRecords } from './publish.js';
import { openRedisBus } from './cluster.js';
import { backgroundDb } from './db.js';
import type { ChangeRecord } from './stream/records.js';
import { fromWireRecord } from './stream/wire.js';

// Also used by the serverless delivery function, whose bundle must not carry Redis.
export { fromWireRecord } from './stream/wire.js';

export interface StreamHandlerDeps {
  bus: Bus;
  db: Db;
  logger: Logger;
}

/** The handler for given dependencies (the tests pass a bus on a local Redis and a table on DynamoDB Local). */
export function createStreamHandler({ bus, db, logger }: StreamHandlerDeps) {
  return async (event: DynamoDBStreamEvent): Promise<{ published: number }> => {
    const records: ChangeRecord[] = [];
    for (const raw of event.Records) {
      try {
        records.push(fromWireRecord(raw));
      } catch (err) {
        // One unreadable record must not block its shard for the whole retention.
        logger.error('stream record skipped', { eventID: raw.eventID, error: String(err) });
      }
    }
    const published = await publishRecords(bus, db, logger, records);
    return { published: published.length };
  };
}

let ready: Promise<(event: DynamoDBStreamEvent) => Promise<{ published: number }>> | null = null;

/** The Lambda entry: the Redis connection and the clients live as long as the Lambda instance. */
export async function handler(event: DynamoDBStreamEvent): Promise<{ published: number }> {
  ready ??= (async () => {
    const config = loadConfig();
    if (!config.live.redisUrl)
      throw new Error('The stream reader Lambda needs REDIS_URL: it publishes to the Redis bus the servers listen to.');
    const { logger, clients } = createServices(config);
    const { tableName } = config.database;
    // The same bus and the same publishing step (publish.ts) as a lease-holding server's.
    const bus = await openRedisBus(config.live.redisUrl, tableName, config.live, logger);
    return createStreamHandler({ bus, db: backgroundDb(clients.doc, tableName, 'sweep'), logger });
  })().catch((err: unknown) => {
    ready = null; // the next invocation tries again rather than failing forever
    throw err;
  });
  return (await ready)(event);
}
