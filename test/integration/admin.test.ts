// Table management against its own DynamoDB Local: adding an index makes DynamoDB Local back-fill
// it, which can stall for minutes behind the other test files' load on the shared instance.
import { CreateTableCommand, DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTableInput, ensureTable } from '../../src/ops/admin.js';
import { createClients, type DynamoClients } from '../../src/data/dynamo/client.js';
import { startDynamoLocal, type EmbeddedDynamo } from '../../src/ops/local.js';
import { TABLE } from '../../src/data/table.js';
import { labTableInput } from '../helpers/table.js';

let local: EmbeddedDynamo;
let c: DynamoClients;
beforeAll(async () => {
  local = await startDynamoLocal();
  c = createClients({ endpoint: local.endpoint, region: 'local', timeoutMs: 30_000, maxAttempts: 3 });
});
afterAll(async () => {
  c.raw.destroy();
  await local.stop();
});

/** What ensureTable reports when the table already had everything. */
const nothing = { created: false, enabledStream: false, addedIndexes: [], enabledTtl: false, warnings: [] };
const describeTable = async (name: string) => (await c.raw.send(new DescribeTableCommand({ TableName: name }))).Table!;

describe('the table', () => {
  it('is created once with every index, and a second run changes nothing', async () => {
    expect(await ensureTable(c.raw, 'fresh')).toEqual({ ...nothing, created: true, enabledTtl: true });
    expect(await ensureTable(c.raw, 'fresh')).toEqual(nothing);
    const t = await describeTable('fresh');
    const expected = createTableInput('fresh');
    expect(t.KeySchema).toEqual(expected.KeySchema);
    expect(t.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(t.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect((t.GlobalSecondaryIndexes ?? []).map((i) => [i.IndexName, i.KeySchema, i.Projection?.ProjectionType]).sort()).toEqual(
      (expected.GlobalSecondaryIndexes ?? []).map((i) => [i.IndexName, i.KeySchema, 'ALL']).sort(),
    );
  });

  it('gains the missing indexes of a table built by the labs, and a second run changes nothing', async () => {
    const name = 'lab-built';
    await c.raw.send(
      new CreateTableCommand({
        TableName: name,
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'PK', AttributeType: 'S' },
          { AttributeName: 'SK', AttributeType: 'S' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'InvertedIndex',
            KeySchema: [
              { AttributeName: 'SK', KeyType: 'HASH' },
              { AttributeName: 'PK', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    expect(await ensureTable(c.raw, name)).toEqual({
      ...nothing,
      enabledStream: true,
      addedIndexes: TABLE.indexes.map((i) => i.name).filter((n) => n !== 'InvertedIndex'),
      enabledTtl: true,
    });
    expect(await ensureTable(c.raw, name)).toEqual(nothing);
    const t = await describeTable(name);
    expect((t.GlobalSecondaryIndexes ?? []).map((i) => [i.IndexName, i.IndexStatus]).sort()).toEqual(
      TABLE.indexes.map((i) => [i.name, 'ACTIVE']).sort(),
    );
  }, 120_000);

  // Exactly as the labs' create_table.py scripts make them: PROVISIONED 5/5, keys PK/SK, no index.
  it.each(['battle-royale', 'quick-photos'])(
    'gives %s, a provisioned table as its lab creates it, every index with the table throughput',
    async (name) => {
      await c.raw.send(new CreateTableCommand(labTableInput(name)));
      expect(await ensureTable(c.raw, name)).toEqual({
        ...nothing,
        enabledStream: true,
        addedIndexes: TABLE.indexes.map((i) => i.name),
        enabledTtl: true,
      });
      expect(await ensureTable(c.raw, name)).toEqual(nothing);
      const t = await describeTable(name);
      expect(
        (t.GlobalSecondaryIndexes ?? [])
          .map((i) => [i.IndexName, i.IndexStatus, i.ProvisionedThroughput?.ReadCapacityUnits, i.ProvisionedThroughput?.WriteCapacityUnits])
          .sort(),
      ).toEqual(TABLE.indexes.map((i) => [i.name, 'ACTIVE', 5, 5]).sort());
      // And TTL on the lab's table, so open games expire there too.
      const ttl = await c.raw.send(new DescribeTimeToLiveCommand({ TableName: name }));
      expect(ttl.TimeToLiveDescription).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: TABLE.ttlAttribute });
    },
    180_000,
  );
});
