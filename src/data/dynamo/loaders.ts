// Per-request loaders. createLoaders() runs once per GraphQL request (in createContext), never at
// module level, so no cache outlives a request or leaks between viewers.
import DataLoader from 'dataloader';
import { batchGetKeys, type Item } from './batch.js';
import type { Db } from './db.js';
import type { Page } from './pagination.js';
import { keyId, keys, type Key } from '../keys.js';

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
  /**
   * First pages a parent's read brought along (a user read with its followers in one Query), by
   * list binding and page size, for the list's resolver to take instead of reading them again.
   */
  pages: Map<string, Page>;
}

export function createLoaders(db: Db): Loaders {
  const item: ItemLoader = new DataLoader<Key, Item | null, string>((ks) => batchGetKeys(db, ks), {
    maxBatchSize: 100,
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
  return { item, lists, pages: new Map() };
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

export { keys };

/** The key of a read-ahead first page in Loaders.pages. */
export const pageKey = (binding: string, first: number) => `${first} ${binding}`;
