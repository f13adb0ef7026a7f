// Which shards to read and from where. A stream is a tree of shards: a shard closes (after about
// four hours on AWS, or when the stream is disabled) and its records continue in child shards. Per
// item, order only holds if a child is read after its parent is drained, so this decides, purely,
// which shards may start now and at which position. The reader does the I/O.

export interface ShardInfo {
  id: string;
  parentId?: string;
  /** The shard has an ending sequence number: no record will be added to it. */
  closed: boolean;
}

export type StartPosition =
  { type: 'LATEST' } | { type: 'TRIM_HORIZON'; skipBefore?: number } | { type: 'AFTER_SEQUENCE_NUMBER'; sequenceNumber: string };

/**
 * A checkpoint is a sequence number, or this marker for a shard started at LATEST at a time (ms)
 * before it delivered anything: LATEST has no sequence number, and without the marker a restart
 * could not tell that shard from a new one and would replay its whole 24 hours.
 */
const LATEST_MARKER = /^LATEST@(\d+)$/;

export function latestMarker(now: number): string {
  return `LATEST@${now}`;
}

/** Record times are cut to the second on AWS and to the minute on DynamoDB Local. */
export const APPROXIMATE_TIME_SLACK_MS = 60_000;

export interface LineageState {
  /** Shards drained to their end, or deliberately not read (history before the first start). */
  done: Set<string>;
  /** Shards being read (or already planned). */
  started: Set<string>;
  /** Last position per shard, from the checkpoint store. */
  checkpoints: Map<string, string>;
  /** First look at a stream nobody read before: history is skipped and open shards start at LATEST. */
  fresh: boolean;
}

export interface Plan {
  start: Array<{ shardId: string; position: StartPosition }>;
  /** Shards newly marked done without reading them. */
  skip: string[];
}

/** Where to continue a shard from its checkpoint. */
export function positionFromCheckpoint(checkpoint: string): StartPosition {
  const marker = LATEST_MARKER.exec(checkpoint);
  if (!marker) return { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: checkpoint };
  // What was written after the marker may not have been delivered: read the shard again from its
  // start and drop what is certainly older than the marker.
  return { type: 'TRIM_HORIZON', skipBefore: Number(marker[1]) - APPROXIMATE_TIME_SLACK_MS };
}

/** Decides which shards start now (parents before children) and which are skipped. Pure. */
export function planShards(shards: readonly ShardInfo[], state: LineageState): Plan {
  const byId = new Map(shards.map((s) => [s.id, s]));
  const skip = new Set<string>();
  const isDone = (id: string) => state.done.has(id) || skip.has(id);

  if (state.fresh) {
    for (const s of shards) if (s.closed && !state.started.has(s.id) && !state.done.has(s.id)) skip.add(s.id);
  }
  // Ancestors of a shard with a checkpoint were drained before that shard was read.
  for (const s of shards) {
    if (!state.checkpoints.has(s.id)) continue;
    for (let p = byId.get(s.id)?.parentId; p !== undefined && byId.has(p); p = byId.get(p)?.parentId) {
      if (!state.done.has(p) && !state.started.has(p)) skip.add(p);
    }
  }

  const start: Plan['start'] = [];
  for (const s of shards) {
    if (state.started.has(s.id) || isDone(s.id)) continue;
    const checkpoint = state.checkpoints.get(s.id);
    if (checkpoint !== undefined) {
      start.push({ shardId: s.id, position: positionFromCheckpoint(checkpoint) });
    } else if (state.fresh) {
      start.push({ shardId: s.id, position: { type: 'LATEST' } });
    } else if (s.parentId === undefined || !byId.has(s.parentId) || isDone(s.parentId)) {
      // A parent no longer described was trimmed (kept 24 h after closing): nothing left to wait for.
      start.push({ shardId: s.id, position: { type: 'TRIM_HORIZON' } });
    }
  }
  return { start, skip: [...skip] };
}
