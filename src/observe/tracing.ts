// OpenTelemetry traces over OTLP/HTTP (JSON): a SERVER span per GraphQL operation and a CLIENT
// span per DynamoDB call beneath it, with the semantic conventions' attribute names (the same the
// official aws-sdk instrumentation uses). Spans are made here from the calls Db reports rather than
// by the official http/graphql/aws-sdk instrumentations, which patch modules as they load: that
// misses ES modules without a loader hook and everything esbuild bundles (the Lambda asset), and
// the instrumentations' extra spans per resolver and per HTTP attempt cost CPU on every request.
// Loaded only through startTracing() (start-tracing.ts).
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  defaultTextMapGetter,
  trace,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
} from '@opentelemetry/sdk-trace-base';
import type { CallRecord } from '../data/dynamo/cost.js';
import type { OperationTrace, SamplerConfig, Tracing, TracingConfig } from './trace-types.js';

/** Error codes that mean the server failed, not the client: only these mark a span as an error. */
const SERVER_FAULTS = new Set(['INTERNAL_SERVER_ERROR', 'UNAVAILABLE']);

export function createTracing(config: TracingConfig): Tracing {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName }),
    sampler: sampler(config.sampler),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: config.url, headers: config.headers }))],
  });
  const tracer = provider.getTracer('dynamo-graphql-server');
  const propagator = new W3CTraceContextPropagator();

  return {
    startOperation(carrier) {
      const parent = carrier.traceparent ? propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter) : ROOT_CONTEXT;
      const span = tracer.startSpan('graphql', { kind: SpanKind.SERVER }, parent);
      return new Operation(span, tracer);
    },
    backgroundCall: (c) => callSpan(tracer, c, ROOT_CONTEXT),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

class Operation implements OperationTrace {
  readonly traceId: string;
  readonly sampled: boolean;

  constructor(
    private readonly span: Span,
    private readonly tracer: Tracer,
  ) {
    this.traceId = span.spanContext().traceId;
    this.sampled = span.isRecording();
  }

  call(c: CallRecord): void {
    if (this.sampled) callSpan(this.tracer, c, trace.setSpan(ROOT_CONTEXT, this.span));
  }

  end(o: { name: string | undefined; type: string | undefined; outcome: string }): void {
    if (!this.sampled) return;
    const type = o.type ?? 'unknown';
    this.span.updateName(o.name ? `${type} ${o.name}` : type);
    this.span.setAttribute('graphql.operation.type', type);
    if (o.name) this.span.setAttribute('graphql.operation.name', o.name);
    this.span.setAttribute('graphql.outcome', o.outcome);
    if (SERVER_FAULTS.has(o.outcome)) this.span.setStatus({ code: SpanStatusCode.ERROR, message: o.outcome });
    this.span.end();
  }
}

const STREAMS_COMMANDS = new Set(['DescribeStream', 'GetShardIterator', 'GetRecords']);

/** A CLIENT span for one finished call, under `parent` (an operation's span, or none for background work). */
function callSpan(tracer: Tracer, c: CallRecord, parent: Context): void {
  const attributes: Record<string, string | number | string[]> = {
    'rpc.system': 'aws-api',
    'rpc.service': STREAMS_COMMANDS.has(c.command) ? 'DynamoDBStreams' : 'DynamoDB',
    'rpc.method': c.command,
    'db.system': 'dynamodb',
    'aws.dynamodb.consumed_capacity': (c.consumed === undefined ? [] : Array.isArray(c.consumed) ? c.consumed : [c.consumed]).map((x) =>
      JSON.stringify(x),
    ),
    'dynamodb.consumed_read_capacity_units': c.rcu,
    'dynamodb.consumed_write_capacity_units': c.wcu,
    'dynamodb.attempts': c.attempts,
    // Whose work the call is (request, stream-reader, lease, ...): the same label as the metrics'.
    'dynamodb.source': c.source,
  };
  if (c.index) attributes['aws.dynamodb.index_name'] = c.index;
  if (c.keys !== undefined) attributes['dynamodb.batch_get.keys'] = c.keys;
  const span = tracer.startSpan(`DynamoDB.${c.command}`, { kind: SpanKind.CLIENT, startTime: c.startMs, attributes }, parent);
  if (c.error) span.setStatus({ code: SpanStatusCode.ERROR, message: c.error });
  span.end(c.endMs);
}

function sampler(s: SamplerConfig): Sampler {
  switch (s.kind) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(s.ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(s.ratio) });
  }
}
