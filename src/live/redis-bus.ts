// The bus across instances: one capped Redis Stream per table holds every published record and
// gap marker, in one order, for every instance (XREAD from each listener's last id, no consumer
// group) and for resume (XRANGE after a cursor's id). Same contract as the in-process bus (bus.ts).
//
// - Positions are `<epoch>.<stream id>`. The epoch is a random value kept beside the stream and
//   written into every entry: Redis restarted without its data means a new epoch, so an old cursor
//   is refused (RESYNC) instead of being read against a stream that never held its entries.
// - De-duplication: a record id is published once per `dedupeSeconds` (SET NX EX, in the same Lua
//   script as the XADD), so two readers, a failover or a Lambda retry never publish a record twice.
// - Redis unreachable: publish rejects (the stream reader retries the same records), replay gives
//   null (RESYNC), the listener retries with backoff, and on reconnect compares the epoch: changed
//   or trimmed past its last id, every listener gets onGap. Nothing throws out of here.
import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../log.js';
import type { Bus, BusEntry } from './bus.js';
import { decodeRecord, encodeRecord } from './envelope.js';
import { busKeys, compareIds, fieldsOf, parsePosition, PUBLISH, replayAfter } from './redis-stream.js';
import { backoffMs } from './stream/errors.js';

export interface RedisBusOptions {
  url: string;
  /** Keys are `{<prefix>}:…` (one hash slot): one prefix per table. */
  prefix: string;
  /** Entries the stream keeps for resume (MAXLEN ~). */
  replayRecords: number;
  /** How long a published record id is remembered, so a late duplicate is still dropped. */
  dedupeSeconds: number;
  logger: Logger;
  /** XREAD BLOCK timeout; also how long close() may wait for the blocked read. */
  blockMs?: number;
  redisOptions?: RedisOptions;
}

export interface RedisBus extends Bus {
  /** The epoch this instance reads, or null while Redis has not been reached. */
  epoch(): string | null;
}

/** The Redis keys' prefix for a table: every reader and instance of one table shares it, other tables never do. */
export const busPrefix = (tableName: string) => `live:${tableName}`;

