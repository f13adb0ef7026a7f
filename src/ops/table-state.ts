// What an existing table must look like before the server changes or uses it: when it is ready
// for the next change, and which of its settings the server must not change on its own.
import { DescribeTableCommand, type DynamoDBClient, type TableDescription, type TimeToLiveDescription } from '@aws-sdk/client-dynamodb';
import { metered, type CallListener } from '../data/dynamo/cost.js';
import { TABLE } from '../data/table.js';

/** A table set up in a way the server cannot use and must not change behind its owner's back. */
export class TableConflictError extends Error {
  constructor(readonly conflicts: string[]) {
    super(conflicts.join('\n'));
    this.name = 'TableConflictError';
  }
}

/**
 * Throws TableConflictError naming the exact change to make, for every setting of an existing
 * table the server needs otherwise and must not replace itself: another consumer (a Lambda
 * trigger, another TTL attribute's items) may rely on it.
 */
export function tableConflicts(tableName: string, table: TableDescription, ttl: TimeToLiveDescription | undefined): void {
  const conflicts: string[] = [];
  const stream = table.StreamSpecification;
  if (stream?.StreamEnabled && stream.StreamViewType !== TABLE.stream) {
    conflicts.push(
      `Table ${tableName} has a stream of ${stream.StreamViewType}, but live updates need ${TABLE.stream}, and DynamoDB cannot change a stream's view type. ` +
        `Disable the stream (aws dynamodb update-table --table-name ${tableName} --stream-specification StreamEnabled=false), ` +
        `then run npm run table:create again: it enables a stream of ${TABLE.stream}. Whatever reads the current stream must then read the new one.`,
    );
  }
  const ttlOn = ttl?.TimeToLiveStatus === 'ENABLED' || ttl?.TimeToLiveStatus === 'ENABLING';
  if (ttlOn && ttl?.AttributeName !== TABLE.ttlAttribute) {
    conflicts.push(
      `Table ${tableName} has TTL on attribute ${ttl?.AttributeName}, but the server's temporary items expire by ${TABLE.ttlAttribute}, and a table has one TTL attribute. ` +
        `Disable TTL (aws dynamodb update-time-to-live --table-name ${tableName} --time-to-live-specification Enabled=false,AttributeName=${ttl?.AttributeName}), ` +
        `then, once it is DISABLED (on AWS up to an hour later), run npm run table:create again: it turns TTL on for ${TABLE.ttlAttribute}. Items that carry only ${ttl?.AttributeName} then no longer expire.`,
    );
  }
  if (conflicts.length) throw new TableConflictError(conflicts);
}

/** Ready for the next change and for use: the table and every index ACTIVE, an enabled stream readable. */
function isUsable(t: TableDescription): boolean {
  return (
    t.TableStatus === 'ACTIVE' &&
    (t.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE') &&
    (!t.StreamSpecification?.StreamEnabled || Boolean(t.LatestStreamArn))
  );
}

/** Polls DescribeTable, backing off to 5 s, until the table is usable (and `shows` a change); throws after timeoutMs. */
export async function waitUntilUsable(
  client: DynamoDBClient,
  tableName: string,
  timeoutMs: number,
  shows: (t: TableDescription) => boolean = () => true,
  onCall?: CallListener,
): Promise<TableDescription> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 100; ; delay = Math.min(delay * 2, 5_000)) {
    const t = await describeTable(client, tableName, onCall);
    if (t && isUsable(t) && shows(t)) return t;
    if (Date.now() > deadline) {
      throw new Error(`Table ${tableName} did not become ACTIVE with its indexes and stream within ${timeoutMs} ms.`);
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** The table's description, or undefined when it does not exist. Metered as source admin. */
export async function describeTable(
  client: DynamoDBClient,
  tableName: string,
  onCall?: CallListener,
): Promise<TableDescription | undefined> {
  try {
    const describe = () => client.send(new DescribeTableCommand({ TableName: tableName }));
    return (await metered('DescribeTable', undefined, describe, { source: 'admin', onCall })).Table;
  } catch (err) {
    if ((err as Error).name === 'ResourceNotFoundException') return undefined;
    throw err;
  }
}
