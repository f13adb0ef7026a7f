// The live slice: the stream reader, the replay window, what one WebSocket client may hold, and
// with Redis the shared bus and the lease-gated reader.
import type { EnvReader } from './env.js';

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

/** LIVE_* (LIVE_QUERY_THROTTLE_MS included), STREAM_POLL_MS, WS_*, EXPIRE_SWEEP_SECONDS, REDIS_URL. */
export function readLive(env: EnvReader, local: boolean): LiveConfig {
  const leaseMs = env.int('LIVE_LEASE_MS', 10_000, 1_000, 300_000);
  const leaseRenewMs = env.int('LIVE_LEASE_RENEW_MS', 3_000, 100, 100_000);
  // Renewing less often than the lease lasts is what keeps a healthy holder holding it.
  if (leaseRenewMs * 2 > leaseMs)
    env.problems.push(`LIVE_LEASE_RENEW_MS (${leaseRenewMs}) must be at most half of LIVE_LEASE_MS (${leaseMs}).`);
  return {
    enabled: env.flag('LIVE_UPDATES', true),
    streamPollMs: env.int('STREAM_POLL_MS', 250, 20, 10_000),
    replayRecords: env.int('LIVE_REPLAY_RECORDS', 10_000, 0, 1_000_000),
    queueLimit: env.int('LIVE_QUEUE_LIMIT', 200, 1, 100_000),
    maxSubscriptionsPerConnection: env.int('WS_MAX_SUBSCRIPTIONS', 20, 1, 1_000),
    maxConnectionsPerViewer: env.int('WS_MAX_CONNECTIONS_PER_VIEWER', 10, 1, 10_000),
    maxConnectionsPerAddress: env.int('WS_MAX_CONNECTIONS_PER_ADDRESS', 100, 1, 100_000),
    initTimeoutMs: env.int('WS_INIT_TIMEOUT_MS', 5_000, 100, 60_000),
    maxPayloadBytes: env.int('WS_MAX_PAYLOAD_BYTES', 64_000, 1_000, 10_000_000),
    expireSweepMs: env.int('EXPIRE_SWEEP_SECONDS', local ? 10 : 0, 0, 3_600) * 1_000,
    redisUrl: redisUrl(env),
    leaseMs,
    leaseRenewMs,
    dedupeSeconds: env.int('LIVE_DEDUPE_SECONDS', 86_400, 60, 7 * 86_400),
    readStream: env.flag('LIVE_STREAM_READER', true),
    liveQueryThrottleMs: env.int('LIVE_QUERY_THROTTLE_MS', 250, 0, 60_000),
  };
}

function redisUrl(env: EnvReader): string | null {
  const raw = env.str('REDIS_URL');
  if (raw === undefined) return null;
  try {
    const u = new URL(raw);
    if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error('protocol');
    return raw;
  } catch {
    env.problems.push(`REDIS_URL must be a redis:// or rediss:// URL, got "${raw}".`);
    return null;
  }
}
