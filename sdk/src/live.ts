// Subscriptions as async iterables over one shared graphql-ws socket. graphql-ws's own retries
// resend the first payload as it was; ours resubscribe with `after` set to the last cursor seen,
// so a dropped connection costs no event and repeats none (the server resumes strictly after it).
// @live queries ride the same loop in 'results' mode: each item is the query's whole data, and a
// reconnect simply opens the live query again (its first result is the current state).
import { createClient as createWsClient, type Client as WsClient, type FormattedExecutionResult } from 'graphql-ws';
import { restoringCloseCodes, type SocketClass } from './close-codes.js';
import { SdkError, toSdkErrorCode, type GraphQLErrorEntry } from './errors.js';

export interface LiveOptions {
  /** ws://…/graphql; by default the client's url with http(s) turned into ws(s). */
  wsUrl?: string;
  /** The WebSocket class where there is no global one (Node 20: pass the `ws` package's default export). */
  webSocketImpl?: unknown;
  /**
   * Asked for a fresh token when the server closes with 4403 (the token expired or was refused;
   * on API Gateway: the `error` that stands for 4403, or a close before `connection_ack`); the SDK
   * then reconnects with it. Without it, 4403 ends every subscription with UNAUTHENTICATED.
   */
  refreshToken?: () => string | undefined | Promise<string | undefined>;
  /** Reconnect delays: the n-th attempt in a row waits about initialMs·2ⁿ⁻¹, at most maxMs (defaults 250 and 30,000). */
  backoff?: Partial<Backoff>;
  /** Failed reconnects in a row before a subscription ends with NETWORK_ERROR (default 10). */
  maxRetries?: number;
}

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export interface SubscribeOptions {
  signal?: AbortSignal;
}

/** A running subscription: iterate it for events; `cursor` is the last one seen (keep it to resume later with `after`). */
export interface LiveSubscription<TEvent> extends AsyncIterableIterator<TEvent> {
  readonly cursor: string | null;
  /** Ends the subscription; a pending next() resolves done. */
  close(): Promise<void>;
}

/** What to do after the socket closed with this code. */
export type CloseAction = 'reconnect' | 'refreshToken' | 'fail';

/**
 * 4403: the token expired or was refused, so reconnect with a fresh one. Codes that mean this
 * request can never succeed (bad request, unauthorized, subprotocol, duplicate ids) fail; the
 * rest (1001 going away, 1006 dropped, 1011/1012/1013 server trouble, 4029 too many connections,
 * 4408 init timeout, 4499 terminated) are worth another try after a pause.
 */
export function closeAction(code: number): CloseAction {
  if (code === 4403) return 'refreshToken';
  if ([1000, 4400, 4401, 4406, 4409, 4429, 4500, 4005, 1002, 1003, 1007, 1008].includes(code)) return 'fail';
  return 'reconnect';
}

/** Equal jitter: half the exponential step for sure, the other half at random (`attempt` counts from 1). */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  const step = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + (random() * step) / 2);
}

/** http://host/graphql → ws://host/graphql (https → wss). */
export function wsUrlFor(httpUrl: string): string {
  const url = new URL(httpUrl);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  return url.toString();
}

/** The subscription's variables for a (re)subscribe: the caller's, with `after` moved on to the last cursor seen. */
export function resumeVariables(variables: Record<string, unknown> | undefined, cursor: string | null): Record<string, unknown> {
  return cursor === null ? { ...variables } : { ...variables, after: cursor };
}

/** One socket per SDK client, opened on the first subscription and closed when the last one ends. */
export interface LiveConnection {
  subscribe<TEvent>(req: LiveRequest, options?: SubscribeOptions): LiveSubscription<TEvent>;
  close(): Promise<void>;
}

export interface LiveRequest {
  query: string;
  /** Set: subscribe with the trusted document's id instead of `query` (see payloadFor). */
  documentId?: string;
  operationName: string;
  /** The root field whose value is the event. */
  field: string;
  variables?: Record<string, unknown>;
  /** 'results': a @live query, each item its whole data and revision; default 'events' (a subscription). */
  mode?: 'events' | 'results';
}

