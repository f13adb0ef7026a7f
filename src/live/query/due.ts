// When live-query runs start. Runs that start in one timer callback form one read wave and share
// their DynamoDB reads (data/dynamo/wave.ts), so runs due at about the same moment are started
// together: fifty watchers of a lobby that last ran a few milliseconds apart are held back by the
// throttle to slightly different moments, and would otherwise start in several waves.
//
// A run due now joins the next turn's batch. A throttled run (due later) joins the latest batch
// due no sooner than it may run and at most `slackMs` after; otherwise it opens a batch `slackMs`
// after its moment, for later ones to join. So a run is never started before its throttle allows,
// and at most `slackMs` after.

/** The least slack; a registry uses a tenth of its throttle when that is more (registry.ts). */
export const SLACK_MS = 10;

/** Calls `run` after `ms`; returns a function that cancels it. */
export type Defer = (ms: number, run: () => void) => () => void;

/** One timer per distinct moment, never shared: for a live query outside a registry. */
export const deferAlone: Defer = (ms, run) => {
  const t = setTimeout(run, ms);
  return () => clearTimeout(t);
};

interface Batch {
  at: number;
  runs: Set<() => void>;
  timer: NodeJS.Timeout;
}

/** A registry's scheduler: batches of runs, each batch started in one timer callback. */
export function createDue(slackMs = SLACK_MS): { defer: Defer; clear(): void } {
  let now: Batch | undefined;
  let latest: Batch | undefined;
  const batches = new Set<Batch>();

  const open = (at: number, ms: number): Batch => {
    const batch: Batch = {
      at,
      runs: new Set(),
      timer: setTimeout(() => {
        batches.delete(batch);
        if (now === batch) now = undefined;
        if (latest === batch) latest = undefined;
        for (const run of batch.runs) run();
      }, ms),
    };
    batches.add(batch);
    return batch;
  };

  const defer: Defer = (ms, run) => {
    let batch: Batch;
    if (ms <= 0) batch = now ??= open(performance.now(), 0);
    else {
      const want = performance.now() + ms;
      if (latest && latest.at >= want && latest.at <= want + slackMs) batch = latest;
      else batch = latest = open(want + slackMs, ms + slackMs);
    }
    // Each deferral is its own entry, so cancelling one leaves the others of its batch.
    const entry = () => run();
    batch.runs.add(entry);
    return () => {
      batch.runs.delete(entry);
      if (batch.runs.size > 0 || !batches.has(batch)) return;
      clearTimeout(batch.timer);
      batches.delete(batch);
      if (now === batch) now = undefined;
      if (latest === batch) latest = undefined;
    };
  };

  return {
    defer,
    clear() {
      for (const b of batches) clearTimeout(b.timer);
      batches.clear();
      now = latest = undefined;
    },
  };
}
