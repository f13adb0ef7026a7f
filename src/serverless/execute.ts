// One event through one subscriber's own selection, exactly as graphql-js runs a subscription's
// event on the container server (mapSourceToResponse: execute with the event as the root value),
// as the subscriber's viewer, with loaders shared by every subscriber of the same stream record.
import { execute, parse, type DocumentNode, type GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { MessageType, stringifyMessage } from 'graphql-ws';
import type { Viewer } from '../auth.js';
import type { SubscriptionRecord } from '../data/connections/connections.js';
import { createContext, type ContextDeps } from '../graphql/context.js';
import { LIMITS } from '../graphql/limits/limits.js';
import type { TrustedDocuments } from '../graphql/trusted.js';
import type { Delivery } from '../live/feed.js';

export interface Executor {
  schema: GraphQLSchema;
  /** The context every operation gets, but for who asks: the subscriber's stored viewer. */
  contextDeps: Omit<ContextDeps, 'authenticate'>;
  formatError(error: GraphQLError): GraphQLFormattedError;
  /** TRUSTED_DOCUMENTS, as the other transports apply it (absent: any document). */
  trusted?: TrustedDocuments;
}

type Subscriber = Pick<SubscriptionRecord, 'subscriptionId' | 'document' | 'variables' | 'operationName' | 'viewer'>;

// A Lambda instance sees the same few documents again and again: parse each once.
const parsed = new Map<string, DocumentNode>();
export function documentOf(query: string): DocumentNode {
  let doc = parsed.get(query);
  if (!doc) {
    if (parsed.size >= 1_000) parsed.delete(parsed.keys().next().value!);
    parsed.set(query, (doc = parse(query, { maxTokens: LIMITS.maxTokens })));
  }
  return doc;
}

/** A context for a viewer already authenticated (at connection_init), without their token. */
export function contextFor(x: Executor, viewer: Viewer | null) {
  return createContext({ ...x.contextDeps, authenticate: async () => viewer }, undefined);
}

/** The `next` message this subscriber gets for the delivery. */
export async function eventMessage(x: Executor, s: Subscriber, d: Delivery): Promise<string> {
  const result = await execute({
    schema: x.schema,
    document: documentOf(s.document),
    variableValues: s.variables,
    operationName: s.operationName ?? undefined,
    contextValue: await contextFor(x, s.viewer),
    rootValue: d,
  });
  const payload = result.errors ? { ...result, errors: result.errors.map((e) => x.formatError(e)) } : result;
  return stringifyMessage({ type: MessageType.Next, id: s.subscriptionId, payload });
}

/** The protocol's `error` message: ends that one subscription on the client. */
export function errorMessage(x: Executor, id: string, errors: readonly GraphQLError[]): string {
  return stringifyMessage({ type: MessageType.Error, id, payload: errors.map((e) => x.formatError(e)) });
}
