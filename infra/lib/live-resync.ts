// The way out of a stream batch the delivery function gave up on (live-ws.ts: bounded retries and
// record age): the event source mapping's on-failure queue gets where the batch was, and the
// RESYNC function (src/lambda-ws.resync) reads that range of the stream again and sends RESYNC to
// the subscribers of the topics it touched (src/serverless/on-failure.ts). Both steps alarm: a
// batch given up (subscribers missed events, RESYNC on its way), and a message the RESYNC
// function itself kept failing (left in the dead-letter queue: those subscribers were not told).
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The RESYNC function's timeout; the queue hides a message received for six times that, as Lambda advises. */
export const RESYNC_TIMEOUT = Duration.seconds(60);
/** Receives of one on-failure message before it is left in the dead-letter queue. */
export const RESYNC_MAX_RECEIVES = 5;

/** The on-failure queue (created before the event source mapping that names it) and its dead letters. */
export function failureQueues(scope: Construct): { failures: Queue; dead: Queue } {
  const dead = new Queue(scope, 'DeliveryFailuresDead', { retentionPeriod: Duration.days(14) });
  const failures = new Queue(scope, 'DeliveryFailures', {
    retentionPeriod: Duration.days(14),
    visibilityTimeout: Duration.seconds(RESYNC_TIMEOUT.toSeconds() * 6),
    deadLetterQueue: { queue: dead, maxReceiveCount: RESYNC_MAX_RECEIVES },
  });
  return { failures, dead };
}

export interface ResyncWiring {
  /** The RESYNC function (its role already manages this API's connections). */
  fn: LambdaFunction;
  table: Table;
  failures: Queue;
  dead: Queue;
}

export class DeliveryResync extends Construct {
  constructor(scope: Construct, id: string, w: ResyncWiring) {
    super(scope, id);
    // Reads the range again: this table's stream only (no ListStreams, no other table's stream).
    w.fn.addToRolePolicy(
      new PolicyStatement({ actions: ['dynamodb:GetShardIterator', 'dynamodb:GetRecords'], resources: [w.table.tableStreamArn!] }),
    );
    w.fn.addEventSource(new SqsEventSource(w.failures, { batchSize: 10, reportBatchItemFailures: true }));
    new Alarm(this, 'DeliveryGivenUpAlarm', {
      alarmDescription: 'A stream batch was given up after its retries: its subscribers missed events and are sent RESYNC.',
      metric: w.failures.metricNumberOfMessagesSent({ period: Duration.minutes(1), statistic: 'Sum' }),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    new Alarm(this, 'ResyncFailedAlarm', {
      alarmDescription: 'RESYNC for a given-up stream batch kept failing: its subscribers missed events and were not told.',
      metric: w.dead.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
