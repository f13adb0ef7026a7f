// The requests AWS's two DynamoDB labs send to build their table, exactly as their Python scripts
// send them (boto3 client calls), so tests build the table a lab's user has.
// Game lab ("Modeling Game Player Data", aws-samples/amazon-dynamodb-labs, content/game-player-data):
//   scripts/create_table.py, add_secondary_index.py (OpenGamesIndex), add_inverted_index.py.
// Photo lab ("Design a Database for a Mobile App", quick-photos.tar): scripts/create_table.py,
//   add_inverted_index.py.
import {
  CreateTableCommand,
  UpdateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type UpdateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { waitUntilUsable } from '../../src/ops/table-state.js';

export type Lab = 'game' | 'photos';

const keys = (tableName: string, capacity: number): CreateTableCommandInput => ({
  TableName: tableName,
  AttributeDefinitions: [
    { AttributeName: 'PK', AttributeType: 'S' },
    { AttributeName: 'SK', AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: 'PK', KeyType: 'HASH' },
    { AttributeName: 'SK', KeyType: 'RANGE' },
  ],
  ProvisionedThroughput: { ReadCapacityUnits: capacity, WriteCapacityUnits: capacity },
});

/** An add-index script's UpdateTable: its attribute definitions in the script's order, then the index. */
const addIndex = (
  tableName: string,
  name: string,
  attributes: string[],
  [hash, range]: [string, string],
  capacity: number,
): UpdateTableCommandInput => ({
  TableName: tableName,
  AttributeDefinitions: attributes.map((a) => ({ AttributeName: a, AttributeType: 'S' })),
  GlobalSecondaryIndexUpdates: [
    {
      Create: {
        IndexName: name,
        KeySchema: [
          { AttributeName: hash, KeyType: 'HASH' },
          { AttributeName: range, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
        ProvisionedThroughput: { ReadCapacityUnits: capacity, WriteCapacityUnits: capacity },
      },
    },
  ],
});

/** Each lab's scripts in the order its user runs them: CreateTable, then one UpdateTable per index. */
export function labScripts(lab: Lab, tableName: string): { create: CreateTableCommandInput; indexes: UpdateTableCommandInput[] } {
  if (lab === 'game') {
    return {
      create: keys(tableName, 1),
      indexes: [
        addIndex(tableName, 'OpenGamesIndex', ['map', 'open_timestamp'], ['map', 'open_timestamp'], 1),
        addIndex(tableName, 'InvertedIndex', ['PK', 'SK'], ['SK', 'PK'], 1),
      ],
    };
  }
  return { create: keys(tableName, 5), indexes: [addIndex(tableName, 'InvertedIndex', ['PK', 'SK'], ['SK', 'PK'], 10)] };
}

/**
 * Runs a lab's scripts against `client`, waiting between them as the lab tells its user to
 * (until the table, then each new index, is ACTIVE).
 */
export async function buildLabTable(client: DynamoDBClient, lab: Lab, tableName: string): Promise<void> {
  const { create, indexes } = labScripts(lab, tableName);
  await client.send(new CreateTableCommand(create));
  await waitUntilUsable(client, tableName, 120_000);
  for (const update of indexes) {
    await client.send(new UpdateTableCommand(update));
    await waitUntilUsable(client, tableName, 120_000);
  }
}

/** The game lab's join_game.py: the player's item and the game's count in one transaction, as a program outside the API sends it. */
export function labJoinCommand(tableName: string, gameId: string, username: string): TransactWriteCommand {
  return new TransactWriteCommand({
    TransactItems: [
      {
        Put: {
          TableName: tableName,
          Item: { PK: `GAME#${gameId}`, SK: `USER#${username}`, game_id: gameId, username },
          ConditionExpression: 'attribute_not_exists(SK)',
        },
      },
      {
        Update: {
          TableName: tableName,
          Key: { PK: `GAME#${gameId}`, SK: `#METADATA#${gameId}` },
          UpdateExpression: 'SET people = people + :p',
          ConditionExpression: 'people < :limit',
          ExpressionAttributeValues: { ':p': 1, ':limit': 50 },
        },
      },
    ],
  });
}
