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
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type DynamoDBStreamsClient,
  type GetRecordsCommandOutput,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import { metered, type CallAnswer, type CallListener, type CallSink } from '../../data/dynamo/cost.js';
import type { Logger } from '../../log.js';
import { backoffMs, classify } from './errors.js';
import { toChangeRecord, type ChangeRecord } from './records.js';
import { latestMarker, planShards, positionFromCheckpoint, type LineageState, type ShardInfo, type StartPosition } from './shards.js';

// Only for bench/stream-reader.ts, which this change may not edit: ChangeRecord's home is records.ts.
export type { ChangeRecord } from './records.js';

/** Where each shard got to. Values are opaque strings: store and return them as they are. */
export interface CheckpointStore {
  load(): Promise<Map<string, string>>;
  save(shardId: string, sequenceNumber: string): Promise<void>;
}

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

/** DynamoDB allows 5 GetRecords a second per shard. */
const MIN_GET_RECORDS_SPACING_MS = 200;
const DESCRIBE_PAGE = 100;

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

/** Resolves after ms, or as soon as any signal aborts; never rejects and leaves no timer. */
function sleep(ms: number, ...signals: AbortSignal[]): Promise<void> {
  return new Promise((resolve) => {
    if (signals.some((s) => s.aborted)) return resolve();
    const done = () => {
      clearTimeout(timer);
      for (const s of signals) s.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const s of signals) s.addEventListener('abort', done, { once: true });
  });
}

function toShardInfo(s: Shard): ShardInfo {
  return {
    id: s.ShardId ?? '',
    ...(s.ParentShardId ? { parentId: s.ParentShardId } : {}),
    closed: s.SequenceNumberRange?.EndingSequenceNumber !== undefined,
  };
}

interface StreamState {
  arn: string;
  /** Aborted when the stream is replaced or the reader stops: its shard loops end. */
  ctl: AbortController;
  lineage: LineageState;
  /** Shards whose reads said ResourceNotFound: the next discovery tells a lost shard from a lost stream. */
  missing: Set<string>;
}

const silent: Logger = { info: () => {}, warn: () => {}, error: () => {} };

