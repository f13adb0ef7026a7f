// createClient: one typed method per operation of sdk/operations/*.graphql, built from the
// generated typed document nodes rather than written by hand, so an operation added there is a
// method here after `npm run codegen`.
import { Kind, print, type DocumentNode } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import * as operations from '../__generated__/operations.js';
import { trustedDocuments } from '../__generated__/trusted-documents.js';
import { readCost, type CostReport } from './cost.js';
import { SdkError, toSdkErrorCode, type GraphQLErrorEntry } from './errors.js';
import {
  createLiveConnection,
  type LiveConnection,
  type LiveOptions,
  type LiveResult,
  type LiveSubscription,
  type SubscribeOptions,
} from './live.js';

type Generated = typeof operations;
type DocumentExport = { [K in keyof Generated]: K extends `${string}Document` ? K : never }[keyof Generated];
type MethodName<K> = K extends `${infer Name}Document` ? Uncapitalize<Name> : never;

/** Every operation's typed document node, by method name: `operationDocuments.joinGame` is JoinGameDocument. */
export type OperationDocuments = { [K in DocumentExport as MethodName<K>]: Generated[K] };
export type OperationName = keyof OperationDocuments;

export interface CallOptions {
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

/** Variables may be left out when the operation has none or only optional ones. */
// `{}` is the point here: it extends TVariables exactly when every variable is optional.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type VariablesArgs<TVariables> = {} extends TVariables
  ? [variables?: TVariables, options?: CallOptions]
  : [variables: TVariables, options?: CallOptions];

export interface SdkResult<TData> {
  data: TData;
  /** extensions.dynamodb: the DynamoDB calls and capacity this operation took; null when the server does not report it. */
  cost: CostReport | null;
  /** The response's whole `extensions`. */
  extensions: Record<string, unknown>;
}

/** The event a subscription's result carries: the value of its one root field. */
export type EventOf<TData> = TData[keyof TData];

// A subscription operation is one whose root field is an event (every subscription of the schema
// has `cursor` and `kind`; no query or mutation returns that at its root). Types cannot see an
// operation's kind, so this is the convention; createClient checks the real kind at run time.
type IsSubscription<TData> = EventOf<TData> extends { cursor: string; kind: string } ? true : false;

/** Like VariablesArgs, with SubscribeOptions. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type SubscribeArgs<TVariables> = {} extends TVariables
  ? [variables?: TVariables, options?: SubscribeOptions]
  : [variables: TVariables, options?: SubscribeOptions];

// A @live query's method name ends in "Live" (sdk/operations/live-queries.graphql): types cannot see
// directives, so this is the convention, and the SDK's unit test checks every operation keeps it.
export type OperationMethods = {
  [N in OperationName]: OperationDocuments[N] extends TypedDocumentNode<infer TData, infer TVariables>
    ? N extends `${string}Live`
      ? (...args: SubscribeArgs<TVariables>) => LiveSubscription<LiveResult<TData>>
      : IsSubscription<TData> extends true
        ? (...args: SubscribeArgs<TVariables>) => LiveSubscription<EventOf<TData>>
        : (...args: VariablesArgs<TVariables>) => Promise<SdkResult<TData>>
    : never;
};

export interface ClientOptions {
  /** The GraphQL endpoint, like http://127.0.0.1:4000/graphql. */
  url: string;
  /** A JWT sent as "Authorization: Bearer <token>"; anonymous without one. */
  token?: string;
  /** Defaults to the global fetch (Node 20+, browsers). */
  fetch?: typeof globalThis.fetch;
  headers?: Record<string, string>;
  /** Called with every answered operation's cost, failed ones included (see createCostTally). */
  onCost?: (cost: CostReport | null, operationName: string) => void;
  /** Subscriptions: where, with which WebSocket, how to get a fresh token, how to back off. */
  live?: LiveOptions;
  /**
   * Send each SDK operation as its trusted document's id (`{"documentId": "sha256:…"}`, over HTTP
   * and WebSocket) instead of its text: required by a server with TRUSTED_DOCUMENTS=enforce. A
   * document that is not one of the SDK's own is still sent in full.
   */
  trustedDocuments?: boolean;
}

