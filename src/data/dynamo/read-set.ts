// What an execution read, as the engine saw it: every GetItem/BatchGetItem key (found or not), every
// Query's key condition as a partition and sort-key range on the table or an index, cut down to the
// part the Query actually covered (ExclusiveStartKey, and LastEvaluatedKey when Limit stopped it),
// and a Scan as its whole index. Db records into it (db.ts), so an access pattern written tomorrow
// is covered without code of its own. A live query re-runs only when a stream record touches this.
//
// Every fallback over-approximates: a key condition this parser does not understand counts as the
// whole partition (or the whole index), which costs a needless re-run, never a missed one.
import type { NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import { keyAttributes, TABLE } from '../table.js';

/** The table itself, among index names. */
export const TABLE_INDEX = 'table';

export interface Bound {
  value: string;
  inclusive: boolean;
}

/** A sort-key range within one partition of the table or an index; no bounds: the whole partition. */
export interface ReadRange {
  index: string;
  /** The partition value; null: the whole index (a Scan). */
  partition: string | null;
  lo?: Bound;
  hi?: Bound;
  /** begins_with(sort key, prefix). */
  prefix?: string;
}

type Values = Record<string, NativeAttributeValue> | undefined;

export interface QueryShape {
  IndexName?: string;
  KeyConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Values;
  ScanIndexForward?: boolean;
  ExclusiveStartKey?: Values;
}

export class ReadSet {
  readonly ranges: ReadRange[] = [];
  private readonly exact = new Set<string>();
  /**
   * What each index read returned, by table key, kept only until the run is checked against the
   * record that caused it (src/live/query/index-lag.ts), then dropped with dropItems().
   */
  indexItems: Map<string, Map<string, Record<string, NativeAttributeValue>>> | undefined = new Map();
  /** The earliest future `expires_at` (epoch seconds) of any item read: reads hide an expired item, so the result changes then. */
  earliestExpiry: number | undefined;

  /** @param since epoch seconds when the execution began: expiries at or before it are already hidden. */
  constructor(private readonly since: number) {}

  /** Ranges plus exact keys: what the live query's memory and matching cost grow with. */
  get size(): number {
    return this.ranges.length;
  }

  /** GetItem / BatchGetItem: each requested key, found or not (an absent item that appears must count). */
  key(key: { PK: string; SK: string }): void {
    const id = tableKeyId(key);
    if (this.exact.has(id)) return;
    this.exact.add(id);
    const at = { value: key.SK, inclusive: true };
    this.ranges.push({ index: TABLE_INDEX, partition: key.PK, lo: at, hi: at });
  }

  /** A Scan: the whole table or the whole (sparse) index. */
  scan(index: string | undefined): void {
    const name = index ?? TABLE_INDEX;
    if (!this.ranges.some((r) => r.index === name && r.partition === null)) this.ranges.push({ index: name, partition: null });
  }

  /** A Query page: its key condition, bounded by where it started and, when it stopped early, where it stopped. */
  query(input: QueryShape, lastEvaluatedKey: Values): void {
    const index = input.IndexName ?? TABLE_INDEX;
    const range = keyConditionRange(input);
    if (!range) return this.scan(input.IndexName);
    const sortName = sortKeyOf(input.IndexName);
    const forward = input.ScanIndexForward !== false;
    // Inclusive cuts: an item sharing the stop point's sort value (index sort keys need not be unique) still counts.
    const start = sortName ? stringAt(input.ExclusiveStartKey, sortName) : undefined;
    const stop = sortName ? stringAt(lastEvaluatedKey, sortName) : undefined;
    const cut = (edge: 'lo' | 'hi', value: string | undefined) => {
      if (value === undefined) return;
      const cur = range[edge];
      const tighter = !cur || (edge === 'lo' ? compareKeys(value, cur.value) > 0 : compareKeys(value, cur.value) < 0);
      if (tighter) range[edge] = { value, inclusive: true };
    };
    cut(forward ? 'lo' : 'hi', start);
    cut(forward ? 'hi' : 'lo', stop);
    this.ranges.push({ index, ...range });
  }

  /** Notes what a secondary index read returned (see indexItems); an empty read counts too. */
  indexRead(index: string, items: readonly Record<string, NativeAttributeValue>[]): void {
    if (!this.indexItems) return;
    let seen = this.indexItems.get(index);
    if (!seen) this.indexItems.set(index, (seen = new Map()));
    for (const item of items)
      if (typeof item.PK === 'string' && typeof item.SK === 'string') seen.set(tableKeyId({ PK: item.PK, SK: item.SK }), item);
  }

  dropItems(): void {
    this.indexItems = undefined;
  }

  /** Notes an item read: its expiry, if it is still ahead. */
  item(item: Record<string, NativeAttributeValue> | undefined): void {
    const at = item?.[TABLE.ttlAttribute];
    if (typeof at === 'number' && at > this.since && (this.earliestExpiry === undefined || at < this.earliestExpiry)) {
      this.earliestExpiry = at;
    }
  }
}

/** One string per table key. */
export const tableKeyId = (key: { PK: string; SK: string }) => `${key.PK}\u0000${key.SK}`;

const SURROGATE = /[\ud800-\udfff]/;

/** Byte order of the UTF-8 encodings, as DynamoDB compares string keys. */
export function compareKeys(a: string, b: string): number {
  // Without surrogate pairs (all the labs' keys), UTF-16 order is code point order, which is UTF-8 byte order.
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** True when an item with this sort value (undefined: the index has no sort key) falls in the range. */
export function inRange(range: ReadRange, sort: string | undefined): boolean {
  if (sort === undefined) return true;
  if (range.prefix !== undefined && !sort.startsWith(range.prefix)) return false;
  if (range.lo) {
    const c = compareKeys(sort, range.lo.value);
    if (c < 0 || (c === 0 && !range.lo.inclusive)) return false;
  }
  if (range.hi) {
    const c = compareKeys(sort, range.hi.value);
    if (c > 0 || (c === 0 && !range.hi.inclusive)) return false;
  }
  return true;
}

/** An item's key on the table and on every index it appears in (sparse indexes skip items lacking their keys). */
export function indexKeysOf(item: Record<string, unknown>): { index: string; partition: string; sort: string | undefined }[] {
  const out: { index: string; partition: string; sort: string | undefined }[] = [];
  const add = (index: string, pk: string, sk: string | undefined) => {
    const p = item[pk];
    const s = sk === undefined ? undefined : item[sk];
    if (typeof p !== 'string' || (sk !== undefined && typeof s !== 'string')) return;
    out.push({ index, partition: p, sort: s as string | undefined });
  };
  add(TABLE_INDEX, TABLE.partitionKey, TABLE.sortKey);
  for (const def of TABLE.indexes) add(def.name, def.partitionKey, def.sortKey);
  return out;
}

function sortKeyOf(index: string | undefined): string | undefined {
  if (index === undefined) return TABLE.sortKey;
  return keyAttributes(index)[3];
}

function partitionKeyOf(index: string | undefined): string {
  return index === undefined ? TABLE.partitionKey : keyAttributes(index)[2]!;
}

function stringAt(values: Values, name: string): string | undefined {
  const v = values?.[name];
  return typeof v === 'string' ? v : undefined;
}

const NAME = String.raw`([#A-Za-z_][\w#]*)`;
const VALUE = String.raw`(:[\w]+)`;
const EQ = new RegExp(String.raw`^${NAME}\s*=\s*${VALUE}$`);
const CMP = new RegExp(String.raw`^${NAME}\s*(<=|>=|<|>|=)\s*${VALUE}$`);
const BETWEEN = new RegExp(String.raw`^${NAME}\s+BETWEEN\s+${VALUE}\s+AND\s+${VALUE}$`, 'i');
const BEGINS = new RegExp(String.raw`^begins_with\s*\(\s*${NAME}\s*,\s*${VALUE}\s*\)$`, 'i');

/**
 * The partition and sort range of a key condition (`pk = :v [AND sk op :w | sk BETWEEN :a AND :b |
 * begins_with(sk, :p)]`), or null when it cannot be read (the caller then takes the whole index).
 */
export function keyConditionRange(input: QueryShape): Omit<ReadRange, 'index'> | null {
  const text = input.KeyConditionExpression?.trim();
  if (!text) return null;
  const name = (n: string) => (n.startsWith('#') ? input.ExpressionAttributeNames?.[n] : n);
  const value = (v: string) => input.ExpressionAttributeValues?.[v];
  const pkName = partitionKeyOf(input.IndexName);
  const skName = sortKeyOf(input.IndexName);
  // Split at the one top-level AND that is not BETWEEN's.
  const parts = splitConditions(text);
  let partition: string | undefined;
  const range: Omit<ReadRange, 'index' | 'partition'> = {};
  for (const part of parts) {
    let m = EQ.exec(part);
    if (m && name(m[1]!) === pkName) {
      const v = value(m[2]!);
      if (typeof v !== 'string') return null;
      partition = v;
      continue;
    }
    if ((m = BETWEEN.exec(part)) && name(m[1]!) === skName) {
      const a = value(m[2]!);
      const b = value(m[3]!);
      if (typeof a !== 'string' || typeof b !== 'string') continue;
      range.lo = { value: a, inclusive: true };
      range.hi = { value: b, inclusive: true };
    } else if ((m = BEGINS.exec(part)) && name(m[1]!) === skName) {
      const p = value(m[2]!);
      if (typeof p === 'string') range.prefix = p;
    } else if ((m = CMP.exec(part)) && name(m[1]!) === skName) {
      const v = value(m[3]!);
      if (typeof v !== 'string') continue;
      const op = m[2]!;
      if (op === '=' || op === '>=' || op === '>') range.lo = { value: v, inclusive: op !== '>' };
      if (op === '=' || op === '<=' || op === '<') range.hi = { value: v, inclusive: op !== '<' };
    }
    // Anything else narrows nothing here: the range stays wider, which is safe.
  }
  return partition === undefined ? null : { partition, ...range };
}

function splitConditions(text: string): string[] {
  const words = text.split(/\s+AND\s+/i);
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    // "x BETWEEN :a" + "AND" + ":b" belong together.
    if (/\sBETWEEN\s+:\w+$/i.test(words[i]!) && i + 1 < words.length) {
      out.push(`${words[i]} AND ${words[i + 1]}`);
      i++;
    } else out.push(words[i]!.trim());
  }
  return out;
}
