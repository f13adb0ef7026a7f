// The benchmark's server process: one variant of the same schema on a free loopback port.
//   ours   createApp from src/http/server.ts (our resolvers, loaders, limits, cost reporting)
//   memo   ours, its document client answering from a memo of real answers (bench/memo-client.ts)
//   naive  ApolloServer + bench/naive resolvers (one GetItem per related item), same HTTP handling
//   textbook  ApolloServer + bench/textbook (frozen: a DataLoader per entity type over lib-dynamodb's
//          BatchGetCommand, a QueryCommand per list, sharing nothing with our engine)
//   plain  ApolloServer + in-memory resolvers: no DynamoDB at all (the floor)
// Besides /graphql it answers GET /__bench/stats: this process's CPU time, completed GraphQL
// requests and the DynamoDB calls, items and capacity its client saw, so the parent can take
// per-window differences without touching the request path.
//
//   node --import tsx bench/server.ts <variant> [endpoint] [table] [off|metrics|tracing] [otlp traces url]
// The last two (ours only) turn observability on, for bench/observe-overhead.ts.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Session } from 'node:inspector/promises';
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import {
  type BatchGetCommand,
  QueryCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { loadConfig } from '../src/config.js';
import { clientOptionsFrom, createClients } from '../src/data/dynamo/client.js';
import { CostMeter } from '../src/data/dynamo/cost.js';
import { Db } from '../src/data/dynamo/db.js';
import { createLogger } from '../src/log.js';
import { formatError } from '../src/graphql/apollo.js';
import { appOptions, createApp } from '../src/http/server.js';
import { startTracing } from '../src/observe/start-tracing.js';
import { loadTypeDefs } from '../src/schema.js';
import { createServices } from '../src/services.js';
import { naiveResolvers, type NaiveContext } from './naive/resolvers.js';
import { plainResolvers } from './plain/resolvers.js';
import { memoize, type MemoStats } from './memo-client.js';
import { count, emptyTally, tally, type CallTally } from './tally.js';
import type { DocClient } from './textbook/data.js';
import { createTextbookContext, textbookResolvers } from './textbook/resolvers.js';

export const VARIANTS = ['ours', 'memo', 'naive', 'plain', 'textbook'] as const;
export type Variant = (typeof VARIANTS)[number];

export interface ServerStats extends CallTally {
  pid: number;
  variant: Variant;
  /** process.cpuUsage(): user and system microseconds of this whole process. */
  cpu: { user: number; system: number };
  requests: number;
  /** GraphQL requests started and not yet answered. */
  inflight: number;
  /** The memo variant: answers replayed, and requests that went to the endpoint (the first of each body). */
  memo?: MemoStats;
}

const [variant, endpoint, table, observe = 'off', otlpUrl] = process.argv.slice(2) as [
  Variant,
  string | undefined,
  string | undefined,
  string?,
  string?,
];
if (!VARIANTS.includes(variant)) throw new Error(`Unknown variant ${variant}: ${VARIANTS.join(', ')}.`);
if (variant !== 'plain' && (!endpoint || !table)) throw new Error(`The ${variant} server needs an endpoint and a table.`);

const stats: ServerStats = {
  pid: process.pid,
  variant,
  cpu: { user: 0, system: 0 },
  requests: 0,
  inflight: 0,
  ...emptyTally(),
};
/** lib-dynamodb's command names, as the low-level client (and so the tally) names them. */
const LOW_LEVEL: Record<string, string> = { GetCommand: 'GetItemCommand', BatchGetCommand: 'BatchGetItemCommand' };

/** The textbook peer's client: the shared one, each call metered on the request's meter like ours' (waves, calls). */
class MeteredDoc implements DocClient {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly meter: CostMeter,
  ) {}
  send(command: QueryCommand): Promise<QueryCommandOutput>;
  send(command: BatchGetCommand): Promise<BatchGetCommandOutput>;
  async send(command: QueryCommand | BatchGetCommand): Promise<QueryCommandOutput | BatchGetCommandOutput> {
    const end = this.meter.begin();
    try {
      const out = command instanceof QueryCommand ? await this.doc.send(command) : await this.doc.send(command);
      this.meter.attempts(command instanceof QueryCommand ? 'Query' : 'BatchGetItem', out.$metadata.attempts);
      return out;
    } finally {
      end();
    }
  }
}

// The same Apollo settings createApp uses, so the variants differ only in resolvers and plugins.
const apolloOptions = {
  csrfPrevention: true,
  introspection: true,
  includeStacktraceInErrorResponses: false,
  allowBatchedHttpRequests: false,
  formatError: formatError(createLogger({ silent: true })),
};

/** The built-in plugins createApp turns off, turned off here too so the variants' CPU compares. */
const offPlugins = () => [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled()];

/** Puts the request's metered cost in extensions.dynamodb, as createApp's cost plugin does. */
const costExtension: ApolloServerPlugin<{ meter: CostMeter }> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, contextValue }) {
        if (response.body.kind === 'single') {
          response.body.singleResult.extensions = { ...response.body.singleResult.extensions, dynamodb: contextValue.meter.report() };
        }
      },
    };
  },
};

