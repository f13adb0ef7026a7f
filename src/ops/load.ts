// Bulk loading in the labs' format: one JSON item per line, written with BatchWriteItem 25 at a
// time, UnprocessedItems retried with backoff.
import { readFileSync } from 'node:fs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BATCH_WRITE_LIMIT, writeBatch, type Item } from '../data/dynamo/batch.js';
import { CostMeter, type CallListener } from '../data/dynamo/cost.js';
import { Db } from '../data/dynamo/db.js';

/** Parses a .jsonl file; names the line of any item that is not an object with string PK and SK. */
export function readJsonl(path: string): Item[] {
  const items: Item[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      let item: unknown;
      try {
        item = JSON.parse(line);
      } catch {
        throw new Error(`${path}:${i + 1}: not valid JSON.`);
      }
      const it = item as Item;
      if (typeof it !== 'object' || it === null || typeof it.PK !== 'string' || typeof it.SK !== 'string') {
        throw new Error(`${path}:${i + 1}: an item needs string PK and SK attributes.`);
      }
      items.push(it);
    });
  return items;
}

/** Writes every item; returns how many were written. Calls are metered as source admin, reported to `onCall`. */
export async function loadItems(
  client: DynamoDBDocumentClient,
  tableName: string,
  items: readonly Item[],
  onCall?: CallListener,
): Promise<number> {
  const policy = { maxAttempts: 10, baseDelayMs: 50, maxDelayMs: 2_000 };
  const db = new Db(client, tableName, new CostMeter(), onCall, 'admin');
  const chunks: Item[][] = [];
  for (let i = 0; i < items.length; i += BATCH_WRITE_LIMIT) chunks.push(items.slice(i, i + BATCH_WRITE_LIMIT));
  let written = 0;
  // A few requests at a time: fast on DynamoDB Local, gentle on a fresh on-demand table.
  const queue = [...chunks];
  const worker = async () => {
    for (let chunk = queue.shift(); chunk; chunk = queue.shift()) {
      await writeBatch(
        db,
        chunk.map((Item) => ({ PutRequest: { Item } })),
        policy,
      );
      written += chunk.length;
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return written;
}

// Whether the table holds any item (demo data goes only into an empty one): Scan table, Limit 1, keys only.
export async function isTableEmpty(client: DynamoDBDocumentClient, tableName: string, onCall?: CallListener): Promise<boolean> {
  const db = new Db(client, tableName, new CostMeter(), onCall, 'admin');
  const out = await db.scan({ TableName: tableName, Limit: 1, ProjectionExpression: 'PK' });
  return (out.Items ?? []).length === 0 && !out.LastEvaluatedKey;
}
