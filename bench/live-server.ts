// The server under test for bench/live.ts, in its own process so its memory is its own: the
// stream reader, the hub and the WebSocket endpoint over a table in DynamoDB Local. Answers
// `stats` over IPC (after two full GCs) and stops on `stop`.
//   node --expose-gc --import tsx bench/live-server.ts <endpoint> <table> <pollMs>
import { loadConfig } from '../src/config.js';
import { createClients } from '../src/data/dynamo/client.js';
import { appOptions, createApp } from '../src/http/server.js';
import { startLive } from '../src/live/index.js';
import { createLogger } from '../src/log.js';
import { createServices } from '../src/services.js';

const [endpoint, table, pollMs] = process.argv.slice(2);
const config = loadConfig({ DYNAMODB_ENDPOINT: endpoint, TABLE_NAME: table });
// One address (this machine) holds every subscriber of the fan-out: the per-address limit is raised.
const liveConfig = { ...config.live, streamPollMs: Number(pollMs), maxConnectionsPerAddress: 100_000 };
const clients = createClients({ endpoint: endpoint!, region: 'local', timeoutMs: 10_000, maxAttempts: 3 });
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

const gc = (globalThis as { gc?: () => void }).gc;
process.on('message', (msg: { type: string }) => {
  if (msg.type === 'stats') {
    gc?.();
    gc?.();
    const m = process.memoryUsage();
    process.send!({
      type: 'stats',
      rss: m.rss,
      heapUsed: m.heapUsed,
      external: m.external,
      feeds: live.hub.feeds(),
      liveQueries: live.queries.count(),
      reader: live.reader.status(),
    });
  } else if (msg.type === 'stop') {
    void (async () => {
      await app.stop();
      await live.stop();
      process.exit(0);
    })();
  }
});
process.send!({ type: 'ready', wsUrl: `${url.replace(/^http/, 'ws')}/graphql` });
