// What Lambda's event source mapping sends its on-failure destination for a DynamoDB stream batch
// it gave up on: an invocation record naming where the batch was in the stream, not its records
// (AWS Lambda developer guide, "Retaining discarded records for a DynamoDB event source").
//
//   { "requestContext": { "requestId", "functionArn", "condition": "RetryAttemptsExhausted" |
//       "RecordAgeExceeded" | ..., "approximateInvokeCount" },
//     "responseContext": { "statusCode", "executedVersion", "functionError" },
//     "version": "1.0", "timestamp": "<ISO>",
//     "DDBStreamBatchInfo": { "shardId", "startSequenceNumber", "endSequenceNumber",
//       "approximateArrivalOfFirstRecord", "approximateArrivalOfLastRecord", "batchSize", "streamArn" } }

export interface StreamBatchInfo {
  shardId: string;
  /** First and last sequence numbers of the batch given up, both included. */
  startSequenceNumber: string;
  endSequenceNumber: string;
  approximateArrivalOfFirstRecord: string;
  approximateArrivalOfLastRecord: string;
  batchSize: number;
  streamArn: string;
}

export interface OnFailureRecord {
  requestContext: { requestId: string; functionArn: string; condition: string; approximateInvokeCount: number };
  responseContext?: { statusCode?: number; executedVersion?: string; functionError?: string };
  version: string;
  timestamp: string;
  DDBStreamBatchInfo: StreamBatchInfo;
}

const SEQUENCE = /^\d+$/;

/** The record in an SQS message's body, or null when the body is not one (it names no readable range). */
export function parseOnFailureRecord(body: string): OnFailureRecord | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== 'object') return null;
  const r = parsed as Partial<OnFailureRecord>;
  const b = r.DDBStreamBatchInfo;
  if (!b || typeof b !== 'object' || typeof b.shardId !== 'string' || typeof b.streamArn !== 'string') return null;
  if (!SEQUENCE.test(String(b.startSequenceNumber)) || !SEQUENCE.test(String(b.endSequenceNumber))) return null;
  return { ...r, requestContext: { ...r.requestContext!, condition: String(r.requestContext?.condition ?? 'unknown') } } as OnFailureRecord;
}
