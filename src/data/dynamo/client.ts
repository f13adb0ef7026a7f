// The DynamoDB client is long-lived: built once per process and shared by every request.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DatabaseConfig, EndpointCredentials } from '../../config.js';

export interface DynamoClients {
  raw: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  /** The table's stream (src/live/stream), same endpoint, region and credentials as raw. */
  streams: DynamoDBStreamsClient;
}

export interface ClientOptions {
  endpoint?: string;
  region: string;
  /** How an explicit endpoint is signed; the fixed local key when absent (the embedded database, tests). */
  credentials?: EndpointCredentials;
  timeoutMs: number;
  maxAttempts: number;
}

/** The clients' options for the database slice; the embedded database's endpoint once it is started. */
export function clientOptionsFrom(database: DatabaseConfig, embeddedEndpoint?: string): ClientOptions {
  const db = database.target;
  const common = { timeoutMs: database.timeoutMs, maxAttempts: database.maxAttempts };
  if (db.kind === 'aws') return { region: db.region, ...common };
  if (db.kind === 'endpoint') return { endpoint: db.endpoint, region: db.region, credentials: db.credentials, ...common };
  if (!embeddedEndpoint) throw new Error('The embedded database must be started before the client is built.');
  return { endpoint: embeddedEndpoint, region: 'local', ...common };
}

// The SDK's logger middleware calls `logger?.info?.(...)` after every call, and building that
// call's arguments walks the whole input and output for sensitive fields even when the logger
// does nothing. A logger without info (or error: we report failures ourselves) skips the walk.
const sdkLogger = {
  debug: () => {},
  trace: () => {},
  warn: (...args: unknown[]) => console.warn(...args),
} as unknown as NonNullable<ConstructorParameters<typeof DynamoDBClient>[0]>['logger'];

const FIXED_LOCAL_KEY = { accessKeyId: 'local', secretAccessKey: 'local' };

// Undefined leaves the SDK's default chain to find them (AWS itself, or a named profile).
function credentialsFor(opts: ClientOptions) {
  if (!opts.endpoint) return undefined;
  const c = opts.credentials ?? { source: 'fixed-local' };
  if (c.source === 'keys') {
    return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}) };
  }
  return c.source === 'fixed-local' ? FIXED_LOCAL_KEY : undefined;
}

/**
 * Builds the clients. An explicit endpoint signs with the configured credentials: DynamoDB Local
 * without -sharedDb keeps a database per access key, so the key picks the tables.
 */
export function createClients(opts: ClientOptions): DynamoClients {
  const credentials = credentialsFor(opts);
  const raw = new DynamoDBClient({
    region: opts.region,
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
    maxAttempts: opts.maxAttempts,
    logger: sdkLogger,
    // Every call has a deadline, so a hung connection becomes a retry and then UNAVAILABLE, never a hang.
    requestHandler: { connectionTimeout: opts.timeoutMs, requestTimeout: opts.timeoutMs, throwOnRequestTimeout: true },
  });
  const doc = DynamoDBDocumentClient.from(raw, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
  // Same endpoint and region; raw's resolved credentials, so both clients always sign alike.
  const streams = new DynamoDBStreamsClient({
    region: opts.region,
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    credentials: raw.config.credentials,
    maxAttempts: opts.maxAttempts,
    logger: sdkLogger,
    requestHandler: { connectionTimeout: opts.timeoutMs, requestTimeout: opts.timeoutMs, throwOnRequestTimeout: true },
  });
  return { raw, doc, streams };
}