/** createApp's GraphQL request path, minus its routing: headers, body, executeHTTPGraphQLRequest, reply. */
function graphqlHandler<C extends object>(apollo: ApolloServer<C>, context: () => Promise<C>) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const headers = new HeaderMap();
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    let body: unknown;
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const raw = Buffer.concat(chunks);
      body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
    }
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context,
    });
    const out: Record<string, string> = {};
    for (const [k, v] of result.headers) out[k] = v;
    res.writeHead(result.status ?? 200, out);
    if (result.body.kind === 'complete') res.end(result.body.string);
    else {
      for await (const chunk of result.body.asyncIterator) res.write(chunk);
      res.end();
    }
  };
}

async function build(): Promise<(req: IncomingMessage, res: ServerResponse) => void> {
  if (variant === 'plain') {
    const apollo = new ApolloServer({
      typeDefs: loadTypeDefs(),
      resolvers: plainResolvers() as never,
      ...apolloOptions,
      plugins: [...offPlugins()],
    });
    await apollo.start();
    const handle = graphqlHandler(apollo, async () => ({}));
    return (req, res) => void handle(req, res, new URL(req.url ?? '/', 'http://localhost')).catch((e) => fail(res, e));
  }
  // TRUSTED_DOCUMENTS passes through for bench/trusted-documents.ts; every other setting is fixed here.
  const trusted = process.env.TRUSTED_DOCUMENTS ? { TRUSTED_DOCUMENTS: process.env.TRUSTED_DOCUMENTS } : {};
  const config = loadConfig({ DYNAMODB_ENDPOINT: endpoint, TABLE_NAME: table, LOG_REQUESTS: 'off', ...trusted });
  // One set of clients for every variant, so they differ only in resolvers and plugins.
  const clients = createClients(clientOptionsFrom(config.database));
  const { doc } = clients;
  tally(stats, doc, table!);
  if (variant === 'memo') stats.memo = memoize(doc, (name, out) => count(stats, LOW_LEVEL[name] ?? name, table!, out));
  if (variant === 'ours' || variant === 'memo') {
    const services = createServices(config, { clients, logger: createLogger({ silent: true }) });
    const app = createApp({
      ...appOptions(services),
      reportCost: true,
      checkReady: async () => true,
      metricsRoute: observe === 'metrics',
      tracing:
        observe === 'tracing'
          ? await startTracing({
              url: otlpUrl!,
              headers: {},
              serviceName: 'bench',
              sampler: { kind: 'parentbased_traceidratio', ratio: 0.1 },
            })
          : undefined,
    });
    await app.apollo.start();
    return app.handler;
  }
  if (variant === 'textbook') {
    const apollo = new ApolloServer<{ meter: CostMeter }>({
      typeDefs: loadTypeDefs(),
      resolvers: textbookResolvers as never,
      ...apolloOptions,
      plugins: [...offPlugins(), costExtension],
    });
    await apollo.start();
    const handle = graphqlHandler(apollo, async () => {
      const meter = new CostMeter();
      return { ...createTextbookContext(new MeteredDoc(doc, meter), table!), meter };
    });
    return (req, res) => void handle(req, res, new URL(req.url ?? '/', 'http://localhost')).catch((e) => fail(res, e));
  }
  const apollo = new ApolloServer<NaiveContext>({
    typeDefs: loadTypeDefs(),
    resolvers: naiveResolvers as never,
    ...apolloOptions,
    plugins: [...offPlugins(), costExtension],
  });
  await apollo.start();
  const handle = graphqlHandler(apollo, async () => {
    const meter = new CostMeter();
    return { meter, db: new Db(doc, table!, meter) };
  });
  return (req, res) => void handle(req, res, new URL(req.url ?? '/', 'http://localhost')).catch((e) => fail(res, e));
}

function fail(res: ServerResponse, err: unknown) {
  console.error(err);
  if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ errors: [{ message: String(err) }] }));
}

// A CPU profile of the measured windows only (bench/profile.ts), not of start-up and module loading.
let session: Session | undefined;
async function profile(start: boolean): Promise<string> {
  if (start) {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    return '{}';
  }
  if (!session) throw new Error('No profile was started.');
  const { profile: p } = await session.post('Profiler.stop');
  session.disconnect();
  session = undefined;
  return JSON.stringify(p);
}

const handler = await build();
// createApp's listen() settings.
const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, (req, res) => {
  if (req.url === '/__bench/stats') {
    const cpu = process.cpuUsage();
    // The memo variant's own look-ups are the benchmark's work, not the server's (memo-client.ts).
    stats.cpu = { user: cpu.user - Math.round(stats.memo?.ownUs ?? 0), system: cpu.system };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
    return;
  }
  if (req.url === '/__bench/profile/start' || req.url === '/__bench/profile/stop') {
    profile(req.url.endsWith('start')).then(
      (body) => res.writeHead(200, { 'content-type': 'application/json' }).end(body),
      (err) => fail(res, err),
    );
    return;
  }
  // Counted when the handler ends the response, so a request whose client left at the end of a
  // window still counts the work it cost, and `inflight` shows when that work is done.
  stats.inflight++;
  const end = res.end.bind(res) as (...a: unknown[]) => ServerResponse;
  res.end = ((...a: unknown[]) => {
    stats.inflight--;
    stats.requests++;
    return end(...a);
  }) as typeof res.end;
  handler(req, res);
});
server.keepAliveTimeout = 5_000;
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  // The parent reads this one line to learn where the server is.
  process.stdout.write(`${JSON.stringify({ ready: true, variant, pid: process.pid, port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
