// Where the DynamoDB calls of the process's own work are reported: the stream reader, its lease and
// checkpoints, the expirer, the sweeps, table admin and bulk loads at start-up, /readyz's probe.
// Like the metrics registry it is process-wide, so the code far from any request reports with no
// plumbing: metrics when they are on, and a span per call once main.ts hands over the tracing.
import type { CallListener } from '../data/dynamo/cost.js';
import { recordDynamoCall } from './metrics.js';
import type { Tracing } from './trace-types.js';

let tracing: Tracing | undefined;

/** From now on background calls are traced too (main.ts, once tracing is started); undefined stops it. */
export function traceBackgroundCalls(t: Tracing | undefined): void {
  tracing = t;
}

/** The listener of every background Db and metered call; the record's source says whose call it was. */
export const recordBackgroundCall: CallListener = (c) => {
  recordDynamoCall(c);
  tracing?.backgroundCall(c);
};
