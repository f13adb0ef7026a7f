// A @live query on the serverless flavour, kept in the table beside the connection's other items
// (the layout is in connections.ts and keys.ts), with the table's TTL attribute:
//
//   item               PK                            SK                     attributes
//   Live query         WSCONN#<conn>                 SUB#<sub>              kind = live, callback_url, document, variables,
//                                                                           operation_name, viewer, role, token_expires_at,
//                                                                           revision, hash, watches (JSON), earliest_expiry,
//                                                                           expires_at
//   Watch              WSWATCH#<index>#<partition>   <conn>#<sub>           connection_id, subscription_id, ranges (JSON), expires_at
//   Whole-index watch  WSWATCH#<index>               <conn>#<sub>           (a Scan of a sparse index)
//
// The live query item sits where a subscription's pointer sits, so it counts against the
// per-connection subscription limit, its id cannot be reused, and "everything of one connection"
// finds it (removal.ts deletes its watches with it). The watches are the read set filed by
// (table or index, partition): the delivery function finds the live queries a record concerns with
// one consistent Query per (index, partition) the record's old and new images have (src/live/query/match.ts's
// recordSlots), then refines by the stored sort-key ranges, as the container's matcher does.
// The delivery function's reads of them are in watchers.ts.
import type { Viewer } from '../../auth.js';
import { BATCH_WRITE_LIMIT, writeBatch, type Item } from '../dynamo/batch.js';
import type { Db } from '../dynamo/db.js';
import type { ReadRange } from '../dynamo/read-set.js';
import { writeIf } from '../dynamo/transactions.js';
import { keys, type Key } from '../keys.js';
import { TABLE } from '../table.js';
import { toViewer, viewerAttributes } from './connections.js';

/** The read set of one (table or index, partition): `partition` null is the whole index. */
export interface Watch {
  index: string;
  partition: string | null;
  ranges: Omit<ReadRange, 'index' | 'partition'>[];
}

export interface LiveQueryRecord {
  connectionId: string;
  subscriptionId: string;
  callbackUrl: string;
  document: string;
  variables: Record<string, unknown>;
  operationName: string | null;
  viewer: Viewer | null;
  /** The revision last posted (1 for the first result). */
  revision: number;
  /** The last posted result's hash: a re-run giving the same hash posts nothing. */
  hash: string;
  watches: Watch[];
  /** Epoch seconds: the earliest expiry the last result depended on (an open game's). */
  earliestExpiry: number | null;
  expiresAt: number;
}

/** The read set's ranges filed by (index, partition). */
export function watchesOf(ranges: readonly ReadRange[]): Watch[] {
  const by = new Map<string, Watch>();
  for (const { index, partition, ...range } of ranges) {
    const id = `${index}\u0000${partition ?? ''}`;
    let w = by.get(id);
    if (!w) by.set(id, (w = { index, partition, ranges: [] }));
    w.ranges.push(range);
  }
  return [...by.values()];
}

export const isLiveQueryItem = (item: Item) => item.kind === 'live';

/** The watch keys a live query item holds (for its removal). */
export function watchKeysOf(item: Item): Key[] {
  const watches = typeof item.watches === 'string' ? (JSON.parse(item.watches) as Watch[]) : [];
  const connectionId = String(item.connection_id);
  const subscriptionId = keys.ws.parseSubscriptionSk(String(item.SK));
  const out = watches.map((w) => keys.ws.watch(w.index, w.partition, connectionId, subscriptionId));
  if (typeof item.earliest_expiry === 'number') out.push(keys.ws.expiryWatch(item.earliest_expiry, connectionId, subscriptionId));
  return out;
}

function toLiveQuery(item: Item): LiveQueryRecord {
  const { connection_id, subscription_id, callback_url, document, hash, watches } = item;
  if ([connection_id, subscription_id, callback_url, document, hash, watches].some((v) => typeof v !== 'string')) {
    throw new Error(`Malformed live query item ${String(item.PK)} ${String(item.SK)}`);
  }
  return {
    connectionId: connection_id as string,
    subscriptionId: subscription_id as string,
    callbackUrl: callback_url as string,
    document: document as string,
    variables: (item.variables as Record<string, unknown> | undefined) ?? {},
    operationName: typeof item.operation_name === 'string' ? item.operation_name : null,
    viewer: toViewer(item),
    revision: Number(item.revision),
    hash: hash as string,
    watches: JSON.parse(watches as string) as Watch[],
    earliestExpiry: typeof item.earliest_expiry === 'number' ? item.earliest_expiry : null,
    expiresAt: Number(item[TABLE.ttlAttribute]),
  };
}

function watchItem(q: LiveQueryRecord, w: Watch): Item {
  return {
    ...keys.ws.watch(w.index, w.partition, q.connectionId, q.subscriptionId),
    connection_id: q.connectionId,
    subscription_id: q.subscriptionId,
    ranges: JSON.stringify(w.ranges),
    [TABLE.ttlAttribute]: q.expiresAt,
  };
}

