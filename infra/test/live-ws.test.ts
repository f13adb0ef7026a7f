// Live updates on API Gateway's WebSocket API, as CloudFormation will see them: the routes and
// their integrations, the ping route answered by API Gateway itself, the functions' right to manage
// this API's connections only, the stream's event source (filter criteria, partial batch failures,
// bisection, bounded retries, an on-failure queue), the on-failure queue's RESYNC function (this
// table's stream only), the alarms, and the table's TTL.
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { FAN_OUT_PROGRESS_TTL_SECONDS } from '../../src/data/connections/fan-out.js';
import { TABLE } from '../../src/data/table.js';
import { DELIVERY_FILTER_PATTERN } from '../../src/serverless/filter.js';
import { GraphqlStack, type GraphqlStackProps } from '../lib/stack.js';

type Json = Record<string, any>;
const LIVE = { handler: 'src/lambda-ws.handler', deliverHandler: 'src/lambda-ws.deliver', resyncHandler: 'src/lambda-ws.resync' };

function synth(props: Partial<GraphqlStackProps> = {}): Template {
  const stack = new GraphqlStack(new App({ builtinCloudFormationValidation: false }), 'Test', {
    stage: 'dev',
    code: Code.fromInline('export const handler = async () => ({ statusCode: 200 });'),
    handler: 'index.handler',
    ...props,
  });
  return Template.fromStack(stack);
}

const resources = (t: Template, type: string) => Object.entries(t.findResources(type)) as [string, Json][];
const strings = (v: unknown): string[] =>
  typeof v === 'string' ? [v] : Array.isArray(v) ? v.flatMap(strings) : v && typeof v === 'object' ? Object.values(v).flatMap(strings) : [];

