// Table life cycle: create if absent, bring an existing table (a lab's) up to what the server
// needs, delete. Built from TABLE so every path makes the same table. Every command input is
// built here, once.
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTimeToLiveCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type TableDescription,
  type TimeToLiveDescription,
  type UpdateTableCommandInput,
  type UpdateTimeToLiveCommandInput,
} from '@aws-sdk/client-dynamodb';
import { TABLE, type IndexDefinition } from '../data/table.js';
import { metered, type CallListener, type CallSink } from '../data/dynamo/cost.js';
import { describeTable, tableConflicts, waitUntilUsable as waitUntil } from './table-state.js';

export { TableConflictError } from './table-state.js';

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

const streamSpecification = { StreamEnabled: true, StreamViewType: TABLE.stream };

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
    StreamSpecification: streamSpecification,
  };
}

/** The UpdateTable input that adds one index to an existing table, as the labs' add-index scripts do. */
export function addIndexInput(tableName: string, index: IndexDefinition, table: TableDescription): UpdateTableCommandInput {
  return {
    TableName: tableName,
    AttributeDefinitions: attributeDefinitions([index.partitionKey, ...(index.sortKey ? [index.sortKey] : [])]),
    GlobalSecondaryIndexUpdates: [{ Create: { ...gsiInput(index), ...indexThroughput(table) } }],
  };
}

/** The UpdateTable input that turns on the stream live updates read (the labs' tables have none). */
export function enableStreamInput(tableName: string): UpdateTableCommandInput {
  return { TableName: tableName, StreamSpecification: streamSpecification };
}

/** The UpdateTimeToLive input that lets DynamoDB delete temporary items (open games) when they expire. */
export function enableTtlInput(tableName: string): UpdateTimeToLiveCommandInput {
  return { TableName: tableName, TimeToLiveSpecification: { Enabled: true, AttributeName: TABLE.ttlAttribute } };
}

async function describeTtl(client: DynamoDBClient, tableName: string, sink: CallSink): Promise<TimeToLiveDescription | undefined> {
  const describe = () => client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  return (await metered('DescribeTimeToLive', undefined, describe, sink)).TimeToLiveDescription;
}

/**
 * An index of a provisioned table needs throughput of its own, or DynamoDB refuses it; the labs
 * create provisioned tables. It gets the table's own capacity. On-demand tables need none.
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
  /** This run turned the table's stream (new and old images) on: a lab's table has none. */
  enabledStream: boolean;
  /** This run turned TTL on for TABLE.ttlAttribute. */
  enabledTtl: boolean;
  /** What could not be done now and does not stop the table from serving (TTL being disabled). */
  warnings: string[];
}

