// Exactly one stream reader per table among N servers: a server runs its reader only while it
// holds the lease item in the table (src/data/live/lease.ts). The holder renews it every
// `renewMs`; the others try again as soon as it would lapse, so a holder that dies is replaced
// about `leaseMs` after its last renewal. A holder that cannot renew (DynamoDB unreachable) stops
// its reader before its lease can lapse, so two readers overlap only across clock skew, and
// even then a record published twice is dropped by the bus. stop() releases the lease at once.
import type { Db } from '../data/dynamo/db.js';
import { acquireLease, readLease, releaseLease } from '../data/live/lease.js';
import type { Logger } from '../log.js';
import type { StreamReader, StreamReaderStatus } from './stream/reader.js';

export interface LeasedReaderOptions {
  db: Db;
  /** Unique per process: whoever's name is in the lease item reads the stream. */
  holder: string;
  leaseMs: number;
  renewMs: number;
  logger: Logger;
  /** A fresh reader for each term of holding the lease (it loads the checkpoints when started). */
  createReader(): StreamReader;
}

export interface LeasedReader extends StreamReader {
  holding(): boolean;
}

export function createLeasedReader(opts: LeasedReaderOptions): LeasedReader {
  const { db, holder, leaseMs, renewMs, logger: log } = opts;
  let reader: StreamReader | null = null;
  let renewedAt = 0;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let busy: Promise<void> = Promise.resolve();
  const calls: Record<string, number> = {};

  async function startReading(): Promise<void> {
    const r = opts.createReader();
    reader = r;
    try {
      await r.start();
      log.info('stream lease taken: this instance reads the stream', { holder });
    } catch (err) {
      reader = null;
      await r.stop().catch(() => undefined);
      throw err;
    }
  }

  async function stopReading(why: string): Promise<void> {
    const r = reader;
    reader = null;
    if (!r) return;
    log.warn('stream reader stopped', { holder, why });
    Object.entries(r.status().calls).forEach(([k, v]) => (calls[k] = (calls[k] ?? 0) + v));
    await r.stop();
  }

  /** One round: take or renew the lease, start or stop the reader to match; returns when to run again. */
  async function tick(): Promise<number> {
    const now = Date.now();
    let got: boolean | null;
    try {
      got = await acquireLease(db, holder, now, leaseMs);
    } catch (err) {
      got = null;
      log.warn('stream lease not renewed: DynamoDB did not answer', { error: String(err) });
    }
    if (got) {
      renewedAt = now;
      if (!reader) await startReading();
      return renewMs;
    }
    // Lost, or unknown while the lease may lapse: stop before someone else can rightly start.
    if (reader && (got === false || Date.now() >= renewedAt + leaseMs - renewMs))
      await stopReading(got === false ? 'another instance holds the lease' : 'the lease could not be renewed');
    if (got === false) {
      // Try again right when the current holder's lease would lapse, not a whole renewal later.
      const lease = await readLease(db).catch(() => null);
      if (lease) return Math.max(50, Math.min(renewMs, lease.expiresAt - Date.now() + 20));
    }
    return renewMs;
  }

  function schedule(ms: number) {
    if (stopped) return;
    timer = setTimeout(() => {
      busy = tick()
        .catch((err) => {
          log.error('stream lease round failed', { error: String(err) });
          return renewMs;
        })
        .then(schedule);
    }, ms);
  }

  return {
    holding: () => reader !== null,
    async start() {
      // The first round runs before start resolves: a lone server is reading when it starts listening.
      const next = await tick().catch((err) => {
        log.error('stream lease round failed', { error: String(err) });
        return renewMs;
      });
      schedule(next);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await busy;
      const had = reader !== null;
      await stopReading('the server is stopping');
      // Released only after the reader stopped (its last checkpoint saved), so the successor starts after it.
      if (had)
        await releaseLease(db, holder).catch((err) => log.warn('stream lease not released; it lapses on its own', { error: String(err) }));
    },
    status(): StreamReaderStatus {
      const s = reader?.status();
      const all = { ...calls };
      for (const [k, v] of Object.entries(s?.calls ?? {})) all[k] = (all[k] ?? 0) + v;
      return { shards: s?.shards ?? 0, lagMs: s?.lagMs ?? null, lastPollAt: s?.lastPollAt ?? null, calls: all };
    },
  };
}
