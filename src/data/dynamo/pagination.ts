// Relay connections over DynamoDB Query. Reads one item more than asked so hasNextPage is exact
// (no empty last page), and keeps reading when a filter drops items until the page is full.
import type { QueryCommandInput, ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import { badInput } from '../../errors.js';
import type { Item } from './batch.js';
import { decodeCursor, encodeCursor, type CursorKeys } from './cursor.js';
import type { Db } from './db.js';
import { keyAttributes } from '../table.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../page-size.js';

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

/**
 * Checks `first`: default 20, from 1 to 100, for every list alike. `first: 0` is refused: a page
 * of nothing cannot say whether a next page exists without reading one item, so rather than
 * answer hasNextPage differently per list, it is not a page size.
 */
export function pageSize(first: number | null | undefined, max = MAX_PAGE_SIZE): number {
  if (first === undefined || first === null) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > max) {
    throw badInput(`"first" must be a whole number from 1 to ${max}, got ${first}.`, 'first');
  }
  return first;
}

export interface PageRequest {
  /** The Query (or, with scan, the Scan) for the whole list; ExclusiveStartKey and Limit are set here. */
  input: QueryCommandInput | ScanCommandInput;
  /** Read the list with Scan: only for a sparse index that holds nothing but the list. */
  scan?: boolean;
  args: PageArgs;
  cursorKeys: CursorKeys;
  /** From listBinding(): the list this page belongs to. */
  binding: string;
  /** Items the list should skip (read but not returned), e.g. the game item in a game's partition. */
  filter?: (item: Item) => boolean;
}

export interface Page {
  items: Item[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  cursorFor: (item: Item) => string;
  /** The by-key reads of the items' related items, in the items' order, when they began as the items arrived (read-ahead.ts). */
  related?: Promise<readonly (Item | null | Error)[]>;
}

/** Checks `first` without throwing: true when pageSize() accepts it. */
export function isPageSize(first: unknown, max = MAX_PAGE_SIZE): first is number | null | undefined {
  return first === undefined || first === null || (Number.isInteger(first) && (first as number) >= 1 && (first as number) <= max);
}

/** Reads one page of a list: at most `first` items, with an exact hasNextPage. */
export async function queryPage(db: Db, req: PageRequest): Promise<Page> {
  const first = pageSize(req.args.first);
  const keyNames = keyAttributes(req.input.IndexName);
  let startKey = req.args.after ? positionFrom(decodeCursor(req.cursorKeys, req.binding, req.args.after), keyNames) : undefined;

  const collected: Item[] = [];
  while (collected.length <= first) {
    const want = first + 1 - collected.length;
    const step = {
      ...req.input,
      // A filtered list reads in larger steps, since some of what it reads is dropped.
      Limit: req.filter ? Math.max(want, 25) : want,
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    };
    const out = req.scan ? await db.scan(step) : await db.query(step as QueryCommandInput);
    for (const item of out.Items ?? []) if (!req.filter || req.filter(item)) collected.push(item);
    startKey = out.LastEvaluatedKey;
    if (!startKey) break;
  }
  return pageOf(req, collected);
}

/**
 * The page of `req` given the list's items from its start (or from `after`) in order: the first
 * `first` of them, with hasNextPage exact when at least one more was read or the list ended.
 */
export function pageOf(req: Pick<PageRequest, 'input' | 'args' | 'cursorKeys' | 'binding'>, read: Item[]): Page {
  const first = pageSize(req.args.first);
  const keyNames = keyAttributes(req.input.IndexName);
  return {
    items: read.slice(0, first),
    hasNextPage: read.length > first,
    hasPreviousPage: Boolean(req.args.after),
    cursorFor: (item: Item) => encodeCursor(req.cursorKeys, req.binding, pick(item, keyNames)),
  };
}

/**
 * An edge whose cursor is encrypted and signed only when a client reads it: most queries never ask
 * for edge cursors, and making one is the costliest part of an edge. A class rather than a closure
 * per edge: a page of 100 edges is on every list's hot path.
 */
class LazyEdge<T, S> implements Edge<T> {
  private made: string | undefined = undefined;
  constructor(
    readonly node: T,
    private readonly source: S,
    private readonly cursorOf: (source: S) => string,
  ) {}
  get cursor(): string {
    return (this.made ??= this.cursorOf(this.source));
  }
}

/** An edge for `node` whose cursor is cursorOf(source), made when first read; `extra` adds edge fields. */
export function lazyEdge<T, S, E extends object = object>(node: T, source: S, cursorOf: (source: S) => string, extra?: E): Edge<T> & E {
  return Object.assign(new LazyEdge(node, source, cursorOf), extra);
}

/** pageInfo whose start and end cursors, like lazyEdge's, are only made when read. */
export function lazyPageInfo(
  hasNextPage: boolean,
  hasPreviousPage: boolean,
  start?: Edge<unknown>,
  end?: () => string,
): Connection<unknown>['pageInfo'] {
  return {
    hasNextPage,
    hasPreviousPage,
    get startCursor() {
      return start?.cursor ?? null;
    },
    get endCursor() {
      return end ? end() : null;
    },
  };
}

/** Shapes a page into a Relay connection; `map` gets each item and its index in the page. */
export function toConnection<T>(page: Page, map: (item: Item, i: number) => T): Connection<T> {
  const edges = page.items.map((item, i) => lazyEdge(map(item, i), item, page.cursorFor));
  const last = edges.at(-1);
  return { edges, pageInfo: lazyPageInfo(page.hasNextPage, page.hasPreviousPage, edges[0], last && (() => last.cursor)) };
}

function pick(item: Item, names: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of names) out[n] = item[n];
  return out;
}

function positionFrom(value: Record<string, unknown>, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = value[n];
    if (typeof v !== 'string') throw badInput('The cursor is not valid for this list.', 'after');
    out[n] = v;
  }
  return out;
}

/**
 * Every page of a Query or Scan, in order, for work that must see every item (a sweep, a restart's
 * checkpoints); never for a client's list, which is paged for the client by queryPage.
 */
export async function* everyPage(
  read: (start: Record<string, unknown> | undefined) => Promise<{ Items?: Item[]; LastEvaluatedKey?: Record<string, unknown> }>,
): AsyncGenerator<Item[]> {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await read(start);
    yield page.Items ?? [];
    start = page.LastEvaluatedKey;
  } while (start);
}
