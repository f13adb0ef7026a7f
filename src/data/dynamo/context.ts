// What every access pattern needs from the request it serves.
import type { CursorKeys } from './cursor.js';
import type { Db } from './db.js';
import type { Loaders } from './loaders.js';

export interface DataContext {
  db: Db;
  loaders: Loaders;
  cursorKeys: CursorKeys;
  /** The request's clock, injectable for tests. */
  now: () => Date;
}
