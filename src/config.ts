// The only module that reads process.env. It parses everything once, collects every problem
// before failing, and hands the rest of the program a typed, frozen Config.

export type DatabaseTarget =
  | { kind: 'embedded'; dataDir: string; inMemory: boolean }
  | { kind: 'endpoint'; endpoint: string; region: string; credentials: EndpointCredentials }
  | { kind: 'aws'; region: string };

/**
 * What an explicit endpoint is signed with. DynamoDB Local without -sharedDb keeps one database per
 * access key and region, so the environment's key decides which tables a user sees: 'keys' and
 * 'profile' (the SDK's default chain reads the profile) are the user's own; 'fixed-local' only when
 * nothing is configured.
 */
export type EndpointCredentials =
  | { source: 'keys'; accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  | { source: 'profile'; profile: string }
  | { source: 'fixed-local' };

export type AuthConfig = (
  | { kind: 'hs256'; secret: string; issuer: string; audience: string; isDevDefault: boolean }
  | { kind: 'jwks'; jwksUrl: string; issuer: string; audience: string }
) & {
  /** The longest a token is accepted after it was issued (its `iat`), whatever its `exp` says. */
  maxTokenLifetimeSeconds: number;
};

import type { SamplerConfig, TracingConfig } from './observe/trace-types.js';

export interface Config {
  host: string;
  port: number;
  tableName: string;
  database: DatabaseTarget;
  auth: AuthConfig;
  cursorSecret: string;
  demoData: boolean;
  reportCost: boolean;
  maxBodyBytes: number;
  dynamoTimeoutMs: number;
  dynamoMaxAttempts: number;
  logRequests: boolean;
  live: LiveConfig;
  warnings: string[];
  /** Prometheus metrics: at /metrics on the server's port, on a port of their own, or off. */
  metrics: { mode: 'route' } | { mode: 'port'; port: number } | { mode: 'off' };
  logLevel: LogLevel;
  /** pretty: human-readable lines (pino-pretty); auto: pretty when stdout is a terminal and the database local. */
  logFormat: 'json' | 'pretty' | 'auto';
  local: boolean;
  /** OpenTelemetry tracing, from the standard OTEL_* variables; undefined (off) without an OTLP endpoint. */
  tracing: TracingConfig | undefined;
}

/** Live updates: the stream reader, the replay window and what one WebSocket client may hold. */
export interface LiveConfig {
  /** Off: no stream reader and no WebSocket endpoint (queries and mutations only). */
  enabled: boolean;
  streamPollMs: number;
  /** Records kept for resume (in process; with Redis, the Redis stream's length). */
  replayRecords: number;
  /** Events one subscription may hold for a slow reader before it gets RESYNC instead. */
  queueLimit: number;
  maxSubscriptionsPerConnection: number;
  maxConnectionsPerViewer: number;
  maxConnectionsPerAddress: number;
  initTimeoutMs: number;
  maxPayloadBytes: number;
  /** How long a game may stay open before it expires through the table's TTL. */
  openGameTtlSeconds: number;
  /**
   * How often the server deletes expired games itself, as TTL would; 0 leaves it to DynamoDB's TTL.
   * On by default against a local database: DynamoDB Local's TTL skips items lacking an index key.
   */
  expireSweepMs: number;
  /** Set: many instances share a Redis bus and one lease-gated stream reader (src/live/cluster.ts). */
  redisUrl: string | null;
  /** The stream reader's lease in the table: how long it lasts unrenewed, and how often its holder renews it. */
  leaseMs: number;
  leaseRenewMs: number;
  /** How long Redis remembers a published record id, so a record read twice is published once. */
  dedupeSeconds: number;
  /** With Redis: off when another reader (the Lambda) publishes, so this instance only listens. */
  readStream: boolean;
  /** The least time between two runs of one @live query: a burst of writes causes a few re-runs, not one each. */
  liveQueryThrottleMs: number;
}
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** A fixed secret so a laptop needs no setup; never accepted outside the embedded database. */
export const DEV_AUTH_SECRET = 'dev-only-secret-change-me-0123456789abcdef';
const DEV_CURSOR_SECRET = 'dev-only-cursor-secret-0123456789abcdef';

/** A day: long enough for a working session, short enough that a leaked token soon stops working. */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 86_400;

type Env = Record<string, string | undefined>;

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };

/** "90s", "30m", "24h", "7d" (or a bare number of seconds) in seconds; undefined when not one. */
export function parseDuration(value: string): number | undefined {
  const m = /^(\d{1,9})\s*([smhd]?)$/.exec(value.trim());
  if (!m) return undefined;
  return Number(m[1]) * UNIT_SECONDS[m[2] || 's']!;
}

