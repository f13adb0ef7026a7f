// Shared start for the command-line tools: configuration, then the configured database (the
// embedded one, on the same data folder as the server, when no endpoint is set).
import { describeDatabase, type Config } from '../../config.js';
import { configOrExit, openDatabaseOrExit, type OpenDatabase } from '../runtime.js';

export async function openForCli(): Promise<{ config: Config; db: OpenDatabase }> {
  const config = configOrExit();
  const db = await openDatabaseOrExit(config.database);
  console.error(`Using ${describeDatabase(config.database.target)}, table ${config.database.tableName}.`);
  return { config, db };
}