export function createStreamReader(opts: StreamReaderOptions): StreamReader {
  const log = opts.logger ?? silent;
  const store = opts.checkpoints ?? memoryCheckpoints();
  const discoveryIntervalMs = opts.discoveryIntervalMs ?? 10_000;
  const calls: Record<string, number> = {};
  const stopCtl = new AbortController();
  const workers = new Set<Promise<void>>();
  const lag = new Map<string, number>();
  let stream: StreamState | null = null;
  let streamMissingReported = false;
  let lastPollAt: number | null = null;
  let discoveryLoop: Promise<void> | null = null;
  let wakeCtl = new AbortController();
  let started = false;

  const sink: CallSink = { source: 'stream-reader', onCall: opts.onCall };
  /** Every call of the reader goes through the meter, and is counted for status(). */
  function call<O extends CallAnswer>(command: string, send: () => Promise<O>): Promise<O> {
    calls[command] = (calls[command] ?? 0) + 1;
    return metered(command, undefined, send, sink);
  }

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

  async function streamArn(): Promise<string | undefined> {
    try {
      const out = await call('DescribeTable', () =>
        opts.client.send(new DescribeTableCommand({ TableName: opts.tableName }), { abortSignal: stopCtl.signal }),
      );
      return out.Table?.StreamSpecification?.StreamEnabled ? out.Table.LatestStreamArn : undefined;
    } catch (err) {
      if (classify(err) === 'gone') return undefined;
      throw err;
    }
  }

  async function describeShards(arn: string, signal: AbortSignal): Promise<ShardInfo[]> {
    const shards: ShardInfo[] = [];
    let exclusiveStart: string | undefined;
    do {
      const out = await call('DescribeStream', () =>
        opts.streams.send(new DescribeStreamCommand({ StreamArn: arn, Limit: DESCRIBE_PAGE, ExclusiveStartShardId: exclusiveStart }), {
          abortSignal: signal,
        }),
      );
      shards.push(...(out.StreamDescription?.Shards ?? []).map(toShardInfo));
      exclusiveStart = out.StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStart);
    return shards;
  }

  /** Opens an iterator; a position older than the retention falls back to TRIM_HORIZON, with a gap. */
  async function openIterator(s: StreamState, shardId: string, position: StartPosition): Promise<string> {
    try {
      const out = await call('GetShardIterator', () =>
        opts.streams.send(
          new GetShardIteratorCommand({
            StreamArn: s.arn,
            ShardId: shardId,
            ShardIteratorType: position.type,
            ...(position.type === 'AFTER_SEQUENCE_NUMBER' ? { SequenceNumber: position.sequenceNumber } : {}),
          }),
          { abortSignal: s.ctl.signal },
        ),
      );
      if (!out.ShardIterator) throw new Error(`GetShardIterator returned no iterator for shard ${shardId}.`);
      return out.ShardIterator;
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
    const arn = await streamArn();
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
    const shards = await describeShards(arn, s.ctl.signal);
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
        const worker = readShard(s, shardId, iterator, skipBefore).finally(() => {
          workers.delete(worker);
          lag.delete(shardId);
        });
        workers.add(worker);
      }),
    );
  }

  /** Hands one shard's batch to onRecords, the same batch again until it resolves; false once the stream is dropped. */
  async function handOver(s: StreamState, records: ChangeRecord[]): Promise<boolean> {
    for (let attempt = 0; !s.ctl.signal.aborted; attempt++) {
      try {
        await opts.onRecords(records);
        return true;
      } catch (err) {
        log.error('onRecords failed; retrying the same records', { shardId: records[0]?.shardId, error: String(err) });
        await sleep(backoffMs(attempt), s.ctl.signal);
      }
    }
    return false;
  }

  function convert(out: GetRecordsCommandOutput, shardId: string, skipBefore: number | undefined): ChangeRecord[] {
    const records: ChangeRecord[] = [];
    for (const raw of out.Records ?? []) {
      try {
        const record = toChangeRecord(raw, shardId);
        if (skipBefore === undefined || record.approximateTime >= skipBefore) records.push(record);
      } catch (err) {
        log.error('stream record skipped', { shardId, error: String(err) });
      }
    }
    return records;
  }

  /** Where to reopen a shard whose iterator was lost: after the last record processed. */
  function resumePosition(s: StreamState, shardId: string): StartPosition {
    const last = s.lineage.checkpoints.get(shardId);
    return last === undefined ? { type: 'TRIM_HORIZON' } : positionFromCheckpoint(last);
  }

  /** The poll loop of one shard; ends when the shard is drained, gone, or the stream is dropped. */
  async function readShard(s: StreamState, shardId: string, firstIterator: string, skipBefore?: number): Promise<void> {
    const signal = s.ctl.signal;
    let iterator: string | undefined = firstIterator;
    let lastCallAt = 0;
    for (let failures = 0; !signal.aborted;) {
      try {
        if (iterator === undefined) {
          const position = resumePosition(s, shardId);
          iterator = await openIterator(s, shardId, position);
          if (position.type === 'TRIM_HORIZON') skipBefore = position.skipBefore;
        }
        await sleep(lastCallAt + MIN_GET_RECORDS_SPACING_MS - Date.now(), signal);
        if (signal.aborted) return;
        lastCallAt = Date.now();
        const input = { ShardIterator: iterator };
        const out: GetRecordsCommandOutput = await call('GetRecords', () =>
          opts.streams.send(new GetRecordsCommand(input), { abortSignal: signal }),
        );
        lastPollAt = Date.now();
        failures = 0;
        const raw = out.Records ?? [];
        const records = convert(out, shardId, skipBefore);
        if (records.length > 0 && !(await handOver(s, records))) return;
        const lastSeq = raw.at(-1)?.dynamodb?.SequenceNumber;
        if (lastSeq) await checkpoint(s, shardId, lastSeq);
        lag.set(shardId, records.length > 0 ? Math.max(0, Date.now() - records.at(-1)!.approximateTime) : 0);
        iterator = out.NextShardIterator;
        if (!iterator) {
          log.info('stream shard drained', { shardId });
          s.lineage.done.add(shardId);
          requestDiscovery();
          return;
        }
        if (raw.length === 0) await sleep(opts.pollIntervalMs, signal);
      } catch (err) {
        const kind = signal.aborted ? 'aborted' : classify(err);
        if (kind === 'aborted') return;
        if (kind === 'expired') {
          iterator = undefined;
        } else if (kind === 'trimmed') {
          gap(`shard ${shardId}: records expired (24 h retention) before they were read`);
          s.lineage.checkpoints.delete(shardId);
          skipBefore = undefined;
          iterator = undefined;
        } else if (kind === 'gone') {
          // The shard or the whole stream went away: discovery finds out which and re-plans.
          log.warn('stream shard not found', { shardId, error: String(err) });
          s.lineage.started.delete(shardId);
          s.missing.add(shardId);
          requestDiscovery();
          return;
        } else {
          log.warn('stream read failed; backing off', { shardId, error: String(err), failures });
          await sleep(backoffMs(failures++), signal);
        }
      }
    }
  }

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
        calls: { ...calls },
      };
    },
  };
}
