// The stream reader's DynamoDB calls, each through the meter (source stream-reader) and counted
// for the reader's status. The table's DescribeTable names the stream; the streams API does the rest.
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
import { classify } from './errors.js';
import type { ShardInfo, StartPosition } from './shards.js';

const DESCRIBE_PAGE = 100;

export interface StreamCalls {
  /** The table's LatestStreamArn, or undefined when the table or its stream is gone. */
  streamArn(signal: AbortSignal): Promise<string | undefined>;
  /** Every shard of the stream, all pages. */
  describeShards(arn: string, signal: AbortSignal): Promise<ShardInfo[]>;
  /** An iterator at `position`; throws what DynamoDB throws (the reader classifies it). */
  shardIterator(arn: string, shardId: string, position: StartPosition, signal: AbortSignal): Promise<string>;
  getRecords(iterator: string, signal: AbortSignal): Promise<GetRecordsCommandOutput>;
  /** Calls made so far, by command name. */
  counts(): Record<string, number>;
}

export function createStreamCalls(opts: {
  client: DynamoDBClient;
  streams: DynamoDBStreamsClient;
  tableName: string;
  onCall?: CallListener;
}): StreamCalls {
  const { client, streams, tableName } = opts;
  const calls: Record<string, number> = {};
  const sink: CallSink = { source: 'stream-reader', onCall: opts.onCall };
  const call = <O extends CallAnswer>(command: string, send: () => Promise<O>): Promise<O> => {
    calls[command] = (calls[command] ?? 0) + 1;
    return metered(command, undefined, send, sink);
  };

  return {
    async streamArn(signal) {
      try {
        const out = await call('DescribeTable', () =>
          client.send(new DescribeTableCommand({ TableName: tableName }), { abortSignal: signal }),
        );
        return out.Table?.StreamSpecification?.StreamEnabled ? out.Table.LatestStreamArn : undefined;
      } catch (err) {
        if (classify(err) === 'gone') return undefined;
        throw err;
      }
    },
    async describeShards(arn, signal) {
      const shards: ShardInfo[] = [];
      let exclusiveStart: string | undefined;
      do {
        const input = { StreamArn: arn, Limit: DESCRIBE_PAGE, ExclusiveStartShardId: exclusiveStart };
        const out = await call('DescribeStream', () => streams.send(new DescribeStreamCommand(input), { abortSignal: signal }));
        shards.push(...(out.StreamDescription?.Shards ?? []).map(toShardInfo));
        exclusiveStart = out.StreamDescription?.LastEvaluatedShardId;
      } while (exclusiveStart);
      return shards;
    },
    async shardIterator(arn, shardId, position, signal) {
      const input = {
        StreamArn: arn,
        ShardId: shardId,
        ShardIteratorType: position.type,
        ...(position.type === 'AFTER_SEQUENCE_NUMBER' ? { SequenceNumber: position.sequenceNumber } : {}),
      };
      const out = await call('GetShardIterator', () => streams.send(new GetShardIteratorCommand(input), { abortSignal: signal }));
      if (!out.ShardIterator) throw new Error(`GetShardIterator returned no iterator for shard ${shardId}.`);
      return out.ShardIterator;
    },
    getRecords: (iterator, signal) =>
      call('GetRecords', () => streams.send(new GetRecordsCommand({ ShardIterator: iterator }), { abortSignal: signal })),
    counts: () => ({ ...calls }),
  };
}

function toShardInfo(s: Shard): ShardInfo {
  return {
    id: s.ShardId ?? '',
    ...(s.ParentShardId ? { parentId: s.ParentShardId } : {}),
    closed: s.SequenceNumberRange?.EndingSequenceNumber !== undefined,
  };
}
