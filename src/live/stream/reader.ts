// The table's stream reader: follows every shard of the table's DynamoDB stream in lineage order
// and hands each shard's records, in stream order, to onRecords.
//
// Contract:
// - start() resolves once every open shard has an iterator: any write committed after that is
//   handed to onRecords. On a first start (no checkpoints) history is skipped and open shards start at LATEST;
//   with checkpoints, each shard continues after its checkpoint, and shards born since start at
//   TRIM_HORIZON once their parent is drained.
// - onRecords(records) is called per shard, in stream order, one call at a time per shard; the
//   shard's checkpoint is saved only after it resolves, and a rejection retries the same batch.
//   Hand-over is at least once: after a crash or a lost iterator a record can come again (same id).
//   A shard started at LATEST is checkpointed as "LATEST@<ms>" until it hands over a record; reopened
//   from that (restart, expired iterator) it is read from TRIM_HORIZON minus what is certainly older
//   than the marker, so up to a minute of records from just before the start can also come.
// - onGap(reason) says records may have been lost (trimmed data, stream replaced or disabled,
//   checkpoints older than the retention): whoever built state from the stream must resync.
// - stop() aborts in-flight calls and waits, and leaves no timer behind.
//
// DynamoDB's limits are respected by construction: one reader per shard in this process, GetRecords
// at most 5 times a second per shard, an iterator replaced before its 15 minutes run out (each poll
// returns a new one; an expired one is reopened after the last record processed), and the 24 h
// retention surfacing as TrimmedDataAccessException, which is a gap.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { CallListener } from '../../data/dynamo/cost.js';
import type { Logger } from '../../log.js';
import { createStreamCalls } from './calls.js';
import { memoryCheckpoints, type CheckpointStore } from './checkpoints.js';
import { backoffMs, classify, sleep } from './errors.js';
import type { ChangeRecord } from './records.js';
import { readShard, type ShardLoopDeps, type StreamState } from './shard.js';
import { latestMarker, planShards, type StartPosition } from './shards.js';

export interface StreamReaderOptions {
  /** Reads the table's LatestStreamArn, again at each discovery: a new ARN means the stream was replaced. */
  client: DynamoDBClient;
  streams: DynamoDBStreamsClient;
  tableName: string;
  /** Wait between two polls of a shard that came back empty. */
  pollIntervalMs: number;
  /** How often shards are listed again (also done at once when a shard ends). Default 10 s. */
  discoveryIntervalMs?: number;
  /** Absent: checkpoints are kept in memory, so a new process starts at LATEST. */
  checkpoints?: CheckpointStore;
  onRecords(records: ChangeRecord[]): Promise<void>;
  onGap(reason: string): void;
  logger?: Logger;
  /** Where the reader's DynamoDB calls are reported, as source stream-reader (metrics, traces). */
  onCall?: CallListener;
}

export interface StreamReaderStatus {
  /** Shards being read now. */
  shards: number;
  /**
   * How far behind the newest record of the last non-empty poll was (0 once a poll comes back
   * empty); coarse, since record times are cut to the second (AWS) or the minute (DynamoDB Local).
   */
  lagMs: number | null;
  lastPollAt: number | null;
  /** DynamoDB calls made, by command name. */
  calls: Record<string, number>;
}

export interface StreamReader {
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): StreamReaderStatus;
}

/** A write reaches onRecords within about this, plus one GetRecords, for 4 calls a second per idle shard. */
export const DEFAULT_POLL_INTERVAL_MS = 250;

const silent: Logger = { info: () => {}, warn: () => {}, error: () => {} };