/** Connects, learns the epoch and the stream's end, and starts the one listening loop of this instance. */
export async function createRedisBus(opts: RedisBusOptions): Promise<RedisBus> {
  const { logger: log } = opts;
  const key = busKeys(opts.prefix);
  const blockMs = opts.blockMs ?? 2_000;
  const maxLen = String(Math.max(1, opts.replayRecords));
  // Fail fast while disconnected: callers retry on their own terms (the reader re-sends the same records).
  const base: RedisOptions = {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 6), 2_000),
    ...opts.redisOptions,
  };
  const cmd = new Redis(opts.url, { ...base, connectionName: 'live-bus' });
  // XREAD BLOCK holds its connection: the listener gets its own.
  const reader = new Redis(opts.url, { ...base, connectionName: 'live-bus-reader' });
  let lastError = '';
  for (const [name, c] of [
    ['commands', cmd],
    ['reader', reader],
  ] as const) {
    c.on('error', (err: Error) => {
      if (err.message === lastError) return; // one line per kind of failure, not one per retry
      lastError = err.message;
      log.warn('redis bus connection failed; reconnecting', { connection: name, error: err.message });
    });
    c.on('ready', () => (lastError = ''));
  }

  const listeners = new Set<{ onEntry: (e: BusEntry) => void; onGap: (r: string) => void }>();
  let epoch: string | null = null;
  let lastId = '0-0';
  // Every entry is numbered in publish order: a listener that sees a number skipped was trimmed past.
  let lastN = 0;
  let closed = false;
  const position = (id: string) => `${epoch ?? 'none'}.${id}`;

  const emitGap = (reason: string) => {
    log.warn('live bus gap', { reason });
    for (const l of listeners) {
      try {
        l.onGap(reason);
      } catch (err) {
        log.error('bus onGap threw', { error: String(err) });
      }
    }
  };

  /** Reads (creating if Redis lost it) the epoch; a change means the stream we read is gone. */
  async function syncEpoch(): Promise<void> {
    await cmd.set(key.epoch, randomBytes(6).toString('base64url'), 'NX');
    const current = await cmd.get(key.epoch);
    if (current === null) throw new Error('The bus epoch vanished while it was being read.');
    if (epoch === null) {
      epoch = current;
      const last = (await cmd.xrevrange(key.stream, '+', '-', 'COUNT', 1))[0];
      lastId = last ? last[0] : '0-0';
      lastN = last ? Number(fieldsOf(last[1]).n) : 0;
      return;
    }
    if (current !== epoch) {
      epoch = current;
      lastId = '0-0';
      lastN = 0;
      emitGap('Redis lost the bus (restarted without its data): every subscriber resyncs');
      return;
    }
  }

  function dispatchEntry(id: string, f: Record<string, string>): void {
    const n = Number(f.n);
    if (n > lastN + 1 && lastId !== '0-0') emitGap('this instance fell behind the bus’s window: entries were trimmed before it read them');
    lastN = n;
    lastId = id;
    if (f.t === 'g') return emitGap(f.d ?? 'gap');
    let record;
    try {
      record = decodeRecord(f.d ?? '');
    } catch (err) {
      log.error('bus entry skipped: not a record this server can read', { id, error: String(err) });
      return;
    }
    const entry: BusEntry = { position: position(id), record };
    for (const l of listeners) {
      try {
        l.onEntry(entry);
      } catch (err) {
        log.error('bus onEntry threw', { error: String(err) });
      }
    }
  }

  async function listenLoop(): Promise<void> {
    let verify = epoch === null;
    for (let failures = 0; !closed;) {
      try {
        if (verify) await syncEpoch();
        verify = false;
        const res = (await reader.xread('COUNT', 1000, 'BLOCK', blockMs, 'STREAMS', key.stream, lastId)) as
          [string, [string, string[]][]][] | null;
        failures = 0;
        for (const [id, flat] of res?.[0]?.[1] ?? []) {
          const f = fieldsOf(flat);
          if (f.e !== epoch) {
            // Redis came back empty between two reads and someone already published: start the new stream from its beginning.
            verify = true;
            break;
          }
          dispatchEntry(id, f);
        }
      } catch (err) {
        if (closed) return;
        verify = true;
        const wait = backoffMs(failures++, 100, 2_000);
        if (failures === 1) log.warn('redis bus read failed; retrying', { error: String(err) });
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  try {
    await cmd.connect();
    await syncEpoch();
  } catch (err) {
    // Start anyway: queries and mutations need no Redis, and the loop keeps trying.
    log.warn('redis bus not reachable at start; live updates begin when it is', { error: String(err) });
  }
  // Started by the first listener: a publish-only bus (the Lambda reader) holds no blocked read.
  let loop: Promise<void> | null = null;

  async function add(pairs: string[]): Promise<void> {
    await cmd.eval(
      PUBLISH,
      3,
      key.stream,
      key.epoch,
      key.count,
      randomBytes(6).toString('base64url'),
      maxLen,
      String(opts.dedupeSeconds),
      key.seen,
      ...pairs,
    );
  }

  return {
    epoch: () => epoch,
    async publish(records) {
      if (records.length === 0) return;
      await add(records.flatMap((r) => [r.id, encodeRecord(r)]));
    },
    listen(onEntry, onGap) {
      const l = { onEntry, onGap };
      listeners.add(l);
      loop ??= reader.connect().then(listenLoop, (err: unknown) => {
        log.warn('redis bus reader not connected yet; retrying', { error: String(err) });
        return listenLoop();
      });
      return () => listeners.delete(l);
    },
    replay: (after) => replayAfter(cmd, key, Number(maxLen), epoch, after, log),
    head: () => position(lastId),
    isAfter(a, b) {
      const pa = parsePosition(a);
      const pb = parsePosition(b);
      if (!pa) return false;
      if (!pb) return true;
      if (pa.epoch !== pb.epoch) return pa.epoch === epoch;
      return compareIds(pa.sid, pb.sid) > 0;
    },
    gap(reason) {
      // A marker in the stream reaches every instance in order with the records; retried until it lands.
      const send = async () => {
        for (let attempt = 0; !closed; attempt++) {
          try {
            return await add(['', reason]);
          } catch (err) {
            if (attempt === 0) log.warn('gap marker not published yet; retrying', { error: String(err) });
            await new Promise((r) => setTimeout(r, backoffMs(attempt, 200, 5_000)));
          }
        }
      };
      void send();
    },
    async close() {
      closed = true;
      listeners.clear();
      reader.disconnect();
      await loop;
      await cmd.quit().catch(() => cmd.disconnect());
    },
  };
}
