// Lambda entry, beside main.ts: the same ApolloServer (createGraphQL), served through API Gateway's
// HTTP API (payload 2.0). The table is deployed by infra/, so unlike main.ts nothing here creates
// tables, loads demo data or starts DynamoDB Local.
import { handlers, startServerAndCreateLambdaHandler } from '@as-integrations/aws-lambda';
import type { ApolloServer as CommonJsApolloServer } from '@apollo/server' with { 'resolution-mode': 'require' };
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context as LambdaContext } from 'aws-lambda';
import { loadConfig, type Config } from './config.js';
import type { DynamoClients } from './data/dynamo/client.js';
import { createGraphQL, graphqlOptions } from './graphql/apollo.js';
import type { Context } from './graphql/context.js';
import type { TrustedDocuments } from './graphql/trusted.js';
import { parseGraphQLRequest, routeAnswer, type Answer } from './http/preflight.js';
import type { Logger } from './log.js';
import { createServices } from './services.js';

export type LambdaHttpHandler = (event: APIGatewayProxyEventV2, context: LambdaContext) => Promise<APIGatewayProxyStructuredResultV2>;

export interface HandlerOptions {
  logger?: Logger;
  /** Built from the config when absent. */
  clients?: DynamoClients;
  now?: () => Date;
}

/** Builds the handler for one configuration; the clients and the ApolloServer live as long as the Lambda instance. */
export function createHandler(config: Config, opts: HandlerOptions = {}): LambdaHttpHandler {
  if (config.database.target.kind === 'embedded') {
    throw new Error('The Lambda entry never starts DynamoDB Local: set AWS_REGION (Lambda does) or DYNAMODB_ENDPOINT.');
  }
  const services = createServices(config, { logger: opts.logger, clients: opts.clients });
  const service = createGraphQL({ ...graphqlOptions(services), now: opts.now });

  // The integration is CommonJS, so its types name @apollo/server's CJS declarations while ours
  // are ESM: the same class to TypeScript twice (private fields make them incompatible). At run
  // time it is one class and the integration only calls public methods.
  const apollo = service.apollo as unknown as CommonJsApolloServer<Context>;
  const graphql = startServerAndCreateLambdaHandler(apollo, handlers.createAPIGatewayProxyEventV2RequestHandler(), {
    context: ({ event }) => service.context(event.headers?.authorization),
    middleware: [(event) => route(event, config.http.maxBodyBytes, services.checkReady, service.trusted)],
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

/** The same answers before Apollo as the HTTP server (src/http/preflight.ts), in the integration's shape. */
async function route(
  event: APIGatewayProxyEventV2,
  maxBodyBytes: number,
  checkReady: () => Promise<boolean>,
  trusted: TrustedDocuments,
): Promise<APIGatewayProxyStructuredResultV2 | undefined> {
  const method = event.requestContext.http.method;
  const routed = await routeAnswer(event.rawPath, method, checkReady);
  if (routed) return toResult(routed);
  const search = new URLSearchParams(event.rawQueryString ?? '');
  const parsed = parseGraphQLRequest({
    method,
    contentType: headerValue(event, 'content-type') ?? '',
    raw: event.body === undefined ? undefined : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8'),
    searchQuery: search.get('query'),
    searchDocumentId: search.get('documentId'),
    maxBodyBytes,
    trusted,
  });
  if ('answer' in parsed) return toResult(parsed.answer);
  // The integration reads the event itself after this middleware: a trusted document's id is
  // replaced by its text where it will look.
  if (parsed.getQuery !== undefined) {
    search.delete('documentId');
    search.set('query', parsed.getQuery);
    event.rawQueryString = search.toString();
  } else if (parsed.documentId !== undefined) {
    event.body = JSON.stringify(parsed.body);
    event.isBase64Encoded = false;
  }
  return undefined;
}

function toResult(answer: Answer): APIGatewayProxyStructuredResultV2 {
  return { statusCode: answer.status, headers: answer.headers, body: answer.body };
}

// API Gateway lowercases header names for payload 2.0, but a hand-made test event may not.
function headerValue(event: APIGatewayProxyEventV2, name: string): string | undefined {
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === name) return v;
  return undefined;
}
