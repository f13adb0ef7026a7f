// One range of a shard read again: the records of a batch Lambda's event source gave up on, named
// by its on-failure record (shard, first and last sequence numbers), so the serverless on-failure
// handler can tell which topics it touched. Every call goes through the meter like the reader's.
import { GetRecordsCommand, GetShardIteratorCommand, type _Record, type DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { metered, type CallAnswer, type CallSink } from '../../data/dynamo/cost.js';
import { classify } from './errors.js';
import { toChangeRecord, type ChangeRecord } from './records.js';

export interface StreamRange {
  streamArn: string;
  shardId: string;
  /** First and last sequence numbers of the range, both included. */
  start: string;
  end: string;
}

/** GetRecords answers empty at an open shard's tip: this many in a row and the range is taken as read. */
const MAX_EMPTY_POLLS = 5;

/**
 * The range's records in stream order, or 'unreadable' when the stream no longer has them: past
 * its 24 h retention (TrimmedDataAccessException), or the shard or the stream is gone.
 */
export async function readRange(
  streams: DynamoDBStreamsClient,
  range: StreamRange,
  sink: CallSink,
): Promise<ChangeRecord[] | 'unreadable'> {
  const call = <O extends CallAnswer>(command: string, send: () => Promise<O>) => metered(command, undefined, send, sink);
  const end = BigInt(range.end);
  let iterator: string | undefined;
  try {
    const input = {
      StreamArn: range.streamArn,
      ShardId: range.shardId,
      ShardIteratorType: 'AT_SEQUENCE_NUMBER' as const,
      SequenceNumber: range.start,
    };
    iterator = (await call('GetShardIterator', () => streams.send(new GetShardIteratorCommand(input)))).ShardIterator;
  } catch (err) {
    if (isUnreadable(err)) return 'unreadable';
    throw err;
  }
  const out: ChangeRecord[] = [];
  let empty = 0;
  while (iterator && empty < MAX_EMPTY_POLLS) {
    let page;
    try {
      const it = iterator;
      page = await call('GetRecords', () => streams.send(new GetRecordsCommand({ ShardIterator: it, Limit: 1000 })));
    } catch (err) {
      if (isUnreadable(err)) return 'unreadable';
      throw err;
    }
    const records: _Record[] = page.Records ?? [];
    empty = records.length === 0 ? empty + 1 : 0;
    for (const r of records) {
      if (BigInt(r.dynamodb?.SequenceNumber ?? '0') > end) return out;
      out.push(toChangeRecord(r, range.shardId));
    }
    if (out.length > 0 && BigInt(out.at(-1)!.sequenceNumber) >= end) return out;
    iterator = page.NextShardIterator; // none: the shard is closed and read to its end
  }
  return out;
}

function isUnreadable(err: unknown): boolean {
  const kind = classify(err);
  return kind === 'trimmed' || kind === 'gone';
}
