// The one way to tracing: this file is all that loads when tracing is off, and it imports the
// OpenTelemetry SDK (tracing.ts) only when called, which main.ts does only when an OTLP endpoint
// is configured.
import type { Tracing, TracingConfig } from './trace-types.js';

/** Loads the OpenTelemetry SDK and starts exporting; only ever called when tracing is configured. */
export async function startTracing(config: TracingConfig): Promise<Tracing> {
  const { createTracing } = await import('./tracing.js');
  return createTracing(config);
}
