// One GraphQL request, from its text to an operation that may run or to the refusal it gets, the
// same over every transport. HTTP runs Apollo's pipeline: prepareOperation repeats its steps with
// its codes (REFUSALS) and its words, and Apollo's last step before execution is admitOperation
// itself (operationRulesPlugin). Transports that do not run Apollo (WebSocket, and any later one)
// go the whole way with prepareOperation. test/reliability/hostile-ws.test.ts sends every refused
// document both ways and compares the answers, so the two cannot drift apart unnoticed.
import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  getOperationAST,
  getVariableValues,
  parse,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { LiveQueryOverHttpError, QueryOverWebSocketError, SubscriptionOverHttpError } from '../request-errors.js';
import { checkDocument } from './limits/check.js';
import { LIMITS, type Limits } from './limits/limits.js';
import { documentTooLarge } from './limits/tokens.js';

/** How the request arrived: each transport serves some operation types only. */
export type Transport = 'http' | 'websocket';

/** The refusals before the operation is resolved (GraphQL's and Apollo's own), with Apollo's codes; HTTP 400 each. */
export const REFUSALS = {
  /** An automatic persisted query (extensions.persistedQuery) of a version other than 1. */
  persistedQueryVersion: 'PERSISTED_QUERY_VERSION_UNSUPPORTED',
  /** An automatic persisted query whose sha256Hash is not the document's. */
  persistedQueryHash: 'PERSISTED_QUERY_HASH_MISMATCH',
  /** No document at all. */
  emptyDocument: 'BAD_REQUEST',
  /** The document does not parse (its own message and location). */
  syntax: 'GRAPHQL_PARSE_FAILED',
  /** graphql-js's validation rules, as Apollo applies them: every error, with its message. */
  invalid: 'GRAPHQL_VALIDATION_FAILED',
  /** Several operations and no operationName, or an operationName naming none. */
  noOperation: 'OPERATION_RESOLUTION_FAILURE',
  /** A variable missing, or of the wrong type. */
  variables: 'BAD_USER_INPUT',
} as const;

export type RefusalKind = keyof typeof REFUSALS;

/** A document refused before it ran: a client's mistake, never a server error. */
export class RefusedRequestError extends GraphQLError {
  constructor(
    readonly kind: RefusalKind,
    cause: GraphQLError | string,
  ) {
    const from = typeof cause === 'string' ? undefined : cause;
    super(typeof cause === 'string' ? cause : cause.message, {
      nodes: from?.nodes,
      source: from?.nodes ? undefined : from?.source,
      positions: from?.nodes ? undefined : from?.positions,
      extensions: { code: REFUSALS[kind], http: { status: 400 } },
    });
    this.name = 'RefusedRequestError';
  }
}

export interface OperationRequest {
  query?: unknown;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  extensions?: Record<string, unknown> | null;
}

/** A document that may run on this transport: parsed, valid, its operation resolved, within the limits. */
export interface PreparedOperation {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /** As the client sent it: execution resolves the same operation from it. */
  operationName: string | undefined;
  variables: Record<string, unknown>;
}

/** Takes a request the whole way to an operation this transport may run, or to the errors refusing it. */
export function prepareOperation(
  schema: GraphQLSchema,
  request: OperationRequest,
  transport: Transport,
  limits: Limits = LIMITS,
): { prepared: PreparedOperation } | { refused: readonly GraphQLError[] } {
  const { query } = request;
  // HTTP counts tokens before anything else (src/http/preflight.ts), then Apollo checks a persisted query.
  const tooLarge = documentTooLarge(query, limits);
  if (tooLarge) return { refused: [tooLarge] };
  const persisted = persistedQueryRefusal(query, request.extensions?.persistedQuery);
  if (persisted) return { refused: [persisted] };
  if (typeof query !== 'string' || query === '') {
    return {
      refused: [
        new RefusedRequestError('emptyDocument', 'GraphQL operations must contain a non-empty `query` or a `persistedQuery` extension.'),
      ],
    };
  }
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: limits.maxTokens });
  } catch (err) {
    return { refused: [new RefusedRequestError('syntax', err instanceof GraphQLError ? err : String(err))] };
  }
  const invalid = validate(schema, document);
  if (invalid.length) return { refused: invalid.map((e) => new RefusedRequestError('invalid', e)) };
  const operationName = request.operationName ?? undefined;
  const operation = getOperationAST(document, operationName);
  if (!operation) return { refused: [new RefusedRequestError('noOperation', noOperationMessage(document, operationName))] };
  const variables = request.variables ?? {};
  const refused = admitOperation(schema, document, operation, variables, transport, limits);
  return refused.length ? { refused } : { prepared: { document, operation, operationName, variables } };
}