/**
 * Creates the table if absent; otherwise gives it what the server needs and it lacks: the stream,
 * then each missing index, then TTL. DynamoDB takes one change to a table at a time, so each
 * waits until the table, its indexes and its stream are ready. A table whose stream or TTL is set
 * up differently is refused with the exact change to make (TableConflictError) before anything is
 * changed: replacing a stream or a TTL attribute would break whatever else relies on them.
 */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  opts: { timeoutMs?: number; onCall?: CallListener } = {},
): Promise<EnsureResult> {
  const { timeoutMs = 600_000, onCall } = opts;
  // Every call goes through the meter as source admin (main.ts reports them with the background work).
  const sink: CallSink = { source: 'admin', onCall };
  const waitUntilUsable = (shows?: (t: TableDescription) => boolean) => waitUntil(client, tableName, timeoutMs, shows, onCall);
  const result: EnsureResult = { created: false, addedIndexes: [], enabledStream: false, enabledTtl: false, warnings: [] };
  if (!(await describeTable(client, tableName, onCall))) {
    try {
      await metered('CreateTable', undefined, () => client.send(new CreateTableCommand(createTableInput(tableName))), sink);
      result.created = true;
    } catch (err) {
      // Another process (a second server instance) created it first: that is fine.
      if ((err as Error).name !== 'ResourceInUseException') throw err;
    }
  }
  let table = await waitUntilUsable();
  const ttl = await describeTtl(client, tableName, sink);
  tableConflicts(tableName, table, ttl);

  if (!hasStream(table)) {
    result.enabledStream = await change(enableStreamInput(tableName), hasStream);
  }
  for (const index of TABLE.indexes) {
    const hasIndex = (t: TableDescription) => (t.GlobalSecondaryIndexes ?? []).some((i) => i.IndexName === index.name);
    table = await waitUntilUsable();
    if (hasIndex(table)) continue;
    if (await change(addIndexInput(tableName, index, table), hasIndex)) result.addedIndexes.push(index.name);
  }
  // Last, once every table change is done. TTL is not waited for: DynamoDB may take up to an hour
  // to finish enabling it, and until then the server deletes expired games itself where it must.
  if (ttl?.TimeToLiveStatus === 'DISABLED' || !ttl?.TimeToLiveStatus) {
    try {
      await metered('UpdateTimeToLive', undefined, () => client.send(new UpdateTimeToLiveCommand(enableTtlInput(tableName))), sink);
      result.enabledTtl = true;
    } catch (err) {
      // Another process turned it on first, or DynamoDB refuses while a recent change to TTL is
      // still being applied (up to an hour): the table serves meanwhile.
      if ((err as Error).name !== 'ValidationException') throw err;
      const now = await describeTtl(client, tableName, sink);
      if (!(now?.AttributeName === TABLE.ttlAttribute && (now.TimeToLiveStatus === 'ENABLED' || now.TimeToLiveStatus === 'ENABLING'))) {
        result.warnings.push(
          `TTL on ${TABLE.ttlAttribute} could not be turned on now (${(err as Error).message}): run npm run table:create again later.`,
        );
      }
    }
  } else if (ttl.TimeToLiveStatus === 'DISABLING') {
    result.warnings.push(
      `TTL of table ${tableName} is being disabled: once it is DISABLED, run npm run table:create again to turn it on for ${TABLE.ttlAttribute}.`,
    );
  }
  return result;

  /**
   * Makes one change to the table and waits until the table shows it and is usable again, so the
   * next change is accepted. False when it failed because another process (a second server
   * starting) made the same change first.
   */
  async function change(input: UpdateTableCommandInput, shows: (t: TableDescription) => boolean): Promise<boolean> {
    try {
      await metered('UpdateTable', undefined, () => client.send(new UpdateTableCommand(input)), sink);
    } catch (err) {
      if (shows(await waitUntilUsable())) return false;
      throw err;
    }
    // DescribeTable may still show the table as it was just before: wait for the change itself.
    await waitUntilUsable(shows);
    return true;
  }
}

const hasStream = (t: TableDescription) => Boolean(t.StreamSpecification?.StreamEnabled && t.LatestStreamArn);

/** The lines table:create prints (and the start-up logs) for what ensureTable did. */
export function describeEnsured(tableName: string, r: EnsureResult): string[] {
  const changes = [
    ...(r.enabledStream ? [`enabled its stream (${TABLE.stream})`] : []),
    ...(r.addedIndexes.length ? [`added index(es): ${r.addedIndexes.join(', ')}`] : []),
    ...(r.enabledTtl ? [`turned on TTL for ${TABLE.ttlAttribute}`] : []),
  ];
  const head = r.created
    ? `Table ${tableName} created.`
    : changes.length
      ? `Table ${tableName} existed; ${changes.join('; ')}.`
      : `Table ${tableName} already exists with its stream, every index and TTL.`;
  return [head, ...r.warnings];
}

export async function deleteTable(client: DynamoDBClient, tableName: string, onCall?: CallListener): Promise<void> {
  await metered('DeleteTable', undefined, () => client.send(new DeleteTableCommand({ TableName: tableName })), { source: 'admin', onCall });
}
