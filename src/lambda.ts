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
import { parseGraphQLRequest, routeAnswer, type Answer } from './preflight.js';
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

/** The same answers before Apollo as the HTTP server (src/preflight.ts), in the integration's shape. */
async function route(
  event: APIGatewayProxyEventV2,
  maxBodyBytes: number,
  checkReady: () => Promise<boolean>,
): Promise<APIGatewayProxyStructuredResultV2 | undefined> {
  const method = event.requestContext.http.method;
  const routed = await routeAnswer(event.rawPath, method, checkReady);
  if (routed) return toResult(routed);
  const parsed = parseGraphQLRequest({
    method,
    contentType: headerValue(event, 'content-type') ?? '',
    raw: event.body === undefined ? undefined : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8'),
    searchQuery: new URLSearchParams(event.rawQueryString ?? '').get('query'),
    maxBodyBytes,
  });
  return 'answer' in parsed ? toResult(parsed.answer) : undefined;
}

function toResult(answer: Answer): APIGatewayProxyStructuredResultV2 {
  return { statusCode: answer.status, headers: answer.headers, body: answer.body };
}

// API Gateway lowercases header names for payload 2.0, but a hand-made test event may not.
function headerValue(event: APIGatewayProxyEventV2, name: string): string | undefined {
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === name) return v;
  return undefined;
}