/**
 * The checks after the operation is resolved, in order: the limits, the variables, then whether
 * this transport serves this kind of operation (so a document wrong in itself gets the same
 * answer everywhere). Returns the refusals, [] when the operation may run.
 */
export function admitOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  transport: Transport,
  limits: Limits = LIMITS,
): readonly GraphQLError[] {
  try {
    checkDocument(operation, document, variables, schema, limits);
  } catch (err) {
    if (err instanceof GraphQLError) return [err];
    throw err;
  }
  // graphql-js reports at most 50 bad variables in one answer; so does execution.
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables, { maxErrors: 50 });
  if (coerced.errors) return coerced.errors.map((e) => new RefusedRequestError('variables', e));
  // A @live query is kept current over a WebSocket: HTTP refuses it rather than answer it once.
  const live = isLiveOperation(operation);
  if (transport === 'http' && live) return [new LiveQueryOverHttpError()];
  if (transport === 'http' && operation.operation === 'subscription') return [new SubscriptionOverHttpError()];
  if (transport === 'websocket' && operation.operation !== 'subscription' && !live) return [new QueryOverWebSocketError()];
  return [];
}

// Apollo's automatic persisted queries, as Apollo answers them: a document sent with its hash must
// match it. (A hash alone is no subscribe: graphql-ws requires the query.)
function persistedQueryRefusal(query: unknown, persisted: unknown): RefusedRequestError | undefined {
  if (!persisted) return undefined;
  const { version, sha256Hash } = persisted as { version?: unknown; sha256Hash?: unknown };
  if (version !== 1) return new RefusedRequestError('persistedQueryVersion', 'Unsupported persisted query version');
  if (typeof query === 'string' && sha256Hash !== createHash('sha256').update(query).digest('hex')) {
    return new RefusedRequestError('persistedQueryHash', 'provided sha does not match query');
  }
  return undefined;
}

// graphql-js's own words, as Apollo answers them over HTTP.
function noOperationMessage(document: DocumentNode, operationName: string | undefined): string {
  if (operationName !== undefined) return `Unknown operation named "${operationName}".`;
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length;
  return operations > 1 ? 'Must provide operation name if query contains multiple operations.' : 'Must provide an operation.';
}

/** Apollo plugin: admitOperation for every resolved operation over HTTP (Apollo did the steps before). */
export function operationRulesPlugin(limits: Limits = LIMITS): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, schema }) {
          if (!operation) return;
          const refused = admitOperation(schema, document, operation, request.variables ?? {}, 'http', limits);
          // A plugin can throw one error only: bad variables are left to Apollo's execution,
          // which reports every one of them as BAD_USER_INPUT, as prepareOperation does.
          if (refused.length && !(refused[0] instanceof RefusedRequestError && refused[0].kind === 'variables')) throw refused[0];
        },
      };
    },
  };
}

/** True for `query … @live { … }` (here, not in src/live, so the HTTP entry can refuse one without the live pipeline). */
export function isLiveOperation(operation: OperationDefinitionNode): boolean {
  return operation.operation === 'query' && (operation.directives ?? []).some((d) => d.name.value === 'live');
}
