// The database slice: which DynamoDB, which table, the client's deadlines, and whether the
// database is on this machine ("local", decided here once for the whole program).
import type { EnvReader } from './env.js';

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

export interface DatabaseConfig {
  target: DatabaseTarget;
  tableName: string;
  /** Each call's deadline and attempts (retries included) in the long-lived clients. */
  timeoutMs: number;
  maxAttempts: number;
  /**
   * The database runs on this machine (embedded, or an endpoint on a loopback address): the
   * development defaults (secrets, the expiry sweep, readable logs) apply only then.
   */
  local: boolean;
  /** Load the labs' demo data into an empty table at start-up (main.ts). */
  demoData: boolean;
}

/** TABLE_NAME, DYNAMODB_ENDPOINT, AWS_REGION (or AWS_DEFAULT_REGION), the AWS_* credentials, DYNAMODB_*, DEMO_DATA. */
export function readDatabase(env: EnvReader): DatabaseConfig {
  const tableName = env.str('TABLE_NAME') ?? 'graphql-dynamo';
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(tableName)) {
    env.problems.push(`TABLE_NAME must be 3-255 characters of letters, digits, "_", "-" or ".", got "${tableName}".`);
  }
  const endpoint = env.httpUrl('DYNAMODB_ENDPOINT');
  const region = env.str('AWS_REGION') ?? env.str('AWS_DEFAULT_REGION');
  let target: DatabaseTarget;
  if (endpoint) target = { kind: 'endpoint', endpoint, region: region ?? 'local', credentials: endpointCredentials(env) };
  else if (env.str('DYNAMODB_ENDPOINT') === undefined && region) target = { kind: 'aws', region };
  else {
    target = {
      kind: 'embedded',
      dataDir: env.str('DYNAMODB_DATA_DIR') ?? '.data/dynamodb',
      inMemory: env.flag('DYNAMODB_IN_MEMORY', false),
    };
  }
  return {
    target,
    tableName,
    local: target.kind === 'embedded' || (target.kind === 'endpoint' && isLoopback(target.endpoint)),
    demoData: env.flag('DEMO_DATA', true),
    timeoutMs: env.int('DYNAMODB_TIMEOUT_MS', 3_000, 100, 60_000),
    maxAttempts: env.int('DYNAMODB_MAX_ATTEMPTS', 4, 1, 10),
  };
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
function endpointCredentials(env: EnvReader): EndpointCredentials {
  const accessKeyId = env.str('AWS_ACCESS_KEY_ID');
  const secretAccessKey = env.str('AWS_SECRET_ACCESS_KEY');
  if (accessKeyId && secretAccessKey) {
    const sessionToken = env.str('AWS_SESSION_TOKEN');
    return { source: 'keys', accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  }
  if (accessKeyId || secretAccessKey) {
    env.problems.push('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together.');
    return { source: 'fixed-local' };
  }
  const profile = env.str('AWS_PROFILE');
  return profile ? { source: 'profile', profile } : { source: 'fixed-local' };
}
