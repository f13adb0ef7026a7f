// Builds the ApolloServer: schema, resolvers, limits, error shaping and the cost report. It knows
// no transport: the HTTP server (src/http) and the Lambda entry both execute operations through it.
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { createAuthenticator } from '../auth.js';
import type { TrustedDocumentsMode } from '../config.js';
import { cursorKeys } from '../data/dynamo/cursor.js';
import { SharedReads } from '../data/dynamo/shared-reads.js';
import { AppError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import { loadTypeDefs } from '../schema.js';
import type { Services } from '../services.js';
import { createContext, type Context, type ContextDeps, type LiveSession } from './context.js';
import { LIMITS } from './limits/limits.js';
import { projectionPlugin } from './projection.js';
import { operationRulesPlugin } from './operation.js';
import { resolvers } from '../resolvers/index.js';
import { createTrustedDocuments, type TrustedDocuments } from './trusted.js';

export interface GraphQLOptions extends ContextDeps {
  /** Adds what each response cost to extensions.dynamodb. */
  reportCost: boolean;
  logger?: Logger;
  /** TRUSTED_DOCUMENTS (off when absent). */
  trustedDocuments?: TrustedDocumentsMode;
}

export interface GraphQLService {
  apollo: ApolloServer<Context>;
  /** The executable schema Apollo serves, shared with the WebSocket endpoint. */
  schema: GraphQLSchema;
  /** Shapes an error as every answer does: our codes pass, anything else is logged and masked. */
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  /** The per-request context for a request carrying this Authorization header (with `live`: a subscription's). */
  context(authorization: string | undefined, live?: LiveSession): Promise<Context>;
  /** Every transport asks it which document a request runs, before Apollo or graphql-ws parse anything. */
  trusted: TrustedDocuments;
}

/** What the composition root's services and the configuration give every GraphQL entry (HTTP server, Lambda). */
export function graphqlOptions({ config, clients, logger }: Services): GraphQLOptions {
  return {
    client: clients.doc,
    tableName: config.database.tableName,
    cursorKeys: cursorKeys(config.graphql.cursorSecret),
    authenticate: createAuthenticator(config.auth),
    games: config.games,
    reportCost: config.graphql.reportCost,
    trustedDocuments: config.graphql.trustedDocuments,
    logger,
  };
}

export function createGraphQL(opts: GraphQLOptions): GraphQLService {
  const logger = opts.logger ?? createLogger();
  const schema = makeExecutableSchema<Context>({ typeDefs: loadTypeDefs(), resolvers });
  const format = formatError(logger);
  const trusted = createTrustedDocuments({ mode: opts.trustedDocuments ?? 'off', logger });
  const apollo = new ApolloServer<Context>({
    schema,
    csrfPrevention: true,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    parseOptions: { maxTokens: LIMITS.maxTokens },
    // Automatic persisted queries register any document they are sent: with an allowlist they would
    // be a way around it, so they are off when it is enforced (requests never reach them then anyway).
    ...(trusted.mode === 'enforce' ? { persistedQueries: false as const } : {}),
    // The process entry owns shutdown: it stops taking requests, finishes those in flight, then stops Apollo.
    stopOnTerminationSignals: false,
    formatError: format,
    // Cache hints mean nothing for per-viewer data, and computing them costs CPU on every field.
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      operationRulesPlugin(),
      projectionPlugin(),
      costPlugin(opts.reportCost, logger),
    ],
  });
  // One SharedReads per server: crowds of subscribes share their setup reads (shared-reads.ts).
  const deps: ContextDeps = { ...opts, sharedReads: opts.sharedReads ?? new SharedReads() };
  return { apollo, schema, formatError: format, context: (authorization, live) => createContext(deps, authorization, live), trusted };
}

/** Codes the server itself produces; anything else reaching formatError is an internal failure. */
const PUBLIC_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'PERSISTED_QUERY_HASH_MISMATCH',
  'PERSISTED_QUERY_VERSION_UNSUPPORTED',
]);

// Apollo refuses some requests with a GraphQLError that has an HTTP 4xx but no code; these are
// the client's mistakes, so they get a stable code of their own instead of INTERNAL_SERVER_ERROR.
const APOLLO_REFUSALS: Record<string, string> = {
  'provided sha does not match query': 'PERSISTED_QUERY_HASH_MISMATCH',
  'Unsupported persisted query version': 'PERSISTED_QUERY_VERSION_UNSUPPORTED',
};

function clientRefusalCode(error: unknown): string | undefined {
  // Duck-typed: Apollo may load another copy of graphql-js, whose GraphQLError is not ours.
  const e = error as { message?: unknown; extensions?: { code?: unknown; http?: { status?: number } } } | null;
  if (!e?.extensions || e.extensions.code !== undefined || typeof e.message !== 'string') return undefined;
  const status = e.extensions.http?.status ?? 0;
  if (status < 400 || status >= 500) return undefined;
  return APOLLO_REFUSALS[e.message] ?? 'BAD_REQUEST';
}

export function formatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = (error as { originalError?: unknown })?.originalError ?? error;
    if (original instanceof AppError || error instanceof AppError) {
      // Some refusals carry what DynamoDB said (e.g. cancellation reasons): the log gets it, the client never.
      const detail = (original as { logDetail?: Record<string, unknown> }).logDetail;
      if (detail) logger.warn('refused', { code: formatted.extensions?.code, path: formatted.path, ...detail });
      const { http: _http, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
      return { ...formatted, extensions };
    }
    const code = clientRefusalCode(error) ?? formatted.extensions?.code;
    if (typeof code === 'string' && PUBLIC_CODES.has(code)) {
      return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code } };
    }
    logger.error('unexpected error', { error: String((original as Error)?.stack ?? original) });
    return { message: 'Internal server error.', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

function costPlugin(report: boolean, logger: Logger): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ request, contextValue }) {
      const started = performance.now();
      contextValue.observation?.start(request.http?.headers.get('traceparent'), request.http?.headers.get('tracestate'));
      return {
        async willSendResponse({ response, contextValue, errors, operation, operationName }) {
          const cost = contextValue.meter?.report();
          if (report && cost && response.body.kind === 'single') {
            response.body.singleResult.extensions = { ...response.body.singleResult.extensions, dynamodb: cost };
          }
          const codes = (errors ?? []).map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
          const ms = performance.now() - started;
          // Metrics take only the name the document resolved to (a client's claim alone is no operation).
          const traceId = contextValue.observation?.finish({
            name: operation ? (operationName ?? undefined) : undefined,
            type: operation?.operation,
            outcome: codes[0] ?? 'ok',
            seconds: ms / 1000,
          });
          // With request logging off, the line is not even built: this runs for every request.
          if (logger.requests === false) return;
          logger.info('request', {
            operation: operationName ?? request.operationName ?? null,
            type: operation?.operation ?? null,
            ms: Math.round(ms * 10) / 10,
            outcome: codes.length ? 'error' : 'ok',
            ...(codes.length ? { codes: [...new Set(codes)] } : {}),
            ...(cost
              ? {
                  calls: cost.totalCalls,
                  byCommand: cost.calls,
                  waves: cost.waves,
                  rcu: cost.readCapacityUnits,
                  wcu: cost.writeCapacityUnits,
                }
              : {}),
            ...(traceId ? { traceId } : {}),
          });
        },
      };
    },
  };
}
