// The observability slice: Prometheus metrics, logs, and OpenTelemetry tracing from the standard
// OTEL_* variables.
import type { SamplerConfig, TracingConfig } from '../observe/trace-types.js';
import type { EnvReader } from './env.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ObservabilityConfig {
  /** Prometheus metrics: at /metrics on the server's port, on a port of their own, or off. */
  metrics: { mode: 'route' } | { mode: 'port'; port: number } | { mode: 'off' };
  logLevel: LogLevel;
  /** pretty: human-readable lines (pino-pretty); auto: pretty when stdout is a terminal and the database local. */
  logFormat: 'json' | 'pretty' | 'auto';
  /** One log line per GraphQL request. */
  logRequests: boolean;
  /** OpenTelemetry tracing; undefined (off) without an OTLP endpoint. */
  tracing: TracingConfig | undefined;
}

/** METRICS, METRICS_PORT, LOG_LEVEL, LOG_FORMAT, LOG_REQUESTS and the standard OTEL_* variables. */
export function readObservability(env: EnvReader): ObservabilityConfig {
  const metricsOn = env.flag('METRICS', true);
  const metricsPort = env.str('METRICS_PORT') === undefined ? undefined : env.int('METRICS_PORT', 9464, 0, 65535);
  const metrics: ObservabilityConfig['metrics'] = !metricsOn
    ? { mode: 'off' }
    : metricsPort !== undefined
      ? { mode: 'port', port: metricsPort }
      : { mode: 'route' };

  const level = (env.str('LOG_LEVEL') ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level))
    env.problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${level}".`);
  const format = (env.str('LOG_FORMAT') ?? 'auto').toLowerCase();
  if (!['json', 'pretty', 'auto'].includes(format)) env.problems.push(`LOG_FORMAT must be json, pretty or auto, got "${format}".`);

  return {
    metrics,
    logLevel: level as LogLevel,
    logFormat: format as ObservabilityConfig['logFormat'],
    logRequests: env.flag('LOG_REQUESTS', true),
    tracing: readTracing(env),
  };
}

function readTracing(env: EnvReader): TracingConfig | undefined {
  const base = env.str('OTEL_EXPORTER_OTLP_ENDPOINT');
  const tracesUrl = env.str('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? (base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined);
  const disabled = env.flag('OTEL_SDK_DISABLED', false) || env.str('OTEL_TRACES_EXPORTER') === 'none';
  if (!tracesUrl || disabled) return undefined;
  try {
    const u = new URL(tracesUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
  } catch {
    env.problems.push(`OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL, got "${tracesUrl}".`);
  }
  const protocol = env.str('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? env.str('OTEL_EXPORTER_OTLP_PROTOCOL');
  if (protocol === 'grpc')
    env.problems.push('OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported: this server exports OTLP over HTTP (http/json).');
  else if (protocol === 'http/protobuf')
    env.warnings.push('OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf: traces are sent as http/json, which every OTLP/HTTP receiver accepts.');
  return {
    url: tracesUrl,
    headers: otlpHeaders(env, env.str('OTEL_EXPORTER_OTLP_TRACES_HEADERS') ?? env.str('OTEL_EXPORTER_OTLP_HEADERS')),
    serviceName: env.str('OTEL_SERVICE_NAME') ?? 'dynamo-graphql-server',
    sampler: samplerConfig(env, env.str('OTEL_TRACES_SAMPLER'), env.str('OTEL_TRACES_SAMPLER_ARG')),
  };
}

// The OTLP exporter spec's format: comma-separated key=value pairs, values URL-encoded.
function otlpHeaders(env: EnvReader, raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (raw ?? '').split(',').filter((p) => p.trim())) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      env.problems.push(`OTEL_EXPORTER_OTLP_HEADERS must be key=value pairs separated by commas, got "${pair}".`);
      continue;
    }
    out[pair.slice(0, eq).trim()] = decodeURIComponent(pair.slice(eq + 1).trim());
  }
  return out;
}

const SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'];

// The spec's default is parentbased_always_on; ratio samplers take OTEL_TRACES_SAMPLER_ARG (default 1).
function samplerConfig(env: EnvReader, kind: string | undefined, arg: string | undefined): SamplerConfig {
  const k = (kind ?? 'parentbased_always_on').toLowerCase();
  if (!SAMPLERS.includes(k)) {
    env.problems.push(`OTEL_TRACES_SAMPLER must be one of ${SAMPLERS.join(', ')}, got "${kind}".`);
    return { kind: 'parentbased_always_on' };
  }
  if (k === 'traceidratio' || k === 'parentbased_traceidratio') {
    const ratio = arg === undefined ? 1 : Number(arg);
    if (!(ratio >= 0 && ratio <= 1)) env.problems.push(`OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1, got "${arg}".`);
    return { kind: k, ratio: ratio >= 0 && ratio <= 1 ? ratio : 1 };
  }
  return { kind: k as 'always_on' };
}
