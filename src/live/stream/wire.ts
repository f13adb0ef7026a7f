// A stream record as Lambda's event source hands it to a function (and as DynamoDB Local's
// GetRecords JSON has it): the time is epoch seconds, not the SDK's Date.
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { toChangeRecord, type ChangeRecord } from './records.js';

type WireRecord = DynamoDBStreamEvent['Records'][number];

/** A stream record off the wire into the reader's ChangeRecord; Lambda names no shard, so the stream's ARN stands in. */
export function fromWireRecord(r: WireRecord): ChangeRecord {
  const d = r.dynamodb ?? {};
  const at = d.ApproximateCreationDateTime;
  const sdkShaped = {
    ...r,
    dynamodb: { ...d, ApproximateCreationDateTime: typeof at === 'number' ? new Date(at * 1000) : undefined },
  } as unknown as _Record;
  return toChangeRecord(sdkShaped, r.eventSourceARN ?? 'lambda');
}
