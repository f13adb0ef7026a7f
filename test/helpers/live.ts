// A real graphql-ws client for subscription tests: events are awaited with a bound, never slept for.
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import type { TestServer } from './server.js';

export interface Subscription {
  /** The next result, or a failure after `ms`. */
  next(ms?: number): Promise<FormattedExecutionResult<Record<string, any>, unknown>>;
  /** The next `n` results. */
  take(n: number, ms?: number): Promise<FormattedExecutionResult<Record<string, any>, unknown>[]>;
  /**
   * Every result before the first one `isMarker` accepts (the marker is consumed, not returned).
   * With a marker written after the last event, this proves "once" and "never": a duplicate or a
   * stray event arrives before the marker and is in the list.
   */
  before(
    isMarker: (r: FormattedExecutionResult<Record<string, any>, unknown>) => boolean,
    ms?: number,
  ): Promise<FormattedExecutionResult<Record<string, any>, unknown>[]>;
  /** Resolves when the server ended the subscription with an error message (its errors), or rejects after `ms`. */
  failure(ms?: number): Promise<readonly { message: string; extensions?: Record<string, any> }[]>;
  close(): Promise<void>;
}

export interface LiveClient {
  client: Client;
  subscribe(query: string, variables?: Record<string, unknown>): Promise<Subscription>;
  close(): Promise<void>;
}

/** Connects (and waits for connection_ack) as `as`, or anonymously. */
export async function connect(s: TestServer, opts: { as?: string; token?: string } = {}): Promise<LiveClient> {
  const token = opts.token ?? (opts.as ? await s.token(opts.as) : undefined);
  let acked!: () => void;
  let refused!: (e: unknown) => void;
  const ready = new Promise<void>((res, rej) => ((acked = res), (refused = rej)));
  const client = createClient({
    url: s.wsUrl,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    on: { connected: () => acked(), closed: (e) => refused(e) },
    onNonLazyError: (e) => refused(e),
  });
  await ready;
  return {
    client,
    async subscribe(query, variables) {
      const results: FormattedExecutionResult<Record<string, any>, unknown>[] = [];
      const waiters: (() => void)[] = [];
      let errors: readonly { message: string; extensions?: Record<string, any> }[] | null = null;
      const wake = () => waiters.splice(0).forEach((w) => w());
      const dispose = client.subscribe<Record<string, any>>(
        { query, variables },
        {
          next: (r) => {
            results.push(r);
            wake();
          },
          error: (e) => {
            errors = Array.isArray(e)
              ? e
              : [{ message: e instanceof Error ? e.message : JSON.stringify(e, Object.getOwnPropertyNames(e ?? {})) }];
            wake();
          },
          complete: () => wake(),
        },
      );
      const until = async (ready: () => boolean, ms: number, what: string) => {
        const deadline = Date.now() + ms;
        while (!ready()) {
          const left = deadline - Date.now();
          if (left <= 0) throw new Error(`Timed out after ${ms} ms waiting for ${what}; got ${JSON.stringify(results)}`);
          await new Promise<void>((res) => {
            const t = setTimeout(res, left);
            waiters.push(() => (clearTimeout(t), res()));
          });
        }
      };
      let read = 0;
      const sub: Subscription = {
        async next(ms = 10_000) {
          await until(() => results.length > read || errors !== null, ms, 'an event');
          if (results.length <= read) throw new Error(`The subscription failed: ${JSON.stringify(errors)}`);
          return results[read++]!;
        },
        async take(n, ms = 10_000) {
          const out = [];
          for (let i = 0; i < n; i++) out.push(await sub.next(ms));
          return out;
        },
        async before(isMarker, ms = 10_000) {
          const out = [];
          for (let r = await sub.next(ms); !isMarker(r); r = await sub.next(ms)) out.push(r);
          return out;
        },
        async failure(ms = 10_000) {
          await until(() => errors !== null, ms, 'an error message');
          return errors!;
        },
        async close() {
          dispose();
        },
      };
      return sub;
    },
    close: async () => {
      await client.dispose();
    },
  };
}

/**
 * Resolves once the stream reader has published a marker written now, so every write made
 * before this call has reached the bus too (one shard: the stream keeps commit order). Tests
 * call it after seeding, so seeded items do not show up as events of a later subscription.
 */
export async function streamCaughtUp(s: TestServer, ms = 10_000): Promise<void> {
  if (!s.live) throw new Error('streamCaughtUp needs a server started with `live`.');
  const SK = `marker-${randomUUID()}`;
  let stop = () => {};
  const seen = new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`The stream did not carry the marker within ${ms} ms.`)), ms);
    stop = s.live!.bus.listen(
      (entry) => {
        if (entry.record.keys.SK === SK) {
          clearTimeout(t);
          resolve();
        }
      },
      () => undefined,
    );
  });
  await s.clients.doc.send(new PutCommand({ TableName: s.tableName, Item: { PK: 'TEST#marker', SK } }));
  await seen.finally(stop);
}

/** Waits (bounded) until the server holds `n` subscriptions: their subscribe messages have been handled. */
export async function feedsReach(s: TestServer, n: number, ms = 10_000): Promise<void> {
  if (!s.live) throw new Error('feedsReach needs a server started with `live`.');
  const deadline = Date.now() + ms;
  while (s.live.hub.feeds() !== n) {
    if (Date.now() > deadline) throw new Error(`The server held ${s.live.hub.feeds()} subscriptions, not ${n}, after ${ms} ms.`);
    await new Promise((r) => setImmediate(r));
  }
}