// Add a live query: TransactWriteItems: ConditionCheck the connection exists + Put WSCONN#<conn> / SUB#<sub> if absent; then its watches (putWatches).
export async function addLiveQuery(db: Db, q: LiveQueryRecord): Promise<'added' | 'duplicate' | 'gone'> {
  try {
    await db.transactWrite({
      TransactItems: [
        // Failing: the connection went ($disconnect raced this subscribe), so nothing is left behind.
        {
          ConditionCheck: { TableName: db.tableName, Key: keys.ws.connection(q.connectionId), ConditionExpression: 'attribute_exists(PK)' },
        },
        // Failing: the client reused a subscription id in use (graphql-ws: 4409).
        {
          Put: {
            TableName: db.tableName,
            Item: {
              ...keys.ws.subscription(q.connectionId, q.subscriptionId),
              kind: 'live',
              connection_id: q.connectionId,
              subscription_id: q.subscriptionId,
              callback_url: q.callbackUrl,
              document: q.document,
              variables: q.variables,
              operation_name: q.operationName,
              ...viewerAttributes(q.viewer),
              revision: q.revision,
              hash: q.hash,
              watches: JSON.stringify(q.watches),
              earliest_expiry: q.earliestExpiry,
              [TABLE.ttlAttribute]: q.expiresAt,
            },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
      ],
    });
  } catch (err) {
    const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
    if (reasons?.[0]?.Code === 'ConditionalCheckFailed') return 'gone';
    if (reasons?.[1]?.Code === 'ConditionalCheckFailed') return 'duplicate';
    throw err;
  }
  await replaceWatches(db, null, q);
  return 'added';
}

// Read one live query: GetItem WSCONN#<conn> / SUB#<sub>, consistent (a revision may have just been committed).
export async function getLiveQuery(db: Db, connectionId: string, subscriptionId: string): Promise<LiveQueryRecord | null> {
  const out = await db.get({ TableName: db.tableName, Key: keys.ws.subscription(connectionId, subscriptionId), ConsistentRead: true });
  return out.Item && isLiveQueryItem(out.Item) ? toLiveQuery(out.Item) : null;
}

// Commit a re-run: UpdateItem WSCONN#<conn> / SUB#<sub> SET revision, hash, watches, earliest_expiry if revision and hash are still the ones read.
export async function commitRevision(db: Db, before: LiveQueryRecord, after: LiveQueryRecord): Promise<boolean> {
  return writeIf(db, {
    update: {
      TableName: db.tableName,
      Key: keys.ws.subscription(before.connectionId, before.subscriptionId),
      UpdateExpression: 'SET revision = :rev, #hash = :hash, watches = :watches, earliest_expiry = :exp',
      // Failing: another writer (the subscribe's check run, a concurrent batch) moved it on, or it was removed.
      ConditionExpression: 'revision = :was AND #hash = :wasHash',
      ExpressionAttributeNames: { '#hash': 'hash' },
      ExpressionAttributeValues: {
        ':rev': after.revision,
        ':hash': after.hash,
        ':watches': JSON.stringify(after.watches),
        ':exp': after.earliestExpiry,
        ':was': before.revision,
        ':wasHash': before.hash,
      },
    },
  });
}

/**
 * Puts the watches that are new or changed and deletes those gone, the expiry watch included: a
 * read set that did not move costs nothing.
 */
export async function replaceWatches(db: Db, before: LiveQueryRecord | null, after: LiveQueryRecord): Promise<void> {
  const id = (w: Watch) => `${w.index}\u0000${w.partition ?? ''}`;
  const { connectionId: c, subscriptionId: sub } = after;
  const had = new Map((before?.watches ?? []).map((w) => [id(w), JSON.stringify(w.ranges)]));
  const keep = new Set(after.watches.map(id));
  const puts: Item[] = after.watches.filter((w) => had.get(id(w)) !== JSON.stringify(w.ranges)).map((w) => watchItem(after, w));
  const gone = (before?.watches ?? []).filter((w) => !keep.has(id(w))).map((w) => keys.ws.watch(w.index, w.partition, c, sub));
  const [was, is] = [before?.earliestExpiry ?? null, after.earliestExpiry];
  if (was !== is) {
    if (was !== null) gone.push(keys.ws.expiryWatch(was, c, sub));
    if (is !== null) puts.push({ ...keys.ws.expiryWatch(is, c, sub), [TABLE.ttlAttribute]: after.expiresAt });
  }
  const writes = [...puts.map((Item) => ({ PutRequest: { Item } })), ...gone.map((Key) => ({ DeleteRequest: { Key } }))];
  await writeWatches(db, writes);
}

// Put and delete watches: BatchWriteItem of WSWATCH#<index>[#<partition>] / <conn>#<sub>, 25 at a time.
async function writeWatches(db: Db, writes: Parameters<typeof writeBatch>[1]): Promise<void> {
  for (let i = 0; i < writes.length; i += BATCH_WRITE_LIMIT) await writeBatch(db, writes.slice(i, i + BATCH_WRITE_LIMIT));
}
