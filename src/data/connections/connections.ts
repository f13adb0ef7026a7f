// The serverless WebSocket's state (API Gateway keeps the sockets; Lambda keeps nothing), kept in
// the one table as temporary data with the table's TTL attribute:
//
//   item               PK                   SK                          attributes
//   Connection         WSCONN#<conn>        #CONNECTION                 connection_id, callback_url, connected_at,
//                                                                       acknowledged, viewer, role, token_expires_at, expires_at
//   Its subscription   WSCONN#<conn>        SUB#<sub>                   topic, expires_at (a pointer: what to delete)
//   Topic subscriber   WSTOPIC#<topic>      SUB#<conn>#<sub>            connection_id, subscription_id, callback_url, document,
//                                                                       variables, operation_name, viewer, role,
//                                                                       token_expires_at, caught_up, last_pos, resyncs, expires_at
//   Fan-out progress   WSTOPIC#<topic>      FAN#<position>              claimed, done, expires_at (fan-out.ts)
//   (and the replay window's events: replay.ts)
//
// Everything of one connection is one partition ($disconnect, GoneException: Query, then delete);
// the subscribers of one topic are another (fan-out: a consistent Query of the table, never a
// Scan; a GSI could not be read consistently, and a subscriber written just before an event must
// be seen). Every item expires a little after API Gateway's 2-hour connection maximum, so a
// $disconnect that never ran (it is best effort) costs storage for two hours at most. A live
// query's read set is more items of this kind (watches.ts: WSWATCH#<index>#<partition> /
// <conn>#<sub>), deleted the same way.
//
// This file holds the records, the writes and the fan-out read; removal.ts deletes them.
import type { Role, Viewer } from '../../auth.js';
import type { Item } from '../dynamo/batch.js';
import type { Db } from '../dynamo/db.js';
import { everyPage } from '../dynamo/pagination.js';
import { writeIf } from '../dynamo/transactions.js';
import { keys } from '../keys.js';
import { TABLE } from '../table.js';

/** API Gateway closes every connection after 2 hours; the items outlive it by a margin for clock skew and a slow $disconnect. */
export const CONNECTION_TTL_SECONDS = 2 * 3_600 + 10 * 60;

export interface ConnectionRecord {
  connectionId: string;
  /** Where PostToConnection for this connection goes (https://<domain>/<stage>). */
  callbackUrl: string;
  connectedAt: number;
  /** connection_init was accepted: subscribe is allowed. */
  acknowledged: boolean;
  viewer: Viewer | null;
  /** Epoch seconds: the table's TTL. */
  expiresAt: number;
}

export interface SubscriptionRecord {
  connectionId: string;
  subscriptionId: string;
  topic: string;
  callbackUrl: string;
  /** The subscribe message's operation, run again on every event (the subscriber's own selection). */
  document: string;
  variables: Record<string, unknown>;
  operationName: string | null;
  viewer: Viewer | null;
  /**
   * The position of the last event claimed for it (replay.ts), or its resume cursor: nothing at or
   * before it is posted. Moved only while a catch-up may race the delivery function (caughtUpAt).
   */
  lastPosition: string | null;
  /**
   * The catch-up's cut-off (ms, the routes function's clock): it posts kept events written up to
   * then. Null until recorded (or left unrecorded by a crash): any event may then race it.
   */
  caughtUpAt: number | null;
  expiresAt: number;
}

export function connectionExpiry(now: Date): number {
  return Math.floor(now.getTime() / 1000) + CONNECTION_TTL_SECONDS;
}

/** The viewer as the WebSocket's items keep it (the token itself is never stored). */
export const viewerAttributes = (v: Viewer | null) => ({
  viewer: v?.username ?? null,
  role: v?.role ?? null,
  token_expires_at: v?.expiresAt ?? null,
});

export function toViewer(item: Item): Viewer | null {
  if (typeof item.viewer !== 'string') return null;
  const role: Role | null = item.role === 'game-server' ? 'game-server' : null;
  return { username: item.viewer, role, ...(typeof item.token_expires_at === 'number' ? { expiresAt: item.token_expires_at } : {}) };
}

export function toConnection(item: Item): ConnectionRecord {
  if (typeof item.connection_id !== 'string' || typeof item.callback_url !== 'string') {
    throw new Error(`Malformed connection item ${String(item.PK)}`);
  }
  return {
    connectionId: item.connection_id,
    callbackUrl: item.callback_url,
    connectedAt: Number(item.connected_at),
    acknowledged: item.acknowledged === true,
    viewer: toViewer(item),
    expiresAt: Number(item[TABLE.ttlAttribute]),
  };
}

export function toSubscription(item: Item): SubscriptionRecord {
  const { connection_id, subscription_id, topic, callback_url, document } = item;
  if ([connection_id, subscription_id, topic, callback_url, document].some((v) => typeof v !== 'string')) {
    throw new Error(`Malformed subscriber item ${String(item.PK)} ${String(item.SK)}`);
  }
  return {
    connectionId: connection_id as string,
    subscriptionId: subscription_id as string,
    topic: topic as string,
    callbackUrl: callback_url as string,
    document: document as string,
    variables: (item.variables as Record<string, unknown> | undefined) ?? {},
    operationName: typeof item.operation_name === 'string' ? item.operation_name : null,
    viewer: toViewer(item),
    lastPosition: typeof item.last_pos === 'string' ? item.last_pos : null,
    caughtUpAt: typeof item.caught_up === 'number' ? item.caught_up : null,
    expiresAt: Number(item[TABLE.ttlAttribute]),
  };
}

