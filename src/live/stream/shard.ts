// One shard's poll loop: GetRecords at most 5 times a second, each batch handed to onRecords (the
// same batch again until it resolves) and then checkpointed, an expired iterator reopened after
// the last record processed, trimmed data reported as a gap. The reader (reader.ts) starts one
// per shard and owns the state they share (StreamState).
import type { GetRecordsCommandOutput } from '@aws-sdk/client-dynamodb-streams';
import type { Logger } from '../../log.js';
import type { StreamCalls } from './calls.js';
import { backoffMs, classify, sleep } from './errors.js';
import { toChangeRecord, type ChangeRecord } from './records.js';
import { positionFromCheckpoint, type LineageState, type StartPosition } from './shards.js';

/** DynamoDB allows 5 GetRecords a second per shard. */
const MIN_GET_RECORDS_SPACING_MS = 200;

/** One stream being read (a new one when the table's stream is replaced). */
export interface StreamState {
  arn: string;
  /** Aborted when the stream is replaced or the reader stops: its shard loops end. */
  ctl: AbortController;
  lineage: LineageState;
  /** Shards whose reads said ResourceNotFound: the next discovery tells a lost shard from a lost stream. */
  missing: Set<string>;
}

/** What a shard's loop needs from its reader. */
export interface ShardLoopDeps {
  calls: StreamCalls;
  log: Logger;
  pollIntervalMs: number;
  onRecords(records: ChangeRecord[]): Promise<void>;
  /** An iterator at `position` (past the retention: from TRIM_HORIZON, with a gap). */
  openIterator(s: StreamState, shardId: string, position: StartPosition): Promise<string>;
  checkpoint(s: StreamState, shardId: string, value: string): Promise<void>;
  gap(reason: string): void;
  /** The shard ended or vanished: list the shards again now. */
  requestDiscovery(): void;
  /** A poll came back: how far behind its newest record was (0 when empty). */
  polled(shardId: string, lagMs: number): void;
}

/** The poll loop of one shard; ends when the shard is drained, gone, or the stream is dropped. */
export async function readShard(
  deps: ShardLoopDeps,
  s: StreamState,
  shardId: string,
  firstIterator: string,
  skipBefore?: number,
): Promise<void> {
  const { log, calls, openIterator, checkpoint, gap, requestDiscovery } = deps;
  const signal = s.ctl.signal;
  let iterator: string | undefined = firstIterator;
  let lastCallAt = 0;
  for (let failures = 0; !signal.aborted;) {
    try {
      if (iterator === undefined) {
        const position = resumePosition();
        iterator = await openIterator(s, shardId, position);
        if (position.type === 'TRIM_HORIZON') skipBefore = position.skipBefore;
      }
      await sleep(lastCallAt + MIN_GET_RECORDS_SPACING_MS - Date.now(), signal);
      if (signal.aborted) return;
      lastCallAt = Date.now();
      const out = await calls.getRecords(iterator, signal);
      failures = 0;
      const raw = out.Records ?? [];
      const records = convert(out);
      if (records.length > 0 && !(await handOver(records))) return;
      const lastSeq = raw.at(-1)?.dynamodb?.SequenceNumber;
      if (lastSeq) await checkpoint(s, shardId, lastSeq);
      deps.polled(shardId, records.length > 0 ? Math.max(0, Date.now() - records.at(-1)!.approximateTime) : 0);
      iterator = out.NextShardIterator;
      if (!iterator) {
        log.info('stream shard drained', { shardId });
        s.lineage.done.add(shardId);
        requestDiscovery();
        return;
      }
      if (raw.length === 0) await sleep(deps.pollIntervalMs, signal);
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

  /** Hands one shard's batch to onRecords, the same batch again until it resolves; false once the stream is dropped. */
  async function handOver(records: ChangeRecord[]): Promise<boolean> {
    for (let attempt = 0; !s.ctl.signal.aborted; attempt++) {
      try {
        await deps.onRecords(records);
        return true;
      } catch (err) {
        log.error('onRecords failed; retrying the same records', { shardId: records[0]?.shardId, error: String(err) });
        await sleep(backoffMs(attempt), s.ctl.signal);
      }
    }
    return false;
  }

  function convert(out: GetRecordsCommandOutput): ChangeRecord[] {
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
  function resumePosition(): StartPosition {
    const last = s.lineage.checkpoints.get(shardId);
    return last === undefined ? { type: 'TRIM_HORIZON' } : positionFromCheckpoint(last);
  }
}
