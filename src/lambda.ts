// Lambda entry, beside main.ts: the same ApolloServer (createApp), served through API Gateway's
// HTTP API (payload 2.0). The table is deployed by infra/, so unlike main.ts nothing here creates
// tables, loads demo data or starts DynamoDB Local.
import { handlers, startServerAndCreateLambdaHandler } from '@as-integrations/aws-lambda';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context as LambdaContext } from 'aws-lambda';
import { createAuthenticator } from './auth.js';
import { loadConfig, type Config } from './config.js';
import { createContext, type ContextDeps } from './context.js';
import { createReadyCheck } from './data/admin.js';
import { clientOptionsFrom, createClients, type DynamoClients } from './data/client.js';
import { cursorKeys } from './data/cursor.js';
import { createLogger, type Logger } from './log.js';
import { createApp } from './server.js';

export type LambdaHttpHandler = (event: APIGatewayProxyEventV2, context: LambdaContext) => Promise<APIGatewayProxyStructuredResultV2>;

export interface HandlerOptions {
  logger?: Logger;
  /** Built from the config when absent. */
  clients?: DynamoClients;
  now?: () => Date;
}

/** Builds the handler for one configuration; the clients and the ApolloServer live as long as the Lambda instance. */
export function createHandler(config: Config, opts: HandlerOptions = {}): LambdaHttpHandler {
  if (config.database.kind === 'embedded') {
    throw new Error('The Lambda entry never starts DynamoDB Local: set AWS_REGION (Lambda does) or DYNAMODB_ENDPOINT.');
  }
  const logger = opts.logger ?? createLogger({ requests: config.logRequests });
  for (const w of config.warnings) logger.warn(w);
  const clients = opts.clients ?? createClients(clientOptionsFrom(config));
  const checkReady = createReadyCheck(clients.raw, config.tableName);
  const deps: ContextDeps = {
    client: clients.doc,
    tableName: config.tableName,
    cursorKeys: cursorKeys(config.cursorSecret),
    authenticate: createAuthenticator(config.auth),
    now: opts.now,
  };
  // createApp's HTTP handler goes unused here; its ApolloServer carries the limits and the
  // extensions.dynamodb cost report, which is why it is reused rather than rebuilt.
  const app = createApp({ ...deps, reportCost: config.reportCost, maxBodyBytes: config.maxBodyBytes, checkReady, logger });

  // The integration is CommonJS, so its types name @apollo/server's CJS declarations while ours
  // are ESM: the same class to TypeScript twice. At run time it only calls public methods.
  const graphql = startServerAndCreateLambdaHandler(app.apollo as never, handlers.createAPIGatewayProxyEventV2RequestHandler(), {
    context: ({ event }) => createContext(deps, event.headers?.authorization),
    middleware: [(event) => route(event, config.maxBodyBytes, checkReady)],
  });
  return async (event, context) => {
    const result = await graphql(event, context, () => undefined);
    return result as APIGatewayProxyStructuredResultV2;
  };
}

let cached: LambdaHttpHandler | undefined;

/** The function's handler (`src/lambda.handler` in the bundle): configured from the environment on first use. */
export const handler: LambdaHttpHandler = (event, context) => {
  cached ??= createHandler(loadConfig());
  return cached(event, context);
};

/**
 * What main.ts's HTTP handler does before Apollo, for the same answers on both entries: probes,
 * 404/405, the body limit, and stable codes for bodies Apollo would reject with a bare message.
 * Returns a response to stop there, or undefined to let Apollo answer.
 */
async function route(
  event: APIGatewayProxyEventV2,
  maxBodyBytes: number,
  checkReady: () => Promise<boolean>,
): Promise<APIGatewayProxyStructuredResultV2 | undefined> {
  const path = event.rawPath;
  const method = event.requestContext.http.method;
  if (path === '/healthz') return json(200, { status: 'ok' });
  if (path === '/readyz') {
    const ready = await checkReady().catch(() => false);
    return json(ready ? 200 : 503, { status: ready ? 'ready' : 'database unreachable' });
  }
  if (path !== '/graphql') return json(404, { error: 'Not found. GraphQL is served at /graphql.' });
  if (method !== 'GET' && method !== 'POST') return { statusCode: 405, headers: { allow: 'GET, POST' }, body: '' };
  if (method !== 'POST' || !event.body) return undefined;

  const body = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (body.length > maxBodyBytes) {
    return error(413, 'BAD_USER_INPUT', `The request body is larger than the limit of ${maxBodyBytes} bytes.`);
  }
  const type = (headerValue(event, 'content-type') ?? '').toLowerCase();
  if (!type.startsWith('application/json')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return error(400, 'BAD_USER_INPUT', 'The request body is not valid JSON.');
  }
  if (Array.isArray(parsed)) {
    return error(400, 'BAD_USER_INPUT', 'Batched requests are not accepted: send one operation per request (limit: 1 operation per request).');
  }
  if (parsed === null || typeof parsed !== 'object') return error(400, 'BAD_USER_INPUT', 'The request body must be a JSON object with a "query".');
  return undefined;
}

// API Gateway lowercases header names for payload 2.0, but a hand-made test event may not.
function headerValue(event: APIGatewayProxyEventV2, name: string): string | undefined {
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === name) return v;
  return undefined;
}

function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) };
}

function error(statusCode: number, code: string, message: string): APIGatewayProxyStructuredResultV2 {
  return json(statusCode, { errors: [{ message, extensions: { code } }] });
}
