// One request's observation: where its DynamoDB calls are reported (metrics, and the operation's
// span once the GraphQL plugin has started it) and how it ends. Per request, built in createContext.
import type { CallListener, CallRecord } from '../data/dynamo/cost.js';
import { metricsEnabled, recordDynamoCall, recordOperation } from './metrics.js';
import type { OperationTrace, Tracing } from './trace-types.js';

export class RequestObservation {
  trace: OperationTrace | undefined;

  constructor(private readonly tracing: Tracing | undefined) {}

  /** The listener Db reports calls to, or undefined when nothing is listening (no cost at all). */
  listener(): CallListener | undefined {
    if (!this.tracing && !metricsEnabled()) return undefined;
    return (c: CallRecord) => {
      recordDynamoCall(c);
      this.trace?.call(c);
    };
  }

  start(traceparent: string | undefined, tracestate: string | undefined): void {
    this.trace = this.tracing?.startOperation({ traceparent, tracestate });
  }

  /** Records the operation; returns the trace id for the log line. */
  finish(o: { name: string | undefined; type: string | undefined; outcome: string; seconds: number }): string | undefined {
    recordOperation(o);
    this.trace?.end(o);
    return this.trace?.traceId;
  }
}