export function createStreamReader(opts: StreamReaderOptions): StreamReader {
  const log = opts.logger ?? silent;
  const store = opts.checkpoints ?? memoryCheckpoints();
  const discoveryIntervalMs = opts.discoveryIntervalMs ?? 10_000;
  const stopCtl = new AbortController();
  const workers = new Set<Promise<void>>();
  const lag = new Map<string, number>();
  let stream: StreamState | null = null;
  let streamMissingReported = false;
  let lastPollAt: number | null = null;
  let discoveryLoop: Promise<void> | null = null;
  let wakeCtl = new AbortController();
  let started = false;

  const calls = createStreamCalls(opts);

  function gap(reason: string) {
    log.warn('stream gap', { table: opts.tableName, reason });
    try {
      opts.onGap(reason);
    } catch (err) {
      log.error('onGap threw', { error: String(err) });
    }
  }

  function requestDiscovery() {
    wakeCtl.abort();
  }

  /** Opens an iterator; a position older than the retention falls back to TRIM_HORIZON, with a gap. */
  async function openIterator(s: StreamState, shardId: string, position: StartPosition): Promise<string> {
    try {
      return await calls.shardIterator(s.arn, shardId, position, s.ctl.signal);
    } catch (err) {
      if (classify(err) !== 'trimmed' || position.type === 'TRIM_HORIZON') throw err;
      gap(`shard ${shardId}: the position to continue from is past the stream's retention`);
      return openIterator(s, shardId, { type: 'TRIM_HORIZON' });
    }
  }

  async function checkpoint(s: StreamState, shardId: string, value: string) {
    s.lineage.checkpoints.set(shardId, value);
    try {
      await store.save(shardId, value);
    } catch (err) {
      // Reading goes on: a checkpoint saved late only means more records come again after a restart.
      log.warn('checkpoint not saved', { shardId, error: String(err) });
    }
  }

  /** Lists the shards (and, first, the stream) and starts every shard that may be read now. */
  async function discover(first: boolean): Promise<void> {
    const arn = await calls.streamArn(stopCtl.signal);
    if (!arn) {
      if (first) throw new Error(`Table ${opts.tableName} has no enabled stream (or does not exist): create it with npm run table:create.`);
      if (!streamMissingReported) gap(`table ${opts.tableName} no longer has an enabled stream`);
      streamMissingReported = true;
      return;
    }
    if (stream && stream.arn !== arn) {
      gap(`the stream of table ${opts.tableName} was replaced`);
      stream.ctl.abort();
      stream = null;
    }
    if (!stream) {
      // A stream seen for the first time after one was read (replaced, re-enabled) is read whole.
      const checkpoints = first ? await store.load() : new Map<string, string>();
      const fresh = first && checkpoints.size === 0;
      stream = {
        arn,
        ctl: new AbortController(),
        lineage: { done: new Set(), started: new Set(), checkpoints, fresh },
        missing: new Set(),
      };
      streamMissingReported = false;
    }
    const s = stream;
    const shards = await calls.describeShards(arn, s.ctl.signal);
    if (first && s.lineage.checkpoints.size > 0 && !shards.some((sh) => s.lineage.checkpoints.has(sh.id))) {
      gap('no checkpointed shard is still in the stream: it was replaced or the reader was stopped longer than the retention');
      s.lineage.checkpoints.clear();
    }
    for (const id of s.missing) {
      if (!shards.some((sh) => sh.id === id)) {
        gap(`shard ${id} disappeared before it was drained`);
        s.lineage.done.add(id);
      }
    }
    s.missing.clear();
    const plan = planShards(shards, s.lineage);
    s.lineage.fresh = false;
    for (const id of plan.skip) s.lineage.done.add(id);
    await Promise.all(
      plan.start.map(async ({ shardId, position }) => {
        const openedAt = Date.now();
        const iterator = await openIterator(s, shardId, position);
        if (position.type === 'LATEST') await checkpoint(s, shardId, latestMarker(openedAt));
        s.lineage.started.add(shardId);
        const skipBefore = position.type === 'TRIM_HORIZON' ? position.skipBefore : undefined;
        const worker = readShard(shardDeps, s, shardId, iterator, skipBefore).finally(() => {
          workers.delete(worker);
          lag.delete(shardId);
        });
        workers.add(worker);
      }),
    );
  }

  const shardDeps: ShardLoopDeps = {
    calls,
    log,
    pollIntervalMs: opts.pollIntervalMs,
    onRecords: (records) => opts.onRecords(records),
    openIterator,
    checkpoint,
    gap,
    requestDiscovery,
    polled(shardId, lagMs) {
      lastPollAt = Date.now();
      lag.set(shardId, lagMs);
    },
  };

  async function discoverForever(): Promise<void> {
    for (let failures = 0; !stopCtl.signal.aborted;) {
      await sleep(failures > 0 ? backoffMs(failures) : discoveryIntervalMs, stopCtl.signal, wakeCtl.signal);
      if (wakeCtl.signal.aborted) wakeCtl = new AbortController();
      if (stopCtl.signal.aborted) return;
      try {
        await discover(false);
        failures = 0;
      } catch (err) {
        if (stopCtl.signal.aborted) return;
        failures++;
        log.warn('stream discovery failed; backing off', { error: String(err), failures });
      }
    }
  }

  return {
    async start() {
      if (started) throw new Error('The stream reader was already started.');
      started = true;
      try {
        await discover(true);
      } catch (err) {
        // Shards opened before the failure must not keep polling behind the caller's back.
        stream?.ctl.abort();
        await Promise.all([...workers]);
        throw err;
      }
      discoveryLoop = discoverForever();
      log.info('stream reader started', { table: opts.tableName, shards: workers.size });
    },
    async stop() {
      stopCtl.abort();
      stream?.ctl.abort();
      await discoveryLoop;
      while (workers.size > 0) await Promise.all([...workers]);
    },
    status() {
      return {
        shards: workers.size,
        lagMs: lag.size === 0 ? null : Math.max(...lag.values()),
        lastPollAt,
        calls: calls.counts(),
      };
    },
  };
}
