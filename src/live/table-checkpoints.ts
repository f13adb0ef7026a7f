// The stream reader's checkpoints in the table, so whichever instance takes the lease next
// continues after the last record published. A batch made only of bookkeeping (the lease's
// renewals, the checkpoints themselves) moves no checkpoint: saving one would write an item,
// whose stream record would be read, whose checkpoint would be saved... a loop at poll rate.
import type { Db } from '../data/dynamo/db.js';
import { loadCheckpoints, saveCheckpoint } from '../data/live/lease.js';
import type { CheckpointStore } from './stream/checkpoints.js';

export interface TableCheckpoints extends CheckpointStore {
  /** Records of this shard were published: its next save is written. */
  published(shardId: string): void;
}

export function tableCheckpoints(db: Db, now: () => number = Date.now): TableCheckpoints {
  const written = new Set<string>();
  const dirty = new Set<string>();
  return {
    published: (shardId) => void dirty.add(shardId),
    load: () => loadCheckpoints(db),
    async save(shardId, position) {
      // The first save of a shard is always written (a LATEST marker included): it is where a successor starts.
      if (written.has(shardId) && !dirty.has(shardId)) return;
      await saveCheckpoint(db, shardId, position, now());
      dirty.delete(shardId);
      written.add(shardId);
    },
  };
}