describe('live updates on API Gateway (serverlessLive)', () => {
  const template = synth({ serverlessLive: LIVE });
  const fnId = (handler: string) => resources(template, 'AWS::Lambda::Function').find(([, f]) => f.Properties.Handler === handler)![0];
  const failuresId = () => resources(template, 'AWS::SQS::Queue').find(([id]) => /DeliveryFailures[0-9A-F]+$/.test(id))![0];

  it('is absent unless asked for, and refuses to sit beside the Redis stream reader', () => {
    synth().resourceCountIs('AWS::ApiGatewayV2::Api', 1); // the HTTP API alone
    expect(() => synth({ serverlessLive: LIVE, streamReader: { redisUrl: 'rediss://x:6379', handler: 'r.handler' } })).toThrow(
      /alternatives/,
    );
  });

  it('routes $connect, $disconnect and $default to the routes function, selecting on the message type', () => {
    const [apiId, api] = resources(template, 'AWS::ApiGatewayV2::Api').find(([, a]) => a.Properties.ProtocolType === 'WEBSOCKET')!;
    expect(api.Properties.RouteSelectionExpression).toBe('$request.body.type');
    const routes = resources(template, 'AWS::ApiGatewayV2::Route')
      .map(([, r]) => r.Properties)
      .filter((r) => JSON.stringify(r.ApiId).includes(apiId));
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(['$connect', '$default', '$disconnect', 'ping']);
    const integrations = resources(template, 'AWS::ApiGatewayV2::Integration')
      .map(([, i]) => i.Properties)
      .filter((i) => JSON.stringify(i.ApiId).includes(apiId) && i.IntegrationType === 'AWS_PROXY');
    expect(integrations).toHaveLength(1);
    expect(JSON.stringify(integrations[0]!.IntegrationUri)).toContain(fnId(LIVE.handler));
  });

  it('answers {"type":"ping"} with {"type":"pong"} from a mock integration, invoking nothing', () => {
    const mock = resources(template, 'AWS::ApiGatewayV2::Integration').find(([, i]) => i.Properties.IntegrationType === 'MOCK')!;
    const response = resources(template, 'AWS::ApiGatewayV2::IntegrationResponse')[0]![1].Properties;
    expect(response.ResponseTemplates).toEqual({ $default: '{"type":"pong"}' });
    expect(JSON.stringify(response.IntegrationId)).toContain(mock[0]);
    const ping = resources(template, 'AWS::ApiGatewayV2::Route').find(([, r]) => r.Properties.RouteKey === 'ping')![1].Properties;
    expect(ping.RouteResponseSelectionExpression).toBe('$default');
    template.resourceCountIs('AWS::ApiGatewayV2::RouteResponse', 1);
  });

  it('lets the three functions manage the connections of this API and stage only', () => {
    const manage = resources(template, 'AWS::IAM::Policy')
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Json[])
      .filter((st) => strings(st.Action).includes('execute-api:ManageConnections'));
    expect(manage).toHaveLength(3);
    const apiId = resources(template, 'AWS::ApiGatewayV2::Api').find(([, a]) => a.Properties.ProtocolType === 'WEBSOCKET')![0];
    for (const st of manage) {
      const resource = JSON.stringify(st.Resource);
      expect(resource).toContain(apiId);
      expect(strings(st.Resource).join('')).toContain('/dev/*/@connections/*');
    }
  });

  it('feeds the delivery function from the table’s stream with partial failures, bisection, bounded retries, an on-failure queue and the filter criteria', () => {
    const [, mapping] = resources(template, 'AWS::Lambda::EventSourceMapping').find(([, m]) => m.Properties.StartingPosition)!;
    const p = mapping.Properties;
    expect(JSON.stringify(p.FunctionName)).toContain(fnId(LIVE.deliverHandler));
    expect(p).toMatchObject({
      StartingPosition: 'LATEST',
      ParallelizationFactor: 1,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 3600,
    });
    // A retried record finds how far its fan-out got: the progress item outlives the oldest record Lambda retries.
    expect(p.MaximumRecordAgeInSeconds).toBeLessThan(FAN_OUT_PROGRESS_TTL_SECONDS);
    expect(JSON.stringify(p.DestinationConfig.OnFailure.Destination)).toContain(failuresId());
    expect(p.FilterCriteria.Filters.map((f: Json) => JSON.parse(f.Pattern))).toEqual([DELIVERY_FILTER_PATTERN]);
    // Connection and subscription items (WSCONN#, WSTOPIC#) match none of the allowed prefixes.
    const allowed = DELIVERY_FILTER_PATTERN.dynamodb.Keys.PK.S.map((x) => x.prefix);
    expect(allowed.some((a) => 'WSCONN#x'.startsWith(a) || 'WSTOPIC#game:1'.startsWith(a))).toBe(false);
  });

  it('turns a batch given up into RESYNC: the on-failure queue feeds the RESYNC function, which reads this table’s stream only', () => {
    const mappings = resources(template, 'AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties);
    const onQueue = mappings.filter((m) => JSON.stringify(m.EventSourceArn) === JSON.stringify({ 'Fn::GetAtt': [failuresId(), 'Arn'] }));
    expect(onQueue).toHaveLength(1);
    const p = onQueue[0]!;
    expect(JSON.stringify(p.FunctionName)).toContain(fnId(LIVE.resyncHandler));
    expect(p.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    // A message the function keeps failing ends in a dead-letter queue (which alarms), not in endless retries.
    const queue = resources(template, 'AWS::SQS::Queue').find(([id]) => id === failuresId())![1].Properties;
    expect(queue.RedrivePolicy.maxReceiveCount).toBe(5);
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(60);

    const policies = resources(template, 'AWS::IAM::Policy').filter(([, pol]) =>
      JSON.stringify(pol.Properties.Roles).includes('ResyncRole'),
    );
    const statements = policies.flatMap(([, pol]) => pol.Properties.PolicyDocument.Statement as Json[]);
    const stream = statements.filter((st) =>
      strings(st.Action).some((a) => /GetRecords|GetShardIterator|ListStreams|DescribeStream/.test(a)),
    );
    expect(stream).toHaveLength(1);
    expect(strings(stream[0]!.Action).sort()).toEqual(['dynamodb:GetRecords', 'dynamodb:GetShardIterator']);
    const tableId = resources(template, 'AWS::DynamoDB::Table')[0]![0];
    expect(stream[0]!.Resource).toEqual({ 'Fn::GetAtt': [tableId, 'StreamArn'] });
  });

  it('alarms on the stream’s iterator age, on a batch given up and on a RESYNC that kept failing', () => {
    const alarms = resources(template, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    expect(alarms.find((a) => a.MetricName === 'IteratorAge')).toMatchObject({ Statistic: 'Maximum', Threshold: 60_000 });
    const sent = alarms.find((a) => a.MetricName === 'NumberOfMessagesSent')!;
    expect(sent).toMatchObject({ Threshold: 0, Statistic: 'Sum' });
    expect(JSON.stringify(sent.Dimensions)).toContain(failuresId());
    const dead = alarms.find((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible')!;
    expect(dead).toMatchObject({ Threshold: 0 });
    expect(JSON.stringify(dead.Dimensions)).not.toContain(failuresId());
  });

  it('keeps connections and subscriptions as temporary items: the table has TTL on its expiry attribute', () => {
    const table = resources(template, 'AWS::DynamoDB::Table')[0]![1].Properties;
    expect(table.TimeToLiveSpecification).toEqual({ AttributeName: TABLE.ttlAttribute, Enabled: true });
  });
});
