// What the server needs from tracing, as types only: nothing here loads OpenTelemetry (start-tracing.ts
// imports the SDK, lazily, only when OTEL_EXPORTER_OTLP_ENDPOINT is set).
import type { CallRecord } from '../data/dynamo/cost.js';

export type SamplerConfig =
  | { kind: 'always_on' | 'always_off' | 'parentbased_always_on' | 'parentbased_always_off' }
  | { kind: 'traceidratio' | 'parentbased_traceidratio'; ratio: number };

export interface TracingConfig {
  /** The full OTLP/HTTP traces URL (…/v1/traces). */
  url: string;
  headers: Record<string, string>;
  serviceName: string;
  sampler: SamplerConfig;
}

export interface Tracing {
  /** Starts the span of one GraphQL operation, continuing the caller's trace when the request carries W3C trace context. */
  startOperation(carrier: { traceparent?: string; tracestate?: string }): OperationTrace;
  /** A DynamoDB call of the process's background work (no operation to belong to): a span of its own, sampled as a root. */
  backgroundCall(c: CallRecord): void;
  /** Sends what is buffered (Lambda: before the instance freezes). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

export interface OperationTrace {
  readonly traceId: string;
  readonly sampled: boolean;
  /** Adds a finished DynamoDB call as a child span, its consumed capacity as attributes. */
  call(c: CallRecord): void;
  end(o: { name: string | undefined; type: string | undefined; outcome: string }): void;
}
