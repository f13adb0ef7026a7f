// Table life cycle: create if absent, add missing indexes as the labs' add-index scripts did,
// delete. Built from TABLE so every path makes the same table.
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type GlobalSecondaryIndexDescription,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { TABLE, type IndexDefinition } from '../data/table.js';

function gsiInput(index: IndexDefinition) {
  return {
    IndexName: index.name,
    KeySchema: [
      { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
      ...(index.sortKey ? [{ AttributeName: index.sortKey, KeyType: 'RANGE' as const }] : []),
    ],
    Projection: { ProjectionType: index.projection },
  };
}

function attributeDefinitions(names: string[]) {
  return [...new Set(names)].map((n) => ({ AttributeName: n, AttributeType: TABLE.attributes[n] ?? 'S' }));
}

/** The CreateTable input for the whole table, indexes included. */
export function createTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ],
    AttributeDefinitions: attributeDefinitions([
      TABLE.partitionKey,
      TABLE.sortKey,
      ...TABLE.indexes.flatMap((i) => [i.partitionKey, ...(i.sortKey ? [i.sortKey] : [])]),
    ]),
    GlobalSecondaryIndexes: TABLE.indexes.map(gsiInput),
    BillingMode: TABLE.billing,
    StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE.stream },
  };
}

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (err) {
    if ((err as Error).name === 'ResourceNotFoundException') return undefined;
    throw err;
  }
}

function isUsable(t: TableDescription | undefined): boolean {
  return (
    t?.TableStatus === 'ACTIVE' &&
    (t.GlobalSecondaryIndexes ?? []).every((i: GlobalSecondaryIndexDescription) => i.IndexStatus === 'ACTIVE')
  );
}

async function waitUntilUsable(client: DynamoDBClient, tableName: string, timeoutMs: number): Promise<TableDescription> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 100; ; delay = Math.min(delay * 2, 5_000)) {
    const t = await describe(client, tableName);
    if (t && isUsable(t)) return t;
    if (Date.now() > deadline) throw new Error(`Table ${tableName} did not become ACTIVE within ${timeoutMs} ms.`);
    await new Promise((r) => setTimeout(r, delay));
  }
}

/**
 * An index of a provisioned table needs throughput of its own, or DynamoDB refuses it; the labs
 * create provisioned tables (5/5). It gets the table's own capacity. On-demand tables need none.
 */
export function indexThroughput(table: TableDescription) {
  if (table.BillingModeSummary?.BillingMode === 'PAY_PER_REQUEST') return {};
  const read = table.ProvisionedThroughput?.ReadCapacityUnits;
  const write = table.ProvisionedThroughput?.WriteCapacityUnits;
  return { ProvisionedThroughput: { ReadCapacityUnits: read || 5, WriteCapacityUnits: write || 5 } };
}

export interface EnsureResult {
  created: boolean;
  addedIndexes: string[];
}

/** Creates the table if absent and adds any missing index, one at a time as DynamoDB requires. */
export async function ensureTable(client: DynamoDBClient, tableName: string, timeoutMs = 600_000): Promise<EnsureResult> {
  let table = await describe(client, tableName);
  const result: EnsureResult = { created: false, addedIndexes: [] };
  if (!table) {
    try {
      await client.send(new CreateTableCommand(createTableInput(tableName)));
      result.created = true;
    } catch (err) {
      // Another process (a second server instance) created it first: that is fine.
      if ((err as Error).name !== 'ResourceInUseException') throw err;
    }
    await waitUntilUsable(client, tableName, timeoutMs);
  }
  // A table the labs built has no TTL: open games would never expire there.
  await enableTtl(client, tableName);
  for (const index of TABLE.indexes) {
    table = await waitUntilUsable(client, tableName, timeoutMs);
    if ((table.GlobalSecondaryIndexes ?? []).some((i) => i.IndexName === index.name)) continue;
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: attributeDefinitions([index.partitionKey, ...(index.sortKey ? [index.sortKey] : [])]),
        GlobalSecondaryIndexUpdates: [{ Create: { ...gsiInput(index), ...indexThroughput(table) } }],
      }),
    );
    result.addedIndexes.push(index.name);
  }
  await waitUntilUsable(client, tableName, timeoutMs);
  return result;
}

async function enableTtl(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    const current = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    const status = current.TimeToLiveDescription?.TimeToLiveStatus;
    if (status === 'ENABLED' || status === 'ENABLING') return;
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { Enabled: true, AttributeName: TABLE.ttlAttribute },
      }),
    );
  } catch (err) {
    // TTL is a convenience for temporary items; a table without it still serves every request.
    if ((err as Error).name !== 'ValidationException') throw err;
  }
}

export async function deleteTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new DeleteTableCommand({ TableName: tableName }));
}

export { describe as describeTable };
