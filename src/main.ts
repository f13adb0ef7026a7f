// Process entry: configuration, the database (embedded unless configured), the table and demo
// data, then the HTTP server; on SIGINT/SIGTERM it finishes in-flight requests and stops
// DynamoDB Local.
import { fileURLToPath } from 'node:url';
import { signToken } from './auth.js';
import { describeCredentials, describeDatabase } from './config.js';
import { TABLE } from './data/table.js';
import { ensureTable } from './ops/admin.js';
import { isTableEmpty, loadItems, readJsonl } from './ops/load.js';
import { configOrExit, openDatabaseOrExit } from './ops/runtime.js';
import { startLive } from './live/index.js';
import { appOptions, createApp } from './http/server.js';
import { startMetricsServer } from './http/metrics.js';
import { recordBackgroundCall, traceBackgroundCalls } from './observe/background.js';
import { enableMetrics } from './observe/metrics.js';
import { startTracing } from './observe/start-tracing.js';
import { createServices } from './services.js';

export const DEMO_FILES = ['battle-royale.items.jsonl', 'quick-photos.items.jsonl'].map((f) =>
  fileURLToPath(new URL(`../demo/${f}`, import.meta.url)),
);
/** A user present in the labs' data, whose token GraphiQL starts with locally. */
export const DEMO_USER = 'haroldwatkins';

async function main() {
  const config = configOrExit();
  const { database: db, http } = config;
  const database = await openDatabaseOrExit(config.database);
  // The embedded database's clients exist only once it runs, so they are handed to the root.
  const services = createServices(config, { clients: database });
  const log = services.logger;
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
    using: describeDatabase(db.target),
    endpoint: database.embedded?.endpoint ?? null,
    region: db.target.kind === 'embedded' ? 'local' : db.target.region,
    // Which database DynamoDB Local serves depends on the access key: name it, never the secret.
    credentials:
      db.target.kind === 'endpoint'
        ? describeCredentials(db.target.credentials)
        : db.target.kind === 'aws'
          ? 'the AWS SDK default chain'
          : 'the fixed local access key',
    table: db.tableName,
  });

  // Metrics and tracing (the OpenTelemetry SDK loads only here, when an OTLP endpoint is
  // configured) before anything else calls DynamoDB, so the start-up's own calls (the table check,
  // demo data, the stream lease and reader) are counted and traced as background work.
  const { tracing: tracingConfig, metrics: metricsConfig } = config.observability;
  if (metricsConfig.mode !== 'off') enableMetrics();
  const tracing = tracingConfig ? await startTracing(tracingConfig) : undefined;
  if (tracingConfig) log.info('tracing', { url: tracingConfig.url, sampler: tracingConfig.sampler });
  traceBackgroundCalls(tracing);

  try {
    // The same changes as npm run table:create, so a lab's table starts as it is.
    const ensured = await ensureTable(database.admin.raw, db.tableName, { onCall: recordBackgroundCall });
    if (ensured.created) log.info('table created', { table: db.tableName });
    if (ensured.enabledStream) log.info('stream enabled', { table: db.tableName, viewType: TABLE.stream });
    if (ensured.addedIndexes.length) log.info('indexes added', { table: db.tableName, indexes: ensured.addedIndexes });
    if (ensured.enabledTtl && !ensured.created) log.info('ttl enabled', { table: db.tableName, attribute: TABLE.ttlAttribute });
    for (const w of ensured.warnings) log.warn(w);
    if (db.demoData && (await isTableEmpty(database.admin.doc, db.tableName, recordBackgroundCall))) {
      let count = 0;
      for (const f of DEMO_FILES) count += await loadItems(database.admin.doc, db.tableName, readJsonl(f), recordBackgroundCall);
      log.info('demo data loaded', { items: count });
    }
  } catch (err) {
    shutdownDb();
    throw err;
  }

  // Minted per GraphiQL page load, for the longest lifetime the server accepts.
  const auth = config.auth;
  const demoToken =
    http.graphiqlDemoToken && auth.kind === 'hs256'
      ? async () => `Bearer ${await signToken(auth, DEMO_USER, { expiresIn: `${auth.maxTokenLifetimeSeconds}s` })}`
      : undefined;
  // The stream reader starts before the server listens, so every write made once clients can
  // connect reaches subscribers.
  const live = config.live.enabled
    ? await startLive({ clients: database, tableName: db.tableName, config: config.live, logger: log })
    : null;
  const app = createApp({
    ...appOptions(services),
    graphiql: demoToken ? { authorization: demoToken, demoUser: DEMO_USER } : {},
    live: live ? { hub: live.hub, config: config.live, queries: live.queries } : undefined,
    tracing,
  });
  const { url } = await app.listen(http.port, http.host);
  if (metricsConfig.mode === 'port') {
    const metrics = await startMetricsServer(metricsConfig.port, http.host);
    metrics.server.unref();
    log.info('metrics', { url: `http://${http.host}:${metrics.port}/metrics` });
  } else if (metricsConfig.mode === 'route') log.info('metrics', { url: `${url}/metrics` });
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