export type Client = OperationMethods & {
  readonly url: string;
  /** Runs any typed document (a generated one, or your own). */
  request<TData, TVariables>(document: TypedDocumentNode<TData, TVariables>, ...args: VariablesArgs<TVariables>): Promise<SdkResult<TData>>;
  /** Runs any typed subscription document: its events, resumed by cursor across reconnects. */
  subscribe<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    ...args: SubscribeArgs<TVariables>
  ): LiveSubscription<EventOf<TData>>;
  /** Runs any typed `query … @live` document: its results, the query opened again after a reconnect. */
  live<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    ...args: SubscribeArgs<TVariables>
  ): LiveSubscription<LiveResult<TData>>;
  /** The same client signed in as someone else (or anonymous with undefined); it opens its own socket. */
  withToken(token: string | undefined): Client;
  /** Ends every subscription and closes the socket. */
  close(): Promise<void>;
};

export const operationDocuments = Object.fromEntries(
  Object.entries(operations)
    .filter(([name]) => name.endsWith('Document'))
    .map(([name, document]) => [name.charAt(0).toLowerCase() + name.slice(1, -'Document'.length), document]),
) as OperationDocuments;

/** Creates a client. Methods resolve to `{ data, cost }` and reject with an SdkError. */
export function createClient(options: ClientOptions): Client {
  new URL(options.url); // a malformed URL fails here rather than at the first call
  const fetchFn = options.fetch ?? globalThis.fetch;

  async function request<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    ...[variables, call]: VariablesArgs<TVariables>
  ): Promise<SdkResult<TData>> {
    const { query, operationName, documentId } = printed(document);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...options.headers,
      ...call?.headers,
    };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let status: number | undefined;
    let text: string;
    try {
      const res = await fetchFn(options.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(
          options.trustedDocuments && documentId
            ? { documentId, operationName, variables: variables ?? {} }
            : { query, operationName, variables: variables ?? {} },
        ),
        signal: call?.signal,
      });
      status = res.status;
      text = await res.text();
    } catch (cause) {
      throw new SdkError({
        code: 'NETWORK_ERROR',
        message: `No answer from ${options.url}: ${(cause as Error)?.message ?? String(cause)}`,
        operationName,
        status,
        cause,
      });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new SdkError({
        code: 'INVALID_RESPONSE',
        message: `HTTP ${status} with a body that is not JSON: ${text.slice(0, 200)}`,
        operationName,
        status,
      });
    }
    if (!isObject(body))
      throw new SdkError({
        code: 'INVALID_RESPONSE',
        message: `HTTP ${status} with a body that is not a GraphQL response.`,
        operationName,
        status,
      });
    const extensions = isObject(body.extensions) ? body.extensions : {};
    const cost = readCost(extensions);
    options.onCost?.(cost, operationName);
    const errors = Array.isArray(body.errors) ? body.errors.map(toErrorEntry) : [];
    const first = errors[0];
    if (first) {
      throw new SdkError({
        code: toSdkErrorCode(first.extensions?.code),
        message: first.message,
        operationName,
        errors,
        data: body.data,
        status,
        cost,
      });
    }
    if (!isObject(body.data)) {
      throw new SdkError({
        code: 'INVALID_RESPONSE',
        message: `HTTP ${status} with neither data nor errors.`,
        operationName,
        status,
        cost,
      });
    }
    return { data: body.data as TData, cost, extensions };
  }

  let live: LiveConnection | null = null;
  function subscribe<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    ...[variables, opts]: SubscribeArgs<TVariables>
  ): LiveSubscription<EventOf<TData>> {
    const { query, operationName, kind, field, documentId } = printed(document);
    if (kind !== 'subscription') throw new TypeError(`${operationName} is a ${kind}: send it with request(), not subscribe().`);
    live ??= createLiveConnection({ ...options.live, url: options.url, token: options.token });
    return live.subscribe(
      {
        query,
        documentId: options.trustedDocuments ? documentId : undefined,
        operationName,
        field,
        variables: variables as Record<string, unknown> | undefined,
      },
      opts,
    );
  }

  function liveQuery<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    ...[variables, opts]: SubscribeArgs<TVariables>
  ): LiveSubscription<LiveResult<TData>> {
    const { query, operationName, isLive, field, documentId } = printed(document);
    if (!isLive) throw new TypeError(`${operationName} is not a @live query: send it with request().`);
    live ??= createLiveConnection({ ...options.live, url: options.url, token: options.token });
    return live.subscribe(
      {
        query,
        documentId: options.trustedDocuments ? documentId : undefined,
        operationName,
        field,
        variables: variables as Record<string, unknown> | undefined,
        mode: 'results',
      },
      opts,
    );
  }

  const methods = Object.fromEntries(
    Object.entries(operationDocuments).map(([name, document]) => {
      const doc = document as TypedDocumentNode<unknown, Record<string, unknown>>;
      const { kind, isLive } = printed(doc);
      return [
        name,
        isLive
          ? (variables?: Record<string, unknown>, opts?: SubscribeOptions) => liveQuery(doc, variables, opts)
          : kind === 'subscription'
            ? (variables?: Record<string, unknown>, opts?: SubscribeOptions) => subscribe(doc, variables, opts)
            : (variables?: Record<string, unknown>, call?: CallOptions) => request(doc, variables, call),
      ];
    }),
  ) as unknown as OperationMethods;

  return {
    ...methods,
    url: options.url,
    request,
    subscribe,
    live: liveQuery,
    withToken: (token) => createClient({ ...options, token }),
    async close() {
      await live?.close();
      live = null;
    },
  };
}