/** Parses an environment (process.env by default) into a Config or throws every problem at once. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const warnings: string[] = [];
  const str = (name: string) => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const int = (name: string, fallback: number, min: number, max: number) => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, got "${raw}".`);
      return fallback;
    }
    return n;
  };
  const flag = (name: string, fallback: boolean) => {
    const raw = str(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['on', 'true', '1', 'yes'].includes(raw)) return true;
    if (['off', 'false', '0', 'no'].includes(raw)) return false;
    problems.push(`${name} must be "on" or "off", got "${str(name)}".`);
    return fallback;
  };
  const url = (name: string) => {
    const raw = str(name);
    if (raw === undefined) return undefined;
    try {
      const u = new URL(raw);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
      return raw;
    } catch {
      problems.push(`${name} must be an http(s) URL, got "${raw}".`);
      return undefined;
    }
  };

  const redisUrl = () => {
    const raw = str('REDIS_URL');
    if (raw === undefined) return null;
    try {
      const u = new URL(raw);
      if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error('protocol');
      return raw;
    } catch {
      problems.push(`REDIS_URL must be a redis:// or rediss:// URL, got "${raw}".`);
      return null;
    }
  };
  const leaseMs = int('LIVE_LEASE_MS', 10_000, 1_000, 300_000);
  const leaseRenewMs = int('LIVE_LEASE_RENEW_MS', 3_000, 100, 100_000);
  // Renewing less often than the lease lasts is what keeps a healthy holder holding it.
  if (leaseRenewMs * 2 > leaseMs)
    problems.push(`LIVE_LEASE_RENEW_MS (${leaseRenewMs}) must be at most half of LIVE_LEASE_MS (${leaseMs}).`);

  const port = int('PORT', 4000, 0, 65535);
  const host = str('HOST') ?? '127.0.0.1';
  const tableName = str('TABLE_NAME') ?? 'graphql-dynamo';
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(tableName)) {
    problems.push(`TABLE_NAME must be 3-255 characters of letters, digits, "_", "-" or ".", got "${tableName}".`);
  }

  const endpoint = url('DYNAMODB_ENDPOINT');
  const region = str('AWS_REGION') ?? str('AWS_DEFAULT_REGION');
  let database: DatabaseTarget;
  if (endpoint) database = { kind: 'endpoint', endpoint, region: region ?? 'local', credentials: endpointCredentials(str, problems) };
  else if (str('DYNAMODB_ENDPOINT') === undefined && region) database = { kind: 'aws', region };
  else {
    database = {
      kind: 'embedded',
      dataDir: str('DYNAMODB_DATA_DIR') ?? '.data/dynamodb',
      inMemory: flag('DYNAMODB_IN_MEMORY', false),
    };
  }
  const local = database.kind === 'embedded' || (database.kind === 'endpoint' && isLoopback(database.endpoint));

  const rawLifetime = str('AUTH_MAX_TOKEN_LIFETIME');
  let maxTokenLifetimeSeconds = DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
  if (rawLifetime !== undefined) {
    const seconds = parseDuration(rawLifetime);
    if (seconds === undefined || seconds < 60 || seconds > 30 * 86_400) {
      problems.push(`AUTH_MAX_TOKEN_LIFETIME must be a duration from 1m to 30d (like "24h", "90m" or "3600s"), got "${rawLifetime}".`);
    } else maxTokenLifetimeSeconds = seconds;
  }
  const issuer = str('AUTH_ISSUER') ?? 'dynamo-graphql-local';
  const audience = str('AUTH_AUDIENCE') ?? 'dynamo-graphql';
  const jwksUrl = url('AUTH_JWKS_URL');
  let auth: AuthConfig;
  if (jwksUrl) {
    if (!str('AUTH_ISSUER')) problems.push('AUTH_ISSUER is required with AUTH_JWKS_URL (the OIDC issuer URL).');
    if (!str('AUTH_AUDIENCE')) problems.push('AUTH_AUDIENCE is required with AUTH_JWKS_URL (the app client id).');
    auth = { kind: 'jwks', jwksUrl, issuer, audience, maxTokenLifetimeSeconds };
  } else {
    const secret = str('AUTH_SECRET');
    if (secret !== undefined && secret.length < 32) problems.push('AUTH_SECRET must be at least 32 characters.');
    if (secret === undefined && !local) {
      problems.push('AUTH_SECRET (at least 32 characters) or AUTH_JWKS_URL is required when not using a local database.');
    }
    if (secret === undefined && local)
      warnings.push('AUTH_SECRET is not set: using the fixed development secret. Never do this in production.');
    auth = {
      kind: 'hs256',
      secret: secret ?? DEV_AUTH_SECRET,
      issuer,
      audience,
      isDevDefault: secret === undefined,
      maxTokenLifetimeSeconds,
    };
  }

  const cursorSecret = str('CURSOR_SECRET');
  if (cursorSecret !== undefined && cursorSecret.length < 32) problems.push('CURSOR_SECRET must be at least 32 characters.');
  if (cursorSecret === undefined && !local)
    problems.push('CURSOR_SECRET (at least 32 characters) is required when not using a local database.');

  const config: Config = {
    host,
    port,
    tableName,
    database,
    auth,
    cursorSecret: cursorSecret ?? DEV_CURSOR_SECRET,
    demoData: flag('DEMO_DATA', true),
    reportCost: flag('DYNAMODB_COST', true),
    maxBodyBytes: int('MAX_BODY_BYTES', 100_000, 1_000, 10_000_000),
    dynamoTimeoutMs: int('DYNAMODB_TIMEOUT_MS', 3_000, 100, 60_000),
    dynamoMaxAttempts: int('DYNAMODB_MAX_ATTEMPTS', 4, 1, 10),
    logRequests: flag('LOG_REQUESTS', true),
    live: {
      enabled: flag('LIVE_UPDATES', true),
      streamPollMs: int('STREAM_POLL_MS', 250, 20, 10_000),
      replayRecords: int('LIVE_REPLAY_RECORDS', 10_000, 0, 1_000_000),
      queueLimit: int('LIVE_QUEUE_LIMIT', 200, 1, 100_000),
      maxSubscriptionsPerConnection: int('WS_MAX_SUBSCRIPTIONS', 20, 1, 1_000),
      maxConnectionsPerViewer: int('WS_MAX_CONNECTIONS_PER_VIEWER', 10, 1, 10_000),
      maxConnectionsPerAddress: int('WS_MAX_CONNECTIONS_PER_ADDRESS', 100, 1, 100_000),
      initTimeoutMs: int('WS_INIT_TIMEOUT_MS', 5_000, 100, 60_000),
      maxPayloadBytes: int('WS_MAX_PAYLOAD_BYTES', 64_000, 1_000, 10_000_000),
      openGameTtlSeconds: int('OPEN_GAME_TTL_SECONDS', 86_400, 1, 365 * 86_400),
      expireSweepMs: int('EXPIRE_SWEEP_SECONDS', local ? 10 : 0, 0, 3_600) * 1_000,
      redisUrl: redisUrl(),
      leaseMs,
      leaseRenewMs,
      dedupeSeconds: int('LIVE_DEDUPE_SECONDS', 86_400, 60, 7 * 86_400),
      readStream: flag('LIVE_STREAM_READER', true),
      liveQueryThrottleMs: int('LIVE_QUERY_THROTTLE_MS', 250, 0, 60_000),
    },
    warnings,
    local,
    ...observability(str, int, flag, problems, warnings),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

export function isLoopback(endpoint: string): boolean {
  const host = new URL(endpoint).hostname;
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Describes the database target for the start-up log line. */
export function describeDatabase(db: DatabaseTarget): string {
  switch (db.kind) {
    case 'embedded':
      return db.inMemory ? 'embedded DynamoDB Local (in memory)' : `embedded DynamoDB Local (data in ${db.dataDir})`;
    case 'endpoint':
      return `DynamoDB at ${db.endpoint} (region ${db.region}, ${describeCredentials(db.credentials)})`;
    case 'aws':
      return `AWS DynamoDB in ${db.region}`;
  }
}

