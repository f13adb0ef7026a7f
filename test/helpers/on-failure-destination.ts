// Lambda's on-failure destination for a stream event source, emulated for the tests: the record
// Lambda writes when it gives a batch up (its documented shape: where the batch was, not its
// records), sent to a standard SQS queue whose consumer is a function invoked with SQS's event
// shape and ReportBatchItemFailures. A message the function fails (it throws, or reports the
// message) is received again, up to maxReceiveCount times, then goes to the queue's dead letters.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { DynamoDBStreamEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';

type WireRecord = DynamoDBStreamEvent['Records'][number];

export const FAILURE_QUEUE_ARN = 'arn:aws:sqs:local:000000000000:DeliveryFailures';
const FUNCTION_ARN = 'arn:aws:lambda:local:000000000000:function:Delivery';

export type GiveUpCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

export interface FailureDestination {
  /** Every record written to the queue, in order (the message body, parsed). */
  records: Record<string, any>[];
  /** Messages the consumer failed maxReceiveCount times. */
  dead: string[];
  /** Lambda gives a batch up: its record goes to the queue and the consumer is invoked (not awaited, as SQS is its own poller). */
  giveUp(batch: WireRecord[], shardId: string, streamArn: string, condition: GiveUpCondition, invokeCount: number): void;
  /** SQS delivers a message again (a standard queue is at-least-once): the record, as a new receive of it. */
  redeliver(record: Record<string, any>): void;
  /** Resolves once every message sent so far is consumed or dead. */
  settled(): Promise<void>;
}

/** An ISO time to the second, as Lambda writes approximateArrivalOf*Record. */
const isoSeconds = (epochSeconds: number | undefined) => new Date((epochSeconds ?? 0) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function createFailureDestination(
  consumer: (event: SQSEvent) => Promise<SQSBatchResponse | void>,
  opts: { maxReceiveCount?: number } = {},
): FailureDestination {
  const maxReceiveCount = opts.maxReceiveCount ?? 3;
  const records: Record<string, any>[] = [];
  const dead: string[] = [];
  const inFlight = new Set<Promise<void>>();

  const consume = async (body: string) => {
    const messageId = randomUUID();
    const sentAt = Date.now();
    for (let receive = 1; receive <= maxReceiveCount; receive++) {
      const event: SQSEvent = {
        Records: [
          {
            messageId,
            receiptHandle: randomBytes(24).toString('base64'),
            body,
            attributes: {
              ApproximateReceiveCount: String(receive),
              SentTimestamp: String(sentAt),
              SenderId: 'AROAEXAMPLE:awslambda_000_00000000000000000',
              ApproximateFirstReceiveTimestamp: String(sentAt),
            },
            messageAttributes: {},
            md5OfBody: createHash('md5').update(body).digest('hex'),
            eventSource: 'aws:sqs',
            eventSourceARN: FAILURE_QUEUE_ARN,
            awsRegion: 'local',
          },
        ],
      };
      try {
        const out = await consumer(event);
        if (!out?.batchItemFailures?.some((f) => f.itemIdentifier === messageId)) return;
      } catch {
        // received again after the visibility timeout (here at once)
      }
    }
    dead.push(body);
  };

  return {
    records,
    dead,
    giveUp(batch, shardId, streamArn, condition, invokeCount) {
      const first = batch[0]!.dynamodb!;
      const last = batch.at(-1)!.dynamodb!;
      const record = {
        requestContext: { requestId: randomUUID(), functionArn: FUNCTION_ARN, condition, approximateInvokeCount: invokeCount },
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        version: '1.0',
        timestamp: new Date().toISOString(),
        DDBStreamBatchInfo: {
          shardId,
          startSequenceNumber: first.SequenceNumber!,
          endSequenceNumber: last.SequenceNumber!,
          approximateArrivalOfFirstRecord: isoSeconds(first.ApproximateCreationDateTime),
          approximateArrivalOfLastRecord: isoSeconds(last.ApproximateCreationDateTime),
          batchSize: batch.length,
          streamArn,
        },
      };
      records.push(record);
      this.redeliver(record);
    },
    redeliver(record) {
      const p = consume(JSON.stringify(record)).finally(() => inFlight.delete(p));
      inFlight.add(p);
    },
    async settled() {
      while (inFlight.size) await Promise.all([...inFlight]);
    },
  };
}
