// A fresh table in the shared DynamoDB Local, for tests of src/data below the GraphQL layer.
import { randomUUID } from 'node:crypto';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { isLoopback } from '../../src/config.js';
import { ensureTable } from '../../src/ops/admin.js';
import { createClients, type DynamoClients } from '../../src/data/dynamo/client.js';

export async function freshTable(): Promise<{ tableName: string; clients: DynamoClients; endpoint: string }> {
  const endpoint = inject('dynamoEndpoint');
  if (!isLoopback(endpoint)) throw new Error(`Refusing to run against ${endpoint}: loopback only.`);
  const tableName = `test-${randomUUID().slice(0, 8)}`;
  const clients = createClients({ endpoint, region: 'local', timeoutMs: 5_000, maxAttempts: 3 });
  await ensureTable(clients.raw, tableName);
  return { tableName, clients, endpoint };
}

/** A table as the photo lab's create_table.py makes it: PROVISIONED 5/5, keys PK/SK, no index (every lab script: labs.ts). */
export function labTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    KeySchema: [
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [
      { AttributeName: 'PK', AttributeType: 'S' },
      { AttributeName: 'SK', AttributeType: 'S' },
    ],
    ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
  };
}
