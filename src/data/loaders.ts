// Per-request loaders. createLoaders() runs once per GraphQL request (in createContext), never at
// module level, so no cache outlives a request or leaks between viewers.
import DataLoader from 'dataloader';
import { batchGetKeys, type Item } from './batch.js';
import type { Db } from './db.js';
import { keyId, keys, type Key } from './keys.js';

export type ItemLoader = DataLoader<Key, Item | null, string>;

export interface Loaders {
  /** Every by-key read of any entity goes through this one loader, so users, games and photos requested in the same tick share BatchGetItem calls. */
  item: ItemLoader;
}

export function createLoaders(db: Db): Loaders {
  const item: ItemLoader = new DataLoader<Key, Item | null, string>((ks) => batchGetKeys(db, ks), {
    maxBatchSize: 100,
    cacheKeyFn: keyId,
    name: 'item',
  });
  return { item };
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
