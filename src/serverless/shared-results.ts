// One event's results, shared by the subscribers whose result must be the same: a subscriber's
// result depends only on the event, the table's data, its operation (document, operation name,
// variables) and, if some resolver asks, its viewer. So the first run of an operation watches
// whether any resolver reads `viewer` from the context: if none did, every subscriber with that
// operation gets the same result, whoever they are; if one did, only subscribers with the very
// same viewer share it. A 1,000-subscriber game then costs one execution, not 1,000, per event,
// and what each subscriber receives is byte for byte what its own run would have made.
import type { ExecutionResult, FormattedExecutionResult } from 'graphql';
import type { Viewer } from '../auth.js';
import type { SubscriptionRecord } from '../data/connections/connections.js';
import type { Context } from '../graphql/context.js';

type Subscriber = Pick<SubscriptionRecord, 'document' | 'variables' | 'operationName' | 'viewer'>;

/** One execution: its result (errors already formatted) and whether it read the viewer. */
export interface Run {
  payload: ExecutionResult | FormattedExecutionResult;
  viewerRead: boolean;
}

/** Makes `viewer` a getter that notes its first read (a spread of the context counts as a read). */
export function watchViewer(ctx: Context): { readonly read: boolean } {
  const viewer = ctx.viewer;
  const seen = { read: false };
  Object.defineProperty(ctx, 'viewer', {
    enumerable: true,
    configurable: true,
    get: () => ((seen.read = true), viewer),
  });
  return seen;
}

export class SharedResults {
  /** The first run of each operation. */
  private readonly first = new Map<string, Promise<Run>>();
  /** Runs of operations that read the viewer, per operation and viewer. */
  private readonly perViewer = new Map<string, Promise<Run>>();

  /** The subscriber's result, from a run it may share; `run` executes it as this subscriber's viewer. */
  async resultFor(s: Subscriber, run: () => Promise<Run>): Promise<Run['payload']> {
    const op = JSON.stringify([s.document, s.operationName, s.variables]);
    const viewer = viewerKey(s.viewer);
    let first = this.first.get(op);
    if (!first) {
      first = run();
      this.first.set(op, first);
      // The first run is this viewer's own, whatever it reads.
      this.perViewer.set(JSON.stringify([op, viewer]), first);
    }
    const shared = await first;
    if (!shared.viewerRead) return shared.payload;
    const key = JSON.stringify([op, viewer]);
    let own = this.perViewer.get(key);
    if (!own) this.perViewer.set(key, (own = run()));
    return (await own).payload;
  }
}

// Every field of the stored viewer: a resolver may read any of them.
const viewerKey = (v: Viewer | null) => (v ? [v.username, v.role, v.expiresAt ?? null] : null);
