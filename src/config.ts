// The only module that reads process.env. It parses everything once, collects every problem
// before failing, and hands the rest of the program a typed, frozen Config.

export type DatabaseTarget =
  | { kind: 'embedded'; dataDir: string; inMemory: boolean }
  | { kind: 'endpoint'; endpoint: string; region: string }
  | { kind: 'aws'; region: string };

export type AuthConfig =
  | { kind: 'hs256'; secret: string; issuer: string; audience: string; isDevDefault: boolean }
  | { kind: 'jwks'; jwksUrl: string; issuer: string; audience: string };

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
  /** Set: many instances share a Redis bus and one lease-gated stream reader (src/live/cluster.ts). */
  redisUrl: string | null;
  /** The stream reader's lease in the table: how long it lasts unrenewed, and how often its holder renews it. */
  leaseMs: number;
  leaseRenewMs: number;
  /** How long Redis remembers a published record id, so a record read twice is published once. */
  dedupeSeconds: number;
  /** With Redis: off when another reader (the Lambda) publishes, so this instance only listens. */
  readStream: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** A fixed secret so a laptop needs no setup; never accepted outside the embedded database. */
export const DEV_AUTH_SECRET = 'dev-only-secret-change-me-0123456789abcdef';
const DEV_CURSOR_SECRET = 'dev-only-cursor-secret-0123456789abcdef';

type Env = Record<string, string | undefined>;

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
  if (endpoint) database = { kind: 'endpoint', endpoint, region: region ?? 'local' };
  else if (str('DYNAMODB_ENDPOINT') === undefined && region) database = { kind: 'aws', region };
  else {
    database = {
      kind: 'embedded',
      dataDir: str('DYNAMODB_DATA_DIR') ?? '.data/dynamodb',
      inMemory: flag('DYNAMODB_IN_MEMORY', false),
    };
  }
  const local = database.kind === 'embedded' || (database.kind === 'endpoint' && isLoopback(database.endpoint));

  const issuer = str('AUTH_ISSUER') ?? 'dynamo-graphql-local';
  const audience = str('AUTH_AUDIENCE') ?? 'dynamo-graphql';
  const jwksUrl = url('AUTH_JWKS_URL');
  let auth: AuthConfig;
  if (jwksUrl) {
    if (!str('AUTH_ISSUER')) problems.push('AUTH_ISSUER is required with AUTH_JWKS_URL (the OIDC issuer URL).');
    if (!str('AUTH_AUDIENCE')) problems.push('AUTH_AUDIENCE is required with AUTH_JWKS_URL (the app client id).');
    auth = { kind: 'jwks', jwksUrl, issuer, audience };
  } else {
    const secret = str('AUTH_SECRET');
    if (secret !== undefined && secret.length < 32) problems.push('AUTH_SECRET must be at least 32 characters.');
    if (secret === undefined && !local) {
      problems.push('AUTH_SECRET (at least 32 characters) or AUTH_JWKS_URL is required when not using a local database.');
    }
    if (secret === undefined && local)
      warnings.push('AUTH_SECRET is not set: using the fixed development secret. Never do this in production.');
    auth = { kind: 'hs256', secret: secret ?? DEV_AUTH_SECRET, issuer, audience, isDevDefault: secret === undefined };
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
      redisUrl: redisUrl(),
      leaseMs,
      leaseRenewMs,
      dedupeSeconds: int('LIVE_DEDUPE_SECONDS', 86_400, 60, 7 * 86_400),
      readStream: flag('LIVE_STREAM_READER', true),
    },
    warnings,
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
      return `DynamoDB at ${db.endpoint}`;
    case 'aws':
      return `AWS DynamoDB in ${db.region}`;
  }
}