// Open a connection ($connect): PutItem WSCONN#<conn> / #CONNECTION, not yet acknowledged.
export function openConnectionInput(tableName: string, c: Omit<ConnectionRecord, 'acknowledged' | 'viewer'>) {
  return {
    TableName: tableName,
    Item: {
      ...keys.ws.connection(c.connectionId),
      connection_id: c.connectionId,
      callback_url: c.callbackUrl,
      connected_at: c.connectedAt,
      acknowledged: false,
      [TABLE.ttlAttribute]: c.expiresAt,
    },
  };
}

export async function openConnection(db: Db, c: Omit<ConnectionRecord, 'acknowledged' | 'viewer'>): Promise<void> {
  await db.put(openConnectionInput(db.tableName, c));
}

// Read one connection: GetItem WSCONN#<conn> / #CONNECTION, consistent (its $connect may have just written it).
export async function getConnection(db: Db, connectionId: string): Promise<ConnectionRecord | null> {
  const out = await db.get({ TableName: db.tableName, Key: keys.ws.connection(connectionId), ConsistentRead: true });
  return out.Item ? toConnection(out.Item) : null;
}

// Acknowledge connection_init: UpdateItem WSCONN#<conn> / #CONNECTION if it exists and is not acknowledged yet.
export function acknowledgeInput(tableName: string, connectionId: string, viewer: Viewer | null) {
  const v = viewerAttributes(viewer);
  return {
    TableName: tableName,
    Key: keys.ws.connection(connectionId),
    UpdateExpression: 'SET acknowledged = :yes, viewer = :viewer, #role = :role, token_expires_at = :exp',
    ConditionExpression: 'attribute_exists(PK) AND acknowledged = :no',
    ExpressionAttributeNames: { '#role': 'role' },
    ExpressionAttributeValues: { ':yes': true, ':no': false, ':viewer': v.viewer, ':role': v.role, ':exp': v.token_expires_at },
  };
}

/** False when the connection is gone or was already acknowledged (a second connection_init). */
export async function acknowledgeConnection(db: Db, connectionId: string, viewer: Viewer | null): Promise<boolean> {
  return writeIf(db, { update: acknowledgeInput(db.tableName, connectionId, viewer) });
}

// Add a subscription: TransactWriteItems: ConditionCheck the connection exists + Put WSCONN#<conn> / SUB#<sub> if absent + Put the topic's subscriber item.
export function addSubscriptionInput(tableName: string, s: SubscriptionRecord) {
  const conn = keys.ws.connection(s.connectionId);
  return {
    TransactItems: [
      // Failing: the connection went ($disconnect raced this subscribe), so nothing is left behind.
      { ConditionCheck: { TableName: tableName, Key: conn, ConditionExpression: 'attribute_exists(PK)' } },
      // Failing: the client reused a live subscription id (graphql-ws: 4409).
      {
        Put: {
          TableName: tableName,
          Item: { ...keys.ws.subscription(s.connectionId, s.subscriptionId), topic: s.topic, [TABLE.ttlAttribute]: s.expiresAt },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      {
        Put: {
          TableName: tableName,
          Item: {
            ...keys.ws.topicSubscriber(s.topic, s.connectionId, s.subscriptionId),
            connection_id: s.connectionId,
            subscription_id: s.subscriptionId,
            topic: s.topic,
            callback_url: s.callbackUrl,
            document: s.document,
            variables: s.variables,
            operation_name: s.operationName,
            ...viewerAttributes(s.viewer),
            // A resumed subscription starts at its cursor: nothing at or before it is posted again.
            ...(s.lastPosition ? { last_pos: s.lastPosition } : {}),
            [TABLE.ttlAttribute]: s.expiresAt,
          },
        },
      },
    ],
  };
}

/** 'added', or why not: the id is in use on this connection, or the connection is gone. */
export async function addSubscription(db: Db, s: SubscriptionRecord): Promise<'added' | 'duplicate' | 'gone'> {
  try {
    await db.transactWrite(addSubscriptionInput(db.tableName, s));
    return 'added';
  } catch (err) {
    const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
    if (reasons?.[0]?.Code === 'ConditionalCheckFailed') return 'gone';
    if (reasons?.[1]?.Code === 'ConditionalCheckFailed') return 'duplicate';
    throw err;
  }
}

// A topic's subscribers (fan-out): Query table PK = WSTOPIC#<topic> AND begins_with(SK, SUB#), consistent, every page.
export async function* topicSubscribers(db: Db, topic: string): AsyncGenerator<SubscriptionRecord[]> {
  const pages = everyPage((start) =>
    db.query({
      TableName: db.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :sub)',
      ExpressionAttributeValues: { ':pk': keys.ws.topicPk(topic), ':sub': keys.ws.subscriberSkPrefix },
      ConsistentRead: true,
      ExclusiveStartKey: start,
    }),
  );
  for await (const items of pages) yield items.map(toSubscription);
}