interface Printed {
  /** The text sent: for the SDK's own operations, their trusted document's text exactly. */
  query: string;
  /** The trusted document's id, when the text is one. */
  documentId: string | undefined;
  operationName: string;
  kind: 'query' | 'mutation' | 'subscription';
  /** The first root field's response key (a subscription's event). */
  field: string;
  /** A `query … @live`. */
  isLive: boolean;
}

const printedCache = new WeakMap<DocumentNode, Printed>();
const generated = new Set<DocumentNode>(Object.values(operationDocuments) as DocumentNode[]);
const trusted: Readonly<Record<string, { id: string; document: string }>> = trustedDocuments;
const idByText = new Map(Object.values(trusted).map((d) => [d.document, d.id]));

function printed(document: DocumentNode): Printed {
  let hit = printedCache.get(document);
  if (!hit) {
    const op = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
    if (!op || op.kind !== Kind.OPERATION_DEFINITION) throw new TypeError('The document has no operation to run.');
    const first = op.selectionSet.selections[0];
    const field = first?.kind === Kind.FIELD ? (first.alias ?? first.name).value : '';
    const isLive = op.operation === 'query' && (op.directives ?? []).some((d) => d.name.value === 'live');
    const own = generated.has(document) && op.name ? trusted[op.name.value] : undefined;
    const query = own?.document ?? print(document);
    hit = {
      query,
      documentId: own?.id ?? idByText.get(query),
      operationName: op.name?.value ?? 'anonymous',
      kind: op.operation,
      field,
      isLive,
    };
    printedCache.set(document, hit);
  }
  return hit;
}

function toErrorEntry(raw: unknown): GraphQLErrorEntry {
  if (!isObject(raw)) return { message: String(raw) };
  const entry: GraphQLErrorEntry = { message: typeof raw.message === 'string' ? raw.message : 'The server gave no message.' };
  if (Array.isArray(raw.path)) entry.path = raw.path as (string | number)[];
  if (Array.isArray(raw.locations)) entry.locations = raw.locations as { line: number; column: number }[];
  if (isObject(raw.extensions)) entry.extensions = raw.extensions;
  return entry;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
