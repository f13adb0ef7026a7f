// Opens the configured database for a process: starts embedded DynamoDB Local when no endpoint
// is configured, builds the long-lived clients, and knows how to close both.
import { ConfigError, loadConfig, type Config, type DatabaseConfig } from '../config.js';
import { clientOptionsFrom, createClients, type DynamoClients } from '../data/dynamo/client.js';
import { JavaMissingError, startDynamoLocal, type EmbeddedDynamo } from './local.js';

export interface OpenDatabase extends DynamoClients {
  /** Clients with a generous deadline for table management and bulk loads, which may be slow. */
  admin: DynamoClients;
  embedded: EmbeddedDynamo | null;
  close(): Promise<void>;
}

export async function openDatabase(database: DatabaseConfig): Promise<OpenDatabase> {
  const db = database.target;
  const embedded = db.kind === 'embedded' ? await startDynamoLocal({ dataDir: db.inMemory ? undefined : db.dataDir }) : null;
  const options = clientOptionsFrom(database, embedded?.endpoint);
  const clients = createClients(options);
  const admin = createClients({ ...options, timeoutMs: 60_000, maxAttempts: 6 });
  let closed = false;
  return {
    ...clients,
    admin,
    embedded,
    async close() {
      if (closed) return;
      closed = true;
      clients.raw.destroy();
      admin.raw.destroy();
      await embedded?.stop();
    },
  };
}

/** For process entry points: the configuration, or exit 2 with every problem listed. */
export function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(2);
  }
}

/** For process entry points: the open database, or exit 3 with one sentence when Java is missing. */
export async function openDatabaseOrExit(database: DatabaseConfig): Promise<OpenDatabase> {
  try {
    return await openDatabase(database);
  } catch (err) {
    if (!(err instanceof JavaMissingError)) throw err;
    console.error(err.message);
    process.exit(3);
  }
}
