// A subscribe message, checked as the container server checks it (src/http/ws.ts): the same
// token limit, parse, validation, operation type, document limits and the field's own subscribe
// resolver (access checks, NOT_FOUND, a bad cursor), so every refusal has the same code on both.
// The resolver opens its feed through a hub; here that hub only records which topic the
// subscription listens on, because the events come later, from the stream, to the delivery function.
import {
  GraphQLError,
  Kind,
  parse,
  subscribe,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import { QueryOverWebSocketError } from '../errors.js';
import { markArrival, type Context } from '../graphql/context.js';
import { checkDocument } from '../graphql/limits/check.js';
import { LIMITS } from '../graphql/limits/limits.js';
import { documentTooLarge } from '../graphql/limits/tokens.js';
import { Feed } from '../live/feed.js';
import type { Hub } from '../live/hub.js';

/** "From now": the position a subscription without a cursor starts at. */
export const FROM_NOW = 'now';

export type Prepared =
  | {
      ok: true;
      topic: string;
      document: DocumentNode;
      operation: OperationDefinitionNode;
      /** The client's cursor (a stream sequence number and the event's index), or null for "from now". */
      resumeAfter: { position: string; index: number } | null;
    }
  | { ok: false; errors: readonly GraphQLError[] };

/** Checks one subscribe message and finds its topic, running the field's subscribe resolver as `contextValue`'s viewer. */
export async function prepareSubscription(schema: GraphQLSchema, payload: SubscribePayload, contextValue: Context): Promise<Prepared> {
  const fail = (...errors: GraphQLError[]): Prepared => ({ ok: false, errors });
  const tooLarge = documentTooLarge(payload.query);
  if (tooLarge) return fail(tooLarge);
  let document: DocumentNode;
  try {
    document = parse(payload.query, { maxTokens: LIMITS.maxTokens });
  } catch (err) {
    return fail(err instanceof GraphQLError ? err : new GraphQLError(String(err)));
  }
  const invalid = validate(schema, document);
  if (invalid.length) return fail(...invalid);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode =>
      d.kind === Kind.OPERATION_DEFINITION && (!payload.operationName || d.name?.value === payload.operationName),
  );
  if (!operation) return fail(new GraphQLError('Unable to identify the operation.'));
  if (operation.operation !== 'subscription') return fail(new QueryOverWebSocketError());
  try {
    checkDocument(operation, document, payload.variables ?? {}, schema);
  } catch (err) {
    return fail(err as GraphQLError);
  }
  const opened: { topic: string; after: { position: string; index: number } }[] = [];
  contextValue.live = { hub: recordingHub(opened), start: FROM_NOW, arrival: markArrival() };
  const args: ExecutionArgs = {
    schema,
    document,
    operationName: payload.operationName,
    variableValues: payload.variables,
    contextValue,
  };
  const result = await subscribe(args);
  if (!(Symbol.asyncIterator in result)) return fail(...(result.errors ?? [new GraphQLError('Subscription failed.')]));
  await result.return?.();
  const feed = opened[0];
  if (opened.length !== 1 || !feed) throw new Error(`A subscription field opened ${opened.length} feeds; one expected.`);
  const resumeAfter = feed.after.position === FROM_NOW ? null : feed.after;
  return { ok: true, topic: feed.topic, document, operation, resumeAfter };
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
