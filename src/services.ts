// The composition root: what every entry builds the same way from one Config and shares for its
// lifetime. main.ts, the Lambda entries (lambda.ts, live/lambda-reader.ts), the test server and
// the benchmark servers all start here and pick what they need. It imports only what the HTTP
// Lambda uses too (no src/ops, Redis, ws or OpenTelemetry SDK): an entry that needs more builds it
// from these services itself (startLive, startTracing, openDatabase).
import type { Config } from './config.js';
import { clientOptionsFrom, createClients, type DynamoClients } from './data/dynamo/client.js';
import { createReadyCheck } from './data/dynamo/ready.js';
import { createLogger, type Logger } from './log.js';
import { recordBackgroundCall } from './observe/background.js';

export interface Services {
  config: Config;
  logger: Logger;
  /** The long-lived DynamoDB clients every request shares. */
  clients: DynamoClients;
  /** Readiness for /readyz: the table answers. */
  checkReady: () => Promise<boolean>;
}

export interface ServiceParts {
  /** Already built (main.ts: around the embedded database it started; tests: through a proxy). */
  clients?: DynamoClients;
  logger?: Logger;
}

/** Builds the shared services and logs the configuration's warnings once. */
export function createServices(config: Config, parts: ServiceParts = {}): Services {
  const logger = parts.logger ?? createLogger(loggerOptions(config));
  for (const w of config.warnings) logger.warn(w);
  const clients = parts.clients ?? createClients(clientOptionsFrom(config.database));
  const checkReady = createReadyCheck(clients.raw, config.database.tableName, { onCall: recordBackgroundCall });
  return { config, logger, clients, checkReady };
}

function loggerOptions({ observability: o, database }: Config) {
  // Readable lines only for a person at a terminal on a local database; JSON for everything else.
  const pretty = o.logFormat === 'pretty' || (o.logFormat === 'auto' && database.local && process.stdout.isTTY === true);
  return { requests: o.logRequests, level: o.logLevel, pretty };
}
