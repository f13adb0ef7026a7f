// Process entry: configuration, the database (embedded unless configured), the table and demo
// data, then the HTTP server; on SIGINT/SIGTERM it finishes in-flight requests and stops
// DynamoDB Local.
import { fileURLToPath } from 'node:url';
import { signToken } from './auth.js';
import { describeCredentials, describeDatabase } from './config.js';
import { createReadyCheck } from './data/dynamo/ready.js';
import { ensureTable } from './ops/admin.js';
import { isTableEmpty, loadItems, readJsonl } from './ops/load.js';
import { createLogger } from './log.js';
import { configOrExit, openDatabaseOrExit } from './ops/runtime.js';
import { startLive } from './live/index.js';
import { appOptionsFromConfig, createApp } from './http/server.js';
import { startMetricsServer } from './http/metrics.js';
import { enableMetrics } from './observe/metrics.js';
import { startTracing } from './observe/trace-types.js';

export const DEMO_FILES = ['battle-royale.items.jsonl', 'quick-photos.items.jsonl'].map((f) =>
  fileURLToPath(new URL(`../demo/${f}`, import.meta.url)),
);
/** A user present in the labs' data, whose token GraphiQL starts with locally. */
export const DEMO_USER = 'haroldwatkins';

async function main() {
  const config = configOrExit();
  const pretty = config.logFormat === 'pretty' || (config.logFormat === 'auto' && config.local && process.stdout.isTTY === true);
  const log = createLogger({ requests: config.logRequests, level: config.logLevel, pretty });
  for (const w of config.warnings) log.warn(w);
  const database = await openDatabaseOrExit(config);
  const shutdownDb = () => void database.close();
  // Last resort on any exit path; the watchdog covers deaths that run no handler at all.
  process.once('exit', () => {
    try {
      if (database.embedded) process.kill(database.embedded.pid, 'SIGKILL');
    } catch {
      // already stopped
    }
  });
  log.info('database', {
    using: describeDatabase(config.database),
    endpoint: database.embedded?.endpoint ?? null,
    region: config.database.kind === 'embedded' ? 'local' : config.database.region,
    // Which database DynamoDB Local serves depends on the access key: name it, never the secret.
    credentials:
      config.database.kind === 'endpoint'
        ? describeCredentials(config.database.credentials)
        : config.database.kind === 'aws'
          ? 'the AWS SDK default chain'
          : 'the fixed local access key',
    table: config.tableName,
  });

  try {
    const ensured = await ensureTable(database.admin.raw, config.tableName);
    if (ensured.created) log.info('table created', { table: config.tableName });
    if (ensured.addedIndexes.length) log.info('indexes added', { indexes: ensured.addedIndexes });
    if (config.demoData && (await isTableEmpty(database.admin.doc, config.tableName))) {
      let count = 0;
      for (const f of DEMO_FILES) count += await loadItems(database.admin.doc, config.tableName, readJsonl(f));
      log.info('demo data loaded', { items: count });
    }
  } catch (err) {
    shutdownDb();
    throw err;
  }

  const local = config.database.kind === 'embedded' || (config.auth.kind === 'hs256' && config.auth.isDevDefault);
  // Minted per GraphiQL page load, for the longest lifetime the server accepts.
  const auth = config.auth;
  const demoToken =
    local && auth.kind === 'hs256'
      ? async () => `Bearer ${await signToken(auth, DEMO_USER, { expiresIn: `${auth.maxTokenLifetimeSeconds}s` })}`
      : undefined;
  // The stream reader starts before the server listens, so every write made once clients can
  // connect reaches subscribers.
  const live = config.live.enabled
    ? await startLive({ clients: database, tableName: config.tableName, config: config.live, logger: log })
    : null;
  // The OpenTelemetry SDK loads only here, when an OTLP endpoint is configured.
  const tracing = config.tracing ? await startTracing(config.tracing) : undefined;
  if (config.tracing) log.info('tracing', { url: config.tracing.url, sampler: config.tracing.sampler });
  const app = createApp({
    client: database.doc,
    ...appOptionsFromConfig(config),
    logger: log,
    graphiql: demoToken ? { authorization: demoToken, demoUser: DEMO_USER } : {},
    checkReady: createReadyCheck(database.raw, config.tableName),
    live: live ? { hub: live.hub, config: config.live, queries: live.queries } : undefined,
    tracing,
  });
  const { url } = await app.listen(config.port, config.host);
  if (config.metrics.mode === 'port') {
    enableMetrics();
    const metrics = await startMetricsServer(config.metrics.port, config.host);
    metrics.server.unref();
    log.info('metrics', { url: `http://${config.host}:${metrics.port}/metrics` });
  } else if (config.metrics.mode === 'route') log.info('metrics', { url: `${url}/metrics` });
  log.info('server ready', { graphql: `${url}/graphql`, graphiql: `${url}/graphql` });
  console.log(`\n  GraphQL server ready: ${url}/graphql (GraphiQL in your browser)\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    const force = setTimeout(() => {
      log.error('shutdown took longer than 15 s: exiting anyway');
      process.exit(1);
    }, 15_000);
    force.unref();
    await app.stop().catch((e) => log.error('stop failed', { error: String(e) }));
    await live?.stop().catch((e) => log.error('stopping live updates failed', { error: String(e) }));
    await tracing?.shutdown().catch((e) => log.error('trace export failed', { error: String(e) }));
    log.info('requests finished; stopping the database');
    await database.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('uncaughtException', (err) => {
    log.error('crash', { error: String(err.stack ?? err) });
    void database.close().finally(() => process.exit(1));
  });
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
