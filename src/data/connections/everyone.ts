// Every topic that has subscribers, for the one RESYNC that cannot name its topics: a stream batch
// Lambda gave up on and the stream no longer holds (data/connections/connections.ts has the layout).
// No item lists the topics, and a Scan would read every game, user and photo of the table to find
// them. The key design already has a cheaper way: every connection item has the sort key
// #CONNECTION, so InvertedIndex's partition SK = #CONNECTION holds every connection and nothing
// else; each connection's own partition then names its subscriptions' topics. Reads grow with the
// connections open (about one Query of a small partition each), never with the table's data.
import type { Db } from '../dynamo/db.js';
import { everyPage } from '../dynamo/pagination.js';
import { keys } from '../keys.js';
import { INVERTED_INDEX } from '../table.js';
import { connectionItems } from './removal.js';

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

// The topics of every subscription open now: allConnectionIds, then each connection's partition (connectionItems: Query PK = WSCONN#<conn>, consistent).
export async function topicsWithSubscribers(db: Db): Promise<Set<string>> {
  const topics = new Set<string>();
  for await (const ids of allConnectionIds(db)) {
    for (const id of ids) for (const it of await connectionItems(db, id)) if (typeof it.topic === 'string') topics.add(it.topic);
  }
  return topics;
}
