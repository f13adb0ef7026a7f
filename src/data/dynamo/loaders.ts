// Per-request loaders. createLoaders() runs once per GraphQL request (in createContext), never at
// module level, so no cache outlives a request or leaks between viewers.
import DataLoader from 'dataloader';
import { BATCH_GET_LIMIT, batchGetKeys, DEFAULT_RETRY, type Item } from './batch.js';
import type { Db } from './db.js';
import { queryPage, type Page, type PageRequest } from './pagination.js';
import { ReadAhead } from './read-ahead.js';
import type { Arrival, SharedReads } from './shared-reads.js';
import { keyId, type Key } from '../keys.js';

export type ItemLoader = DataLoader<Key, Item | null, string>;

/** Runs list reads issued in the same tick together and hands their results back together. */
export type ListWave = DataLoader<() => Promise<unknown>, unknown>;

export interface Loaders {
  /** Every by-key read of any entity goes through this one loader, so users, games and photos requested in the same tick share BatchGetItem calls. */
  item: ItemLoader;
  /**
   * List Queries of one response level (the players of ten games, the followers of a page of
   * users) resolve together, so the by-key reads their resolvers make next fall into one
   * BatchGetItem wave instead of one per list.
   */
  lists: ListWave;
  /** Lists' first items that their parent's read brought along (see read-ahead.ts). */
  readAhead: ReadAhead;
  /**
   * The attributes `item`'s reads project, set once the operation is known (graphql/projection.ts):
   * one set for the whole request, the union of what every selection needs, so items any
   * selection reads still share one call. Unset: whole items.
   */
  attributes?: readonly string[];
}

/** A subscription's setup: its by-key reads go through the server's shared reads, joined from its arrival (shared-reads.ts). */
export interface SetupReads {
  shared: SharedReads;
  arrival: Arrival;
}

export function createLoaders(db: Db, setup?: SetupReads): Loaders {
  const read = setup
    ? (ks: readonly Key[]) => setup.shared.read(db, ks, setup.arrival)
    : (ks: readonly Key[]) => batchGetKeys(db, ks, DEFAULT_RETRY, loaders.attributes ? { attributes: loaders.attributes } : {});
  const item: ItemLoader = new DataLoader<Key, Item | null, string>(read, {
    maxBatchSize: BATCH_GET_LIMIT,
    cacheKeyFn: keyId,
    name: 'item',
  });
  const lists: ListWave = new DataLoader(
    async (reads) =>
      (await Promise.allSettled(reads.map((read) => read()))).map((r) =>
        r.status === 'fulfilled' ? r.value : r.reason instanceof Error ? r.reason : new Error(String(r.reason)),
      ),
    { cache: false, name: 'lists' },
  );
  const loaders: Loaders = { item, lists, readAhead: new ReadAhead() };
  return loaders;
}

/** Primes the loader with full items a Query returned, so later by-key reads cost nothing. */
export function primeItems(loaders: Loaders, items: readonly Item[]): void {
  for (const it of items) {
    if (typeof it.PK === 'string' && typeof it.SK === 'string') {
      loaders.item.clear({ PK: it.PK, SK: it.SK }).prime({ PK: it.PK, SK: it.SK }, it);
    }
  }
}

/** Replaces what the loader holds for a key after a write in the same request (null: known to be absent now, e.g. deleted). */
export function correctItem(loaders: Loaders, key: Key, item: Item | null): void {
  loaders.item.clear(key).prime(key, item);
}

/** Reads a page in the request's current wave of list reads (see Loaders.lists). */
export function loadPage(ctx: { db: Db; loaders: Loaders }, req: PageRequest): Promise<Page> {
  return ctx.loaders.lists.load(() => queryPage(ctx.db, req)) as Promise<Page>;
}
