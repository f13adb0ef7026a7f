// Shared start for the command-line tools: configuration, then the configured database (the
// embedded one, on the same data folder as the server, when no endpoint is set).
import { ConfigError, describeDatabase, loadConfig, type Config } from '../config.js';
import { JavaMissingError } from '../data/local.js';
import { openDatabase, type OpenDatabase } from '../runtime.js';

export async function openForCli(): Promise<{ config: Config; db: OpenDatabase }> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  try {
    const db = await openDatabase(config);
    console.error(`Using ${describeDatabase(config.database)}, table ${config.tableName}.`);
    return { config, db };
  } catch (err) {
    if (err instanceof JavaMissingError) {
      console.error(err.message);
      process.exit(3);
    }
    throw err;
  }
}
