// BatchGetItem done right: at most 100 keys a request, UnprocessedKeys retried with jittered
// exponential backoff up to a bound, results merged across attempts and returned in key order.
// BatchWriteItem likewise: at most 25 writes a request, UnprocessedItems retried up to a bound.
import type { NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import type { Db } from './db.js';
import { keyId, type Key } from '../keys.js';

export type Item = Record<string, NativeAttributeValue>;

export const BATCH_GET_LIMIT = 100;
export const BATCH_WRITE_LIMIT = 25;

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Injected so unit tests control time and chance. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 25, maxDelayMs: 1_000 };

/** "Full jitter" backoff: a random delay up to base * 2^attempt, capped. */
export function backoffDelay(attempt: number, policy: RetryPolicy): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor((policy.random ?? Math.random)() * cap);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class UnprocessedKeyError extends Error {
  constructor(key: Key, attempts: number) {
    super(`DynamoDB left ${key.PK} / ${key.SK} unprocessed after ${attempts} attempts.`);
    this.name = 'UnprocessedKeyError';
  }
}

/** Reads many keys: each result is the item, null when absent, or an Error for that key alone. */
export async function batchGetKeys(
  db: Db,
  keys: readonly Key[],
  policy: RetryPolicy = DEFAULT_RETRY,
  opts: { consistent?: boolean; attributes?: readonly string[] } = {},
): Promise<(Item | null | Error)[]> {
  // Each key's id is made once here and once for each item read back: on a page of 100 profiles
  // this is on every list's path.
  const ids = keys.map(keyId);
  const unique = new Map<string, Key>();
  for (let i = 0; i < keys.length; i++) if (!unique.has(ids[i]!)) unique.set(ids[i]!, { PK: keys[i]!.PK, SK: keys[i]!.SK });
  const found = new Map<string, Item>();
  const failed = new Map<string, Error>();
  const chunks: Key[][] = [];
  const all = [...unique.values()];
  for (let i = 0; i < all.length; i += BATCH_GET_LIMIT) chunks.push(all.slice(i, i + BATCH_GET_LIMIT));
  const request = { ...(opts.consistent ? { ConsistentRead: true } : {}), ...projection(opts.attributes) };
  await Promise.all(chunks.map((chunk) => readChunk(db, chunk, policy, request, found, failed)));
  if (failed.size === 0) return ids.map((id) => found.get(id) ?? null);
  return ids.map((id) => failed.get(id) ?? found.get(id) ?? null);
}

async function readChunk(
  db: Db,
  chunk: Key[],
  policy: RetryPolicy,
  request: { ConsistentRead?: boolean; ProjectionExpression?: string; ExpressionAttributeNames?: Record<string, string> },
  found: Map<string, Item>,
  failed: Map<string, Error>,
) {
  let pending = chunk;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt >= policy.maxAttempts) {
      for (const k of pending) failed.set(keyId(k), new UnprocessedKeyError(k, attempt));
      return;
    }
    if (attempt > 0) await (policy.sleep ?? sleep)(backoffDelay(attempt, policy));
    const out = await db.batchGet({
      RequestItems: { [db.tableName]: { Keys: pending, ...request } },
    });
    for (const item of out.Responses?.[db.tableName] ?? []) found.set(keyId(item as Key), item);
    pending = (out.UnprocessedKeys?.[db.tableName]?.Keys ?? []) as Key[];
  }
}

type Projection = { ProjectionExpression?: string; ExpressionAttributeNames?: Record<string, string> };

// The attribute list is one array per operation document (graphql/projection.ts caches it), so its
// expression is built once per document, not once per BatchGetItem.
const projections = new WeakMap<readonly string[], Projection>();

/** A ProjectionExpression for these attributes (by placeholder: many are reserved words), or nothing to read whole items. */
function projection(attributes: readonly string[] | undefined): Projection {
  if (!attributes) return {};
  let p = projections.get(attributes);
  if (!p) {
    const names: Record<string, string> = {};
    attributes.forEach((a, i) => (names[`#p${i}`] = a));
    p = { ProjectionExpression: Object.keys(names).join(', '), ExpressionAttributeNames: names };
    projections.set(attributes, p);
  }
  return p;
}

/** A put or a delete, as BatchWriteItem takes them. */
export type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Key } };

/** Up to 25 writes in one BatchWriteItem, UnprocessedItems retried with backoff; throws when some outlast the policy. */
export async function writeBatch(db: Db, requests: readonly WriteRequest[], policy: RetryPolicy = DEFAULT_RETRY): Promise<void> {
  let pending = [...requests];
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt >= policy.maxAttempts) throw new Error(`${pending.length} writes stayed unprocessed after ${attempt} attempts.`);
    if (attempt > 0) await (policy.sleep ?? sleep)(backoffDelay(attempt, policy));
    const out = await db.batchWrite({ RequestItems: { [db.tableName]: pending } });
    pending = (out.UnprocessedItems?.[db.tableName] ?? []) as WriteRequest[];
  }
}
