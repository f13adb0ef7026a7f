// The step from the table's stream to the bus, the same whichever reader runs (the one-process
// reader, the lease holder, the Lambda reader): drop the live layer's own bookkeeping (lease
// renewals and checkpoints are writes to the table too, and would otherwise reach the bus and keep
// the reader busy with its own echo), publish the rest, then remove the players of a game that
// was removed. It also sets live_stream_lag_seconds, so the gauge means the same in every topology.
import type { Db } from '../data/dynamo/db.js';
import { isLiveBookkeeping } from '../data/live/lease.js';
import type { Logger } from '../log.js';
import { live as metrics } from '../observe/metrics.js';
import type { Bus } from './bus.js';
import { isGameRemoval, sweepPlayers } from './sweep.js';
import type { ChangeRecord } from './stream/records.js';

/** Publishes a batch; resolves to the records published (bookkeeping left out). Rejects so the caller retries the batch. */
export async function publishRecords(bus: Bus, db: Db, logger: Logger, records: readonly ChangeRecord[]): Promise<ChangeRecord[]> {
  const real = records.filter((r) => !isLiveBookkeeping(r.keys));
  if (real.length > 0) {
    await bus.publish(real);
    await Promise.all(real.filter(isGameRemoval).map((r) => sweepPlayers(db, r, logger)));
  }
  // Bookkeeping records count too: the lease's renewals keep the gauge fresh while the table is quiet.
  if (records.length > 0) metrics.streamLag(Math.max(0, Date.now() - Math.max(...records.map((r) => r.approximateTime))) / 1000);
  return real;
}
