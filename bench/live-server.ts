// The server under test for bench/live.ts and bench/live-queries.ts, in its own process so its
// memory and CPU are its own: the stream reader, the hub, the @live queries and the HTTP and
// WebSocket endpoints over a table in DynamoDB Local. Answers `stats` over IPC (after two full
// GCs unless `gc: false`) and stops on `stop`. Besides memory it reports this process's CPU time,
// the DynamoDB calls and capacity its client completed (bench/tally.ts: live-query runs and HTTP
// requests alike) and the stream reader's own calls; for the @live queries, every record's
// matching time, and when records reached the bus and runs started and ended (the delay's parts).
//   node --expose-gc --import tsx bench/live-server.ts <endpoint> <table> <pollMs>
import { loadConfig } from '../src/config.js';
import { createClients } from '../src/data/dynamo/client.js';
import { appOptions, createApp } from '../src/http/server.js';
import { startLive } from '../src/live/index.js';
import { createLogger } from '../src/log.js';
import { live as liveMetrics } from '../src/observe/metrics.js';
import { createServices } from '../src/services.js';
import { emptyTally, tally } from './tally.js';

const [endpoint, table, pollMs] = process.argv.slice(2);
const config = loadConfig({ DYNAMODB_ENDPOINT: endpoint, TABLE_NAME: table, LOG_REQUESTS: 'off' });
// One address (this machine) holds every subscriber of the fan-out: the per-address limit is raised.
const liveConfig = { ...config.live, streamPollMs: Number(pollMs), maxConnectionsPerAddress: 100_000 };
const clients = createClients({ endpoint: endpoint!, region: 'local', timeoutMs: 10_000, maxAttempts: 3 });
const calls = emptyTally();
tally(calls, clients.doc, table!);
const logger = createLogger({ silent: true });
const live = await startLive({ clients, tableName: table!, config: liveConfig, logger });
const services = createServices(config, { clients, logger });
const app = createApp({
  ...appOptions(services),
  checkReady: async () => true,
  metricsRoute: false,
  live: { hub: live.hub, config: liveConfig, queries: live.queries },
});
const { url } = await app.listen(0, '127.0.0.1');

// Wall-clock milliseconds with a fraction: comparable with the bench process's on one machine.
const now = () => performance.timeOrigin + performance.now();
const RING = 500;
const ring = <T>(list: T[], x: T) => {
  list.push(x);
  if (list.length > RING) list.shift();
};
// The registry reports each record's matching time to the metrics hook: kept here as well.
let matchMs: number[] = [];
const reportMatch = liveMetrics.liveQueryMatch;
liveMetrics.liveQueryMatch = (seconds, matched) => {
  matchMs.push(seconds * 1000);
  reportMatch(seconds, matched);
};
let records = 0;
let gaps = 0;
const arrivals: { pk: string; at: number }[] = [];
live.bus.listen(
  ({ record }) => {
    records++;
    ring(arrivals, { pk: record.keys.PK, at: now() });
  },
  () => gaps++,
);
const runs: { start: number; end: number }[] = [];
const open = live.queries.open.bind(live.queries);
live.queries.open = (run) =>
  // Every argument passed on: the read wave is how re-runs of one record share their reads.
  open(async (...args) => {
    const start = now();
    try {
      return await run(...args);
    } finally {
      ring(runs, { start, end: now() });
    }
  });

const gc = (globalThis as { gc?: () => void }).gc;
process.on('message', (msg: { type: string; gc?: boolean }) => {
  if (msg.type === 'stats') {
    if (msg.gc !== false) {
      gc?.();
      gc?.();
    }
    const m = process.memoryUsage();
    const drained = matchMs;
    matchMs = [];
    process.send!({
      type: 'stats',
      rss: m.rss,
      heapUsed: m.heapUsed,
      external: m.external,
      cpu: process.cpuUsage(),
      feeds: live.hub.feeds(),
      liveQueries: live.queries.count(),
      idle: live.queries.idle(),
      queries: live.queries.stats(),
      records,
      gaps,
      calls,
      reader: live.reader.status(),
      matchMs: drained,
      arrivals: msg.gc === false ? arrivals : [],
      runs: msg.gc === false ? runs : [],
    });
  } else if (msg.type === 'stop') {
    void (async () => {
      await app.stop();
      await live.stop();
      process.exit(0);
    })();
  }
});
process.send!({ type: 'ready', wsUrl: `${url.replace(/^http/, 'ws')}/graphql`, httpUrl: `${url}/graphql` });
