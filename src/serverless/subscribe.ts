// A subscribe message, checked as the container server checks it (src/http/ws.ts): the same
// trusted documents, the same path to an operation (prepareOperation: token limit, parse,
// validation, operation type, document limits) and the field's own subscribe resolver (access
// checks, NOT_FOUND, a bad cursor), so every refusal has the same code on both.
// The resolver opens its feed through a hub; here that hub only records which topic the
// subscription listens on, because the events come later, from the stream, to the delivery function.
import { GraphQLError, subscribe, type DocumentNode, type ExecutionArgs, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import { QueryOverWebSocketError } from '../request-errors.js';
import { markArrival, type Context } from '../graphql/context.js';
import { isLiveOperation, prepareOperation } from '../graphql/operation.js';
import type { TrustedDocuments } from '../graphql/trusted.js';
import { Feed } from '../live/feed.js';
import type { Hub } from '../live/hub.js';

/** "From now": the position a subscription without a cursor starts at. */
export const FROM_NOW = 'now';

export type Prepared =
  | {
      ok: true;
      topic: string;
      /** The text run on every event: the client's, or the trusted document its id names. */
      query: string;
      document: DocumentNode;
      operation: OperationDefinitionNode;
      /** The client's cursor (a stream sequence number and the event's index), or null for "from now". */
      resumeAfter: { position: string; index: number } | null;
    }
  /** A @live query: run now and on every write it watches, not opened as a feed. */
  | { ok: true; live: { query: string; operationName: string | null } }
  | { ok: false; errors: readonly GraphQLError[] };

/** Checks one subscribe message and finds its topic, running the field's subscribe resolver as `contextValue`'s viewer. */
export async function prepareSubscription(
  schema: GraphQLSchema,
  trusted: TrustedDocuments | undefined,
  payload: SubscribePayload,
  contextValue: Context,
): Promise<Prepared> {
  const fail = (errors: readonly GraphQLError[]): Prepared => ({ ok: false, errors });
  // An id travels as { query: "", extensions: { documentId } }: it becomes its document here, as on the container server.
  const resolved = trusted?.resolve(payload) ?? { query: payload.query };
  if ('refused' in resolved) return fail([resolved.refused]);
  const outcome = prepareOperation(schema, { ...payload, query: resolved.query }, 'websocket');
  if ('refused' in outcome) return fail(outcome.refused);
  const { document, operation, operationName, variables } = outcome.prepared;
  // A `query … @live` (the only query prepareOperation admits on WebSocket): live-query.ts runs it.
  if (isLiveOperation(operation)) return { ok: true, live: { query: resolved.query!, operationName: operationName ?? null } };
  if (operation.operation !== 'subscription') return fail([new QueryOverWebSocketError()]);
  const opened: { topic: string; after: { position: string; index: number } }[] = [];
  contextValue.live = { hub: recordingHub(opened), start: FROM_NOW, arrival: markArrival() };
  const args: ExecutionArgs = { schema, document, operationName, variableValues: variables, contextValue };
  const result = await subscribe(args);
  if (!(Symbol.asyncIterator in result)) return fail(result.errors ?? [new GraphQLError('Subscription failed.')]);
  await result.return?.();
  const feed = opened[0];
  if (opened.length !== 1 || !feed) throw new Error(`A subscription field opened ${opened.length} feeds; one expected.`);
  const resumeAfter = feed.after.position === FROM_NOW ? null : feed.after;
  return { ok: true, topic: feed.topic, query: resolved.query!, document, operation, resumeAfter };
}

/** A hub whose feeds stay empty: it only notes what the resolver opened. */
function recordingHub(opened: { topic: string; after: { position: string; index: number } }[]): Hub {
  return {
    head: () => FROM_NOW,
    open: async (topic, after) => {
      opened.push({ topic, after });
      return new Feed(1, () => undefined);
    },
    feeds: () => opened.length,
    close: () => undefined,
  };
}
