// The one way into OpenTelemetry: the SDK is imported only when tracing is configured, so a server
// without OTEL_EXPORTER_OTLP_ENDPOINT never loads it.
import type { Tracing, TracingConfig } from './trace-types.js';

/** Loads the OpenTelemetry SDK and starts exporting; only ever called when tracing is configured. */
export async function startTracing(config: TracingConfig): Promise<Tracing> {
  const { createTracing } = await import('./tracing.js');
  return createTracing(config);
}
