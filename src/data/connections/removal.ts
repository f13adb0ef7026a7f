// Removing the serverless WebSocket's items (the layout is in connections.ts): one subscription
// (complete), a connection's whole partition ($disconnect, GoneException), and expired items
// (TTL's stand-in locally); and which stream records are this bookkeeping, never events.
import { BATCH_WRITE_LIMIT, writeBatch, type Item } from '../dynamo/batch.js';
import type { Db } from '../dynamo/db.js';
import { everyPage } from '../dynamo/pagination.js';
import { keys, type Key } from '../keys.js';
import { TABLE } from '../table.js';
import { isLiveQueryItem, watchKeysOf } from './watches.js';

// Everything of one connection: Query table PK = WSCONN#<conn>, consistent, every page.
export async function connectionItems(db: Db, connectionId: string): Promise<Item[]> {
  const out: Item[] = [];
  const pages = everyPage((start) =>
    db.query({
      TableName: db.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.ws.connectionPk(connectionId) },
      ConsistentRead: true,
      ExclusiveStartKey: start,
    }),
  );
  for await (const items of pages) out.push(...items);
  return out;
}

// Remove one subscription or live query (complete): GetItem WSCONN#<conn> / SUB#<sub> (consistent, for its topic or watches), then BatchWriteItem deletes of it and them.
export async function removeSubscription(db: Db, connectionId: string, subscriptionId: string): Promise<boolean> {
  const key = keys.ws.subscription(connectionId, subscriptionId);
  const out = await db.get({ TableName: db.tableName, Key: key, ConsistentRead: true });
  if (out.Item && isLiveQueryItem(out.Item)) {
    await deleteKeys(db, [key, ...watchKeysOf(out.Item)]);
    return true;
  }
  if (typeof out.Item?.topic !== 'string') return false;
  await deleteKeys(db, [key, keys.ws.topicSubscriber(out.Item.topic, connectionId, subscriptionId)]);
  return true;
}

// Remove a connection, its subscriptions and live queries ($disconnect, GoneException): connectionItems, then BatchWriteItem deletes of them, their topic items and watches.
export async function removeConnection(db: Db, connectionId: string): Promise<number> {
  const items = await connectionItems(db, connectionId);
  const doomed: Key[] = [];
  for (const it of items) {
    doomed.push({ PK: String(it.PK), SK: String(it.SK) });
    if (typeof it.topic === 'string') {
      doomed.push(keys.ws.topicSubscriber(it.topic, connectionId, keys.ws.parseSubscriptionSk(String(it.SK))));
    }
    if (isLiveQueryItem(it)) doomed.push(...watchKeysOf(it));
  }
  await deleteKeys(db, doomed);
  return items.length;
}

// Expired WebSocket items (TTL's stand-in, local only): Scan table, filter begins_with(PK, WSCONN#|WSTOPIC#|WSREPLAY#|WSWATCH#) AND expires_at <= now, keys only.
export async function expiredConnectionKeys(db: Db, now: Date): Promise<Key[]> {
  const out: Key[] = [];
  const [conn, topic, replay, watch] = keys.ws.pkPrefixes;
  const pages = everyPage((start) =>
    db.scan({
      TableName: db.tableName,
      FilterExpression:
        '(begins_with(PK, :conn) OR begins_with(PK, :topic) OR begins_with(PK, :replay) OR begins_with(PK, :watch)) AND #ttl <= :now',
      ExpressionAttributeNames: { '#ttl': TABLE.ttlAttribute },
      ExpressionAttributeValues: {
        ':conn': conn,
        ':topic': topic,
        ':replay': replay,
        ':watch': watch,
        ':now': Math.floor(now.getTime() / 1000),
      },
      ProjectionExpression: 'PK, SK',
      ExclusiveStartKey: start,
    }),
  );
  for await (const items of pages) for (const it of items) out.push({ PK: String(it.PK), SK: String(it.SK) });
  return out;
}

/** Deletes keys in batches of 25 (unprocessed ones retried). */
export async function deleteKeys(db: Db, doomed: readonly Key[]): Promise<void> {
  for (let i = 0; i < doomed.length; i += BATCH_WRITE_LIMIT) {
    await writeBatch(
      db,
      doomed.slice(i, i + BATCH_WRITE_LIMIT).map((Key) => ({ DeleteRequest: { Key } })),
    );
  }
}

/** True for the WebSocket's own items, which never become events. */
export function isConnectionBookkeeping(key: Key): boolean {
  return keys.ws.pkPrefixes.some((p) => key.PK.startsWith(p));
}
