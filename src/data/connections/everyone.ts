// Every topic that has subscribers, and every open live query, for the one RESYNC that cannot name
// its topics: a stream batch Lambda gave up on and the stream no longer holds
// (data/connections/connections.ts and watches.ts have the layout).
// No item lists the topics, and a Scan would read every game, user and photo of the table to find
// them. The key design already has a cheaper way: every connection item has the sort key
// #CONNECTION, so InvertedIndex's partition SK = #CONNECTION holds every connection and nothing
// else; each connection's own partition then names its subscriptions' topics and holds its live
// queries (SUB#<sub> items of kind live): one walk finds both. The watch items cannot stand in: a
// live query whose read set is empty, or only an expiry, has none, and they repeat per partition.
// Reads grow with the connections open (about one Query of a small partition each), never with
// the table's data.
import type { Db } from '../dynamo/db.js';
import { everyPage } from '../dynamo/pagination.js';
import { keys } from '../keys.js';
import { INVERTED_INDEX } from '../table.js';
import { connectionItems } from './removal.js';
import { isLiveQueryItem } from './watches.js';

// Every open connection: Query InvertedIndex SK = #CONNECTION, every page, keys only (an index, so eventually consistent: a connection opened in the last second is missed, and one that new needs no RESYNC).
export async function* allConnectionIds(db: Db): AsyncGenerator<string[]> {
  const pages = everyPage((start) =>
    db.query({
      TableName: db.tableName,
      IndexName: INVERTED_INDEX,
      KeyConditionExpression: 'SK = :sk',
      ExpressionAttributeValues: { ':sk': keys.ws.connectionSk },
      ProjectionExpression: 'connection_id',
      ExclusiveStartKey: start,
    }),
  );
  for await (const items of pages) yield items.map((it) => it.connection_id).filter((id): id is string => typeof id === 'string');
}

export interface OpenSubscriptions {
  topics: Set<string>;
  liveQueries: { connectionId: string; subscriptionId: string }[];
}

// The topics of every subscription open now, and every live query: allConnectionIds, then each connection's partition (connectionItems: Query PK = WSCONN#<conn>, consistent).
export async function openSubscriptions(db: Db): Promise<OpenSubscriptions> {
  const out: OpenSubscriptions = { topics: new Set(), liveQueries: [] };
  for await (const ids of allConnectionIds(db)) {
    for (const id of ids) {
      for (const it of await connectionItems(db, id)) {
        if (typeof it.topic === 'string') out.topics.add(it.topic);
        if (isLiveQueryItem(it) && typeof it.subscription_id === 'string') {
          out.liveQueries.push({ connectionId: id, subscriptionId: it.subscription_id });
        }
      }
    }
  }
  return out;
}