/** One result of a @live query: the data, and its revision on the current connection (from 1 again after a reconnect). */
export interface LiveResult<TData> {
  data: TData;
  revision: number | null;
}

type Outcome = { errors: GraphQLErrorEntry[] } | { closed: unknown } | { completed: true } | { stopped: true };

export function createLiveConnection(opts: LiveOptions & { url: string; token?: string }): LiveConnection {
  const backoff: Backoff = { initialMs: 250, maxMs: 30_000, ...opts.backoff };
  const maxRetries = opts.maxRetries ?? 10;
  let token = opts.token;
  let ws: WsClient | null = null;
  let connections = 0;
  // One refresh per 4403 close, however many subscriptions shared the socket it closed.
  let refreshing: { for: unknown; done: Promise<boolean> } | null = null;
  const live = new Set<() => void>();

  // API Gateway's stand-ins for close codes become the codes again (close-codes.ts).
  const base = (opts.webSocketImpl ?? (globalThis as { WebSocket?: unknown }).WebSocket) as SocketClass | undefined;
  const webSocketImpl = base ? restoringCloseCodes(base) : undefined;
  const client = () =>
    (ws ??= createWsClient({
      url: opts.wsUrl ?? wsUrlFor(opts.url),
      webSocketImpl,
      retryAttempts: 0, // our loop retries, with the cursor
      connectionParams: () => (token ? { authorization: `Bearer ${token}` } : {}),
      on: { connected: () => connections++ },
    }));

  const refresh = (closeEvent: unknown): Promise<boolean> => {
    if (refreshing && refreshing.for === closeEvent) return refreshing.done;
    const done = (async () => {
      if (!opts.refreshToken) return false;
      token = (await opts.refreshToken()) ?? undefined;
      return true;
    })();
    refreshing = { for: closeEvent, done };
    return done;
  };

  function subscribe<TEvent>(req: LiveRequest, options: SubscribeOptions = {}): LiveSubscription<TEvent> {
    const queue: TEvent[] = [];
    let waiting: ((r: IteratorResult<TEvent>) => void) | null = null;
    let failWaiting: ((e: unknown) => void) | null = null;
    let failure: unknown = null;
    let finished = false;
    let cursor: string | null = typeof req.variables?.after === 'string' ? req.variables.after : null;
    let stop: () => void = () => {};

    const deliver = (event: TEvent) => {
      if (waiting) {
        const w = waiting;
        waiting = failWaiting = null;
        w({ value: event, done: false });
      } else queue.push(event);
    };
    const finish = (err?: unknown) => {
      if (finished) return;
      finished = true;
      live.delete(end);
      if (err !== undefined) failure = err;
      if (waiting) {
        const [w, f] = [waiting, failWaiting!];
        waiting = failWaiting = null;
        if (err !== undefined && queue.length === 0) {
          failure = null;
          f(err);
        } else w({ value: undefined, done: true });
      }
    };
    const end = () => {
      stop();
      finish();
    };
    live.add(end);
    options.signal?.addEventListener('abort', end, { once: true });

    void (async () => {
      let attempt = 0;
      while (!finished) {
        const seenBefore = connections;
        let gotEvent = false;
        /** The newest revision given, and the connection it came on. */
        let [revisionsOn, newest] = [connections, 0];
        // graphql-ws resends this very payload if it reconnects by itself (after a 1000 close), so
        // `after` is kept current in it too.
        const payload = payloadFor(req, resumeVariables(req.variables, cursor));
        const outcome = await new Promise<Outcome>((resolve) => {
          let dispose = () => {};
          stop = () => {
            dispose();
            resolve({ stopped: true });
          };
          dispose = client().subscribe<Record<string, unknown>>(payload, {
            next: (result: FormattedExecutionResult<Record<string, unknown>>) => {
              if (result.errors?.length) return resolve({ errors: result.errors as GraphQLErrorEntry[] });
              if (req.mode === 'results') {
                gotEvent = true;
                const live = (result.extensions as { live?: { revision?: unknown } } | undefined)?.live;
                const revision = typeof live?.revision === 'number' ? live.revision : null;
                // Revisions count from 1 on each connection; on the serverless flavour two writers' posts
                // may arrive out of order, and a result older than one already given is stale.
                if (connections !== revisionsOn) [revisionsOn, newest] = [connections, 0];
                if (revision !== null && revision <= newest) return;
                if (revision !== null) newest = revision;
                return deliver({ data: result.data, revision } as TEvent);
              }
              const event = result.data?.[req.field] as { cursor?: unknown } | undefined;
              if (typeof event?.cursor === 'string') payload.variables.after = cursor = event.cursor;
              gotEvent = true;
              deliver(event as TEvent);
            },
            error: (err) => resolve(Array.isArray(err) ? { errors: err as GraphQLErrorEntry[] } : { closed: err }),
            complete: () => resolve({ completed: true }),
          });
        });
        if ('stopped' in outcome || finished) return;
        if ('errors' in outcome) {
          const first = outcome.errors[0]!;
          return finish(
            new SdkError({
              code: toSdkErrorCode(first.extensions?.code),
              message: first.message,
              operationName: req.operationName,
              errors: outcome.errors,
            }),
          );
        }
        // A connection that was acknowledged (or carried an event) starts the count again.
        attempt = gotEvent || connections > seenBefore ? 1 : attempt + 1;
        const code = 'closed' in outcome ? closeCode(outcome.closed) : null;
        const action = code === null ? 'reconnect' : closeAction(code);
        if (action === 'refreshToken' && !(await refresh((outcome as { closed: unknown }).closed))) {
          return finish(
            new SdkError({
              code: 'UNAUTHENTICATED',
              message: 'The server closed the connection (4403): the token expired or was refused.',
              operationName: req.operationName,
            }),
          );
        }
        if (action === 'fail' || attempt > maxRetries) {
          const why = code === null ? describe(outcome) : `the server closed the connection with ${code}`;
          return finish(
            new SdkError({
              code: 'NETWORK_ERROR',
              message: `Subscription lost: ${why}.`,
              operationName: req.operationName,
              cause: outcome,
            }),
          );
        }
        await pause(backoffDelay(attempt, backoff), options.signal);
      }
    })().catch((err: unknown) => finish(err));

    const iterator: LiveSubscription<TEvent> = {
      get cursor() {
        return cursor;
      },
      next() {
        if (queue.length) return Promise.resolve({ value: queue.shift()!, done: false });
        if (failure !== null) {
          const err = failure;
          failure = null;
          return Promise.reject(err);
        }
        if (finished) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => ((waiting = resolve), (failWaiting = reject)));
      },
      async return() {
        end();
        return { value: undefined, done: true };
      },
      async close() {
        end();
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  return {
    subscribe,
    async close() {
      for (const end of [...live]) end();
      await ws?.dispose();
      ws = null;
    },
  };
}

/**
 * graphql-ws requires a string `query` in every subscribe, so a trusted document's id travels as
 * `{ query: "", extensions: { documentId } }`: the server resolves it before parsing anything.
 */
export function payloadFor(req: LiveRequest, variables: Record<string, unknown>) {
  return req.documentId
    ? { query: '', operationName: req.operationName, variables, extensions: { documentId: req.documentId } }
    : { query: req.query, operationName: req.operationName, variables };
}

function closeCode(err: unknown): number | null {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'number' ? err.code : null;
}

function describe(outcome: Outcome): string {
  if ('completed' in outcome) return 'the server ended it';
  const err = (outcome as { closed: unknown }).closed;
  return err instanceof Error ? err.message : 'the connection failed';
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
}
