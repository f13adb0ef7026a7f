// The two small parsers of the serverless flavour's edges: Lambda's on-failure record (what the
// RESYNC handler accepts, and what it drops as not Lambda's), and the SDK's reading of an `error`
// that stands for a close code (and of one that does not).
import { describe, expect, it } from 'vitest';
import { replacedCloseCode } from '../../sdk/src/close-codes.js';
import { parseOnFailureRecord } from '../../src/serverless/on-failure-record.js';

const record = {
  requestContext: {
    requestId: 'r',
    functionArn: 'arn:aws:lambda:eu-west-1:1:function:f',
    condition: 'RecordAgeExceeded',
    approximateInvokeCount: 11,
  },
  responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
  version: '1.0',
  timestamp: '2026-12-04T20:00:00.000Z',
  DDBStreamBatchInfo: {
    shardId: 'shardId-00000001700000000000-abcdef12',
    startSequenceNumber: '1000000000000000000001',
    endSequenceNumber: '1000000000000000000009',
    approximateArrivalOfFirstRecord: '2026-12-04T19:00:00Z',
    approximateArrivalOfLastRecord: '2026-12-04T19:00:01Z',
    batchSize: 3,
    streamArn: 'arn:aws:dynamodb:eu-west-1:1:table/t/stream/2026-01-01T00:00:00.000',
  },
};

describe('parseOnFailureRecord', () => {
  it("reads Lambda's documented record for a DynamoDB stream batch", () => {
    expect(parseOnFailureRecord(JSON.stringify(record))).toMatchObject({
      requestContext: { condition: 'RecordAgeExceeded' },
      DDBStreamBatchInfo: { shardId: record.DDBStreamBatchInfo.shardId, endSequenceNumber: '1000000000000000000009' },
    });
  });

  it('refuses what names no readable range: not JSON, another source, a sequence number that is not one', () => {
    expect(parseOnFailureRecord('not json')).toBeNull();
    expect(parseOnFailureRecord(JSON.stringify({ ...record, DDBStreamBatchInfo: undefined, KinesisBatchInfo: {} }))).toBeNull();
    const bad = { ...record, DDBStreamBatchInfo: { ...record.DDBStreamBatchInfo, startSequenceNumber: '12; DROP' } };
    expect(parseOnFailureRecord(JSON.stringify(bad))).toBeNull();
  });
});

describe('replacedCloseCode', () => {
  const error = (extensions: Record<string, unknown>) =>
    JSON.stringify({ type: 'error', id: '1', payload: [{ message: 'The token has expired. Get a new one.', extensions }] });

  it('reads the close code an error stands for', () => {
    expect(replacedCloseCode(error({ code: 'UNAUTHENTICATED', closeCode: 4403 }))).toEqual({
      code: 4403,
      reason: 'The token has expired. Get a new one.',
    });
  });

  it('leaves an ordinary error, a next message and a code outside 4000-4999 alone', () => {
    expect(replacedCloseCode(error({ code: 'UNAUTHENTICATED' }))).toBeNull();
    expect(replacedCloseCode(error({ code: 'BAD_REQUEST', closeCode: 1000 }))).toBeNull();
    expect(replacedCloseCode(JSON.stringify({ type: 'next', id: '1', payload: { data: { closeCode: 4403 } } }))).toBeNull();
  });
});
