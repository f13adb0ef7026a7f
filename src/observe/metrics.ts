// Prometheus metrics for the whole process. The registry is long-lived once per process, like
// prom-client's default one, so code far from the HTTP layer (the limit checks, the DynamoDB door,
// the live-update bus) records with a plain function call and no plumbing. Until
// enableMetrics() is called every recorder returns at once: Lambda, tests and METRICS=off pay
// nothing but that check.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CallRecord } from '../data/dynamo/cost.js';
import { OperationNames } from './names.js';

/** Label for calls on the table itself rather than one of its indexes. */
export const BASE_TABLE = 'table';

const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const THROTTLES = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']);

function define(registry: Registry) {
  const registers = [registry];
  return {
    requests: new Counter({
      name: 'graphql_requests_total',
      help: 'GraphQL operations by operation name, type and outcome (ok, or the first error code).',
      labelNames: ['operation', 'type', 'outcome'] as const,
      registers,
    }),
    duration: new Histogram({
      name: 'graphql_request_duration_seconds',
      help: 'Time from the start of a GraphQL operation to its response.',
      labelNames: ['operation', 'type'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    limitRefusals: new Counter({
      name: 'graphql_limit_refusals_total',
      help: 'Operations refused by a query limit, by limit (maxDepth, maxCost, maxTokens, ...).',
      labelNames: ['limit'] as const,
      registers,
    }),
    untrustedDocuments: new Counter({
      name: 'graphql_untrusted_documents_total',
      help: 'Documents sent in full that are not in the trusted-documents manifest, by TRUSTED_DOCUMENTS mode (log: run and logged; enforce: refused).',
      labelNames: ['mode'] as const,
      registers,
    }),
    calls: new Counter({
      name: 'dynamodb_calls_total',
      help: 'DynamoDB calls by command, index ("table" for the table itself) and source (request, or the background work: stream-reader, lease, checkpoint, expirer, sweep, admin, probe, resync), each counted once however many attempts it took.',
      labelNames: ['command', 'index', 'source'] as const,
      registers,
    }),
    retries: new Counter({
      name: 'dynamodb_retries_total',
      help: 'Extra attempts the SDK made (throttles, timeouts, 5xx) by command and index.',
      labelNames: ['command', 'index', 'source'] as const,
      registers,
    }),
    throttles: new Counter({
      name: 'dynamodb_throttles_total',
      help: 'Calls that still failed throttled after the SDK retries, by command and index.',
      labelNames: ['command', 'index', 'source'] as const,
      registers,
    }),
    errors: new Counter({
      name: 'dynamodb_errors_total',
      help: 'Failed DynamoDB calls by command, error name and source (conditional-check failures included: they are answers, not faults).',
      labelNames: ['command', 'error', 'source'] as const,
      registers,
    }),
    rcu: new Counter({
      name: 'dynamodb_consumed_read_capacity_units_total',
      help: 'Read capacity units consumed, by command and index.',
      labelNames: ['command', 'index', 'source'] as const,
      registers,
    }),
    wcu: new Counter({
      name: 'dynamodb_consumed_write_capacity_units_total',
      help: 'Write capacity units consumed, by command and index.',
      labelNames: ['command', 'index', 'source'] as const,
      registers,
    }),
    callDuration: new Histogram({
      name: 'dynamodb_call_duration_seconds',
      help: 'Time of one DynamoDB call, retries included, by command and source.',
      labelNames: ['command', 'source'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    batchKeys: new Histogram({
      name: 'dynamodb_batch_get_keys',
      help: 'Keys per BatchGetItem call: how full the loaders batches are (at most 100).',
      buckets: [1, 2, 5, 10, 25, 50, 75, 100],
      registers,
    }),
    unprocessed: new Counter({
      name: 'dynamodb_batch_get_unprocessed_keys_total',
      help: 'Keys BatchGetItem left unprocessed (read again with backoff): a sign of throttling.',
      registers,
    }),
    // Live updates (src/live): defined now so dashboards and the live code agree on names.
    connections: new Gauge({ name: 'live_connections', help: 'Open live-update connections.', registers }),
    subscriptions: new Gauge({
      name: 'live_subscriptions',
      help: 'Active subscriptions by kind.',
      labelNames: ['kind'] as const,
      registers,
    }),
    delivered: new Counter({
      name: 'live_events_delivered_total',
      help: 'Events sent to subscribers, by subscription kind.',
      labelNames: ['kind'] as const,
      registers,
    }),
    dropped: new Counter({
      name: 'live_events_dropped_total',
      help: 'Events not delivered, by subscription kind and reason (slow consumer, closed, ...).',
      labelNames: ['kind', 'reason'] as const,
      registers,
    }),
    resyncs: new Counter({
      name: 'live_resyncs_total',
      help: 'Times a subscriber had to resynchronise, by reason.',
      labelNames: ['reason'] as const,
      registers,
    }),
    streamLag: new Gauge({
      name: 'live_stream_lag_seconds',
      help: 'Age of the newest DynamoDB stream record the reader has processed.',
      registers,
    }),
    liveQueries: new Gauge({ name: 'live_queries', help: 'Open @live queries.', registers }),
    liveQueryRuns: new Counter({
      name: 'live_query_runs_total',
      help: 'Re-runs of @live queries, by reason (matched, expiry, gap, retry).',
      labelNames: ['reason'] as const,
      registers,
    }),
    liveQueryUnchanged: new Counter({
      name: 'live_query_unchanged_total',
      help: '@live query re-runs whose result equalled the last one sent (nothing sent).',
      registers,
    }),
    liveQueryMatched: new Counter({
      name: 'live_query_records_matched_total',
      help: 'Stream records that concerned at least one @live query.',
      registers,
    }),
    liveQueryMatchSeconds: new Histogram({
      name: 'live_query_match_seconds',
      help: 'Time to find the @live queries a stream record concerns.',
      buckets: [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01],
      registers,
    }),
  };
}

type Definitions = ReturnType<typeof define>;

let registry: Registry | undefined;
let m: Definitions | undefined;
const operationNames = new OperationNames();

/** Starts recording (idempotent), process metrics included. */
export function enableMetrics(): Registry {
  if (!registry) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
    m = define(registry);
  }
  return registry;
}

export function metricsEnabled(): boolean {
  return m !== undefined;
}

/** The exposition text and its content type; empty when metrics are off. */
export async function scrape(): Promise<{ contentType: string; body: string }> {
  if (!registry) return { contentType: 'text/plain; version=0.0.4; charset=utf-8', body: '' };
  return { contentType: registry.contentType, body: await registry.metrics() };
}

export interface OperationOutcome {
  /** The operation's name as the document gave it; undefined for anonymous or unparsed ones. */
  name: string | undefined;
  /** query, mutation, subscription, or undefined when the request never got that far. */
  type: string | undefined;
  /** ok, or the first error's code. */
  outcome: string;
  seconds: number;
}

export function recordOperation(o: OperationOutcome): void {
  if (!m) return;
  const operation = operationNames.label(o.name);
  const type = o.type ?? 'unknown';
  m.requests.inc({ operation, type, outcome: o.outcome });
  m.duration.observe({ operation, type }, o.seconds);
}

export function recordLimitRefusal(limit: string): void {
  m?.limitRefusals.inc({ limit });
}

export function recordUntrustedDocument(mode: 'log' | 'enforce'): void {
  m?.untrustedDocuments.inc({ mode });
}

export function recordDynamoCall(c: CallRecord): void {
  if (!m) return;
  const labels = { command: c.command, index: c.index ?? BASE_TABLE, source: c.source };
  m.calls.inc(labels);
  if (c.attempts > 1) m.retries.inc(labels, c.attempts - 1);
  if (c.rcu) m.rcu.inc(labels, c.rcu);
  if (c.wcu) m.wcu.inc(labels, c.wcu);
  if (c.error) {
    m.errors.inc({ command: c.command, error: c.error, source: c.source });
    if (THROTTLES.has(c.error)) m.throttles.inc(labels);
  }
  m.callDuration.observe({ command: c.command, source: c.source }, (c.endMs - c.startMs) / 1000);
  if (c.keys !== undefined) m.batchKeys.observe(c.keys);
  if (c.unprocessedKeys) m.unprocessed.inc(c.unprocessedKeys);
}

/** Hooks for the live-update code (connections, subscriptions, delivery, resyncs, stream lag). */
export const live = {
  connectionOpened: () => m?.connections.inc(),
  connectionClosed: () => m?.connections.dec(),
  subscribed: (kind: string) => m?.subscriptions.inc({ kind }),
  unsubscribed: (kind: string) => m?.subscriptions.dec({ kind }),
  delivered: (kind: string, n = 1) => m?.delivered.inc({ kind }, n),
  dropped: (kind: string, reason: string, n = 1) => m?.dropped.inc({ kind, reason }, n),
  resynced: (reason: string) => m?.resyncs.inc({ reason }),
  /** Seconds between now and the approximate creation time of the newest stream record processed. */
  streamLag: (seconds: number) => m?.streamLag.set(seconds),
  liveQueryOpened: () => m?.liveQueries.inc(),
  liveQueryClosed: () => m?.liveQueries.dec(),
  /** A run of a @live query after its first, by what caused it. */
  liveQueryRun: (reason: string) => m?.liveQueryRuns.inc({ reason }),
  liveQueryUnchanged: () => m?.liveQueryUnchanged.inc(),
  /** One stream record matched against every @live query: how long it took and whether any was concerned. */
  liveQueryMatch: (seconds: number, matched: boolean) => {
    m?.liveQueryMatchSeconds.observe(seconds);
    if (matched) m?.liveQueryMatched.inc();
  },
};
