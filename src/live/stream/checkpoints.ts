// Where the stream reader keeps each shard's position: in memory (one process: a new process
// starts at LATEST) or in the table (table-checkpoints.ts, so the lease's next holder continues).

/** Where each shard got to. Values are opaque strings: store and return them as they are. */
export interface CheckpointStore {
  load(): Promise<Map<string, string>>;
  save(shardId: string, sequenceNumber: string): Promise<void>;
}

export function memoryCheckpoints(initial: Iterable<[string, string]> = []): CheckpointStore & { saved: Map<string, string> } {
  const saved = new Map(initial);
  return {
    saved,
    load: () => Promise.resolve(new Map(saved)),
    save: (shardId, sequenceNumber) => {
      saved.set(shardId, sequenceNumber);
      return Promise.resolve();
    },
  };
}