/** Names where the credentials come from (never the secret). */
export function describeCredentials(c: EndpointCredentials): string {
  switch (c.source) {
    case 'keys':
      return `access key ${c.accessKeyId} from AWS_ACCESS_KEY_ID`;
    case 'profile':
      return `profile ${c.profile} from AWS_PROFILE`;
    case 'fixed-local':
      return 'the fixed local access key (no AWS credentials configured)';
  }
}

// The same variables the SDK's own chain reads first: keys, then a profile.
function endpointCredentials(str: (name: string) => string | undefined, problems: string[]): EndpointCredentials {
  const accessKeyId = str('AWS_ACCESS_KEY_ID');
  const secretAccessKey = str('AWS_SECRET_ACCESS_KEY');
  if (accessKeyId && secretAccessKey) {
    const sessionToken = str('AWS_SESSION_TOKEN');
    return { source: 'keys', accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  }
  if (accessKeyId || secretAccessKey) {
    problems.push('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together.');
    return { source: 'fixed-local' };
  }
  const profile = str('AWS_PROFILE');
  return profile ? { source: 'profile', profile } : { source: 'fixed-local' };
}

/** Metrics, logs and traces: METRICS, METRICS_PORT, LOG_LEVEL, LOG_FORMAT and the standard OTEL_* variables. */
function observability(
  str: (name: string) => string | undefined,
  int: (name: string, fallback: number, min: number, max: number) => number,
  flag: (name: string, fallback: boolean) => boolean,
  problems: string[],
  warnings: string[],
): Pick<Config, 'metrics' | 'logLevel' | 'logFormat' | 'tracing'> {
  const metricsOn = flag('METRICS', true);
  const metricsPort = str('METRICS_PORT') === undefined ? undefined : int('METRICS_PORT', 9464, 0, 65535);
  const metrics: Config['metrics'] = !metricsOn
    ? { mode: 'off' }
    : metricsPort !== undefined
      ? { mode: 'port', port: metricsPort }
      : { mode: 'route' };

  const level = (str('LOG_LEVEL') ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level))
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${level}".`);
  const format = (str('LOG_FORMAT') ?? 'auto').toLowerCase();
  if (!['json', 'pretty', 'auto'].includes(format)) problems.push(`LOG_FORMAT must be json, pretty or auto, got "${format}".`);

  let tracing: TracingConfig | undefined;
  const base = str('OTEL_EXPORTER_OTLP_ENDPOINT');
  const tracesUrl = str('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? (base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined);
  const disabled = flag('OTEL_SDK_DISABLED', false) || str('OTEL_TRACES_EXPORTER') === 'none';
  if (tracesUrl && !disabled) {
    try {
      const u = new URL(tracesUrl);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
    } catch {
      problems.push(`OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL, got "${tracesUrl}".`);
    }
    const protocol = str('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? str('OTEL_EXPORTER_OTLP_PROTOCOL');
    if (protocol === 'grpc')
      problems.push('OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported: this server exports OTLP over HTTP (http/json).');
    else if (protocol === 'http/protobuf')
      warnings.push('OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf: traces are sent as http/json, which every OTLP/HTTP receiver accepts.');
    tracing = {
      url: tracesUrl,
      headers: otlpHeaders(str('OTEL_EXPORTER_OTLP_TRACES_HEADERS') ?? str('OTEL_EXPORTER_OTLP_HEADERS'), problems),
      serviceName: str('OTEL_SERVICE_NAME') ?? 'dynamo-graphql-server',
      sampler: samplerConfig(str('OTEL_TRACES_SAMPLER'), str('OTEL_TRACES_SAMPLER_ARG'), problems),
    };
  }
  return { metrics, logLevel: level as LogLevel, logFormat: format as Config['logFormat'], tracing };
}

// The OTLP exporter spec's format: comma-separated key=value pairs, values URL-encoded.
function otlpHeaders(raw: string | undefined, problems: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (raw ?? '').split(',').filter((p) => p.trim())) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      problems.push(`OTEL_EXPORTER_OTLP_HEADERS must be key=value pairs separated by commas, got "${pair}".`);
      continue;
    }
    out[pair.slice(0, eq).trim()] = decodeURIComponent(pair.slice(eq + 1).trim());
  }
  return out;
}

const SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'];

// The spec's default is parentbased_always_on; ratio samplers take OTEL_TRACES_SAMPLER_ARG (default 1).
function samplerConfig(kind: string | undefined, arg: string | undefined, problems: string[]): SamplerConfig {
  const k = (kind ?? 'parentbased_always_on').toLowerCase();
  if (!SAMPLERS.includes(k)) {
    problems.push(`OTEL_TRACES_SAMPLER must be one of ${SAMPLERS.join(', ')}, got "${kind}".`);
    return { kind: 'parentbased_always_on' };
  }
  if (k === 'traceidratio' || k === 'parentbased_traceidratio') {
    const ratio = arg === undefined ? 1 : Number(arg);
    if (!(ratio >= 0 && ratio <= 1)) problems.push(`OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1, got "${arg}".`);
    return { kind: k, ratio: ratio >= 0 && ratio <= 1 ? ratio : 1 };
  }
  return { kind: k as 'always_on' };
}
