// The delivery function's reads of the watch items (their layout: watches.ts): the live queries
// watching one partition a stream record touches, and those whose result depended on an expiry now
// past. Both are consistent Queries of one partition of the table, never a Scan.
import type { Db } from '../dynamo/db.js';
import { everyPage } from '../dynamo/pagination.js';
import { keys } from '../keys.js';
import type { Watch } from './watches.js';

/** One watch as the delivery function reads it. */
export interface WatchHit {
  connectionId: string;
  subscriptionId: string;
  ranges: Watch['ranges'];
}

// The live queries watching one partition of the table or an index (delivery): Query table PK = WSWATCH#<index>[#<partition>], consistent, every page.
export async function* watchers(db: Db, index: string, partition: string | null): AsyncGenerator<WatchHit[]> {
  const pages = everyPage((start) =>
    db.query({
      TableName: db.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.ws.watchPk(index, partition) },
      ConsistentRead: true,
      ExclusiveStartKey: start,
    }),
  );
  for await (const items of pages) {
    yield items.map((it) => ({
      connectionId: String(it.connection_id),
      subscriptionId: String(it.subscription_id),
      ranges: JSON.parse(String(it.ranges)) as WatchHit['ranges'],
    }));
  }
}

// Live queries whose result depended on an expiry now past (delivery, each batch): Query table PK = WSWATCH#@EXPIRY AND SK < <now>, consistent, every page.
export async function expiredWatchers(db: Db, now: Date): Promise<{ connectionId: string; subscriptionId: string }[]> {
  const out: { connectionId: string; subscriptionId: string }[] = [];
  const pages = everyPage((start) =>
    db.query({
      TableName: db.tableName,
      KeyConditionExpression: 'PK = :pk AND SK < :now',
      ExpressionAttributeValues: { ':pk': keys.ws.expiryWatchPk(), ':now': keys.ws.expiryWatchBefore(now.getTime() / 1000) },
      ConsistentRead: true,
      ExclusiveStartKey: start,
    }),
  );
  for await (const items of pages) {
    for (const it of items) {
      // <expiry>#<connection id, no '#'>#<subscription id, any '#'>
      const [, connectionId, ...rest] = String(it.SK).split('#');
      if (connectionId && rest.length) out.push({ connectionId, subscriptionId: rest.join('#') });
    }
  }
  return out;
}
