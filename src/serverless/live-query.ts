// @live queries on the serverless flavour: the same runs as the container server's (liveRun: a
// fresh context as the viewer, the table read consistently, every read recorded by the engine),
// the same bound on the read set, the same "same result, no post" and `extensions.live.revision`;
// the state is in the table instead of memory (data/connections/watches.ts).
//
// Snapshot, then stream: a write committed between the first run and its watches' write is found
// by no delivery, so once the watches are written the query runs once more (a new revision only if
// that changed the result). Every run after is the delivery function's (live-delivery.ts), which
// commits a revision with a conditional update before posting it, so two writers never post one
// revision number twice.
import { createHash } from 'node:crypto';
import type { ExecutionResult, GraphQLError } from 'graphql';
import { MessageType, stringifyMessage } from 'graphql-ws';
import type { Viewer } from '../auth.js';
import { removeConnection, removeSubscription } from '../data/connections/removal.js';
import {
  addLiveQuery,
  commitRevision,
  getLiveQuery,
  replaceWatches,
  watchesOf,
  type LiveQueryRecord,
} from '../data/connections/watches.js';
import { ReadSet } from '../data/dynamo/read-set.js';
import { AppError, unauthenticated, UnavailableError } from '../errors.js';
import { contradicts } from '../live/query/index-lag.js';
import { fingerprint } from '../live/query/live-query.js';
import { liveRun } from '../live/query/operation.js';
import { DEFAULT_MAX_LIVE_READS, readSetTooLarge } from '../live/query/registry.js';
import type { ChangeRecord } from '../live/stream/records.js';
import { MAX_MESSAGE_BYTES } from './api.js';
import { contextFor, documentOf, errorMessage } from './execute.js';
import { endConnection, type PostDeps } from './post.js';

export type Trigger = Pick<ChangeRecord, 'keys' | 'oldImage' | 'newImage'>;

export interface LiveDeps extends PostDeps {
  /** Backoff base for UNAVAILABLE and index-lag retries. */
  backoffMs?: number;
}

const ATTEMPTS = 3;
/** Tries of a commit that lost to another writer (read again, run again). */
const COMMITS = 3;

type Run = { result: ExecutionResult; reads: ReadSet } | 'unavailable';

/** Runs the query as its viewer; retries UNAVAILABLE and a run its triggering records contradict (index lag), a bounded number of times. */
async function runLive(deps: LiveDeps, q: LiveQueryRecord, triggers: readonly Trigger[]): Promise<Run> {
  const run = liveRun({
    schema: deps.schema,
    document: documentOf(q.document),
    operationName: q.operationName,
    variableValues: q.variables,
    context: () => contextFor(deps, q.viewer),
  });
  const backoff = deps.backoffMs ?? 50;
  let unavailable = 0;
  let lagging = 0;
  for (;;) {
    const reads = new ReadSet(Math.floor(deps.now().getTime() / 1000));
    const result = await run(reads);
    if ((result.errors ?? []).some((e) => e.extensions?.code === 'UNAVAILABLE')) {
      if (++unavailable >= ATTEMPTS) return 'unavailable';
      await delay(backoff * 2 ** unavailable);
      continue;
    }
    if (triggers.length && contradicts(triggers, reads) && ++lagging < ATTEMPTS) {
      await delay(backoff * 2 ** lagging);
      continue;
    }
    reads.dropItems();
    return { result, reads };
  }
}

const hashOf = (result: ExecutionResult) => createHash('sha256').update(fingerprint(result)).digest('base64url');

function stateOf(q: LiveQueryRecord, result: ExecutionResult, reads: ReadSet): LiveQueryRecord {
  const hash = hashOf(result);
  return {
    ...q,
    revision: hash === q.hash ? q.revision : q.revision + 1,
    hash,
    watches: watchesOf(reads.ranges),
    earliestExpiry: reads.earliestExpiry ?? null,
  };
}

/** The `next` message of one revision, errors shaped as every transport shapes them. */
function revisionMessage(deps: LiveDeps, q: LiveQueryRecord, result: ExecutionResult): string {
  const errors = result.errors?.map((e) => deps.formatError(e));
  const payload = { ...result, ...(errors ? { errors } : {}), extensions: { ...result.extensions, live: { revision: q.revision } } };
  return stringifyMessage({ type: MessageType.Next, id: q.subscriptionId, payload });
}

/** Posts a revision; 'ended' when the live query or its connection ended instead (the post path's rules, as post.ts). */
async function postRevision(deps: LiveDeps, q: LiveQueryRecord, result: ExecutionResult): Promise<'sent' | 'ended'> {
  const { connections, db, logger } = deps;
  const message = revisionMessage(deps, q, result);
  switch (await connections.post(q.callbackUrl, q.connectionId, message)) {
    case 'sent':
      return 'sent';
    case 'gone':
      logger.info('vanished WebSocket client cleaned up', { connectionId: q.connectionId });
      await removeConnection(db, q.connectionId);
      return 'ended';
    case 'throttled':
      logger.warn('WebSocket client too slow: disconnected', { connectionId: q.connectionId });
      return endConnection(deps, q);
    case 'too-large': {
      const bytes = Buffer.byteLength(message);
      const error = new AppError(
        'BAD_USER_INPUT',
        `A result of this live query is ${bytes} bytes, over API Gateway's ${MAX_MESSAGE_BYTES}-byte message limit: select fewer fields.`,
        { limit: 'maxMessageBytes' },
      );
      return end(deps, q, [error]);
    }
  }
}

/** Ends one live query with the protocol's `error` message. */
async function end(deps: LiveDeps, q: LiveQueryRecord, errors: readonly GraphQLError[]): Promise<'ended'> {
  await deps.connections.post(q.callbackUrl, q.connectionId, errorMessage(deps, q.subscriptionId, errors));
  await removeSubscription(deps.db, q.connectionId, q.subscriptionId);
  return 'ended';
}

export interface OpenLiveQuery {
  connectionId: string;
  subscriptionId: string;
  callbackUrl: string;
  viewer: Viewer | null;
  expiresAt: number;
  document: string;
  variables: Record<string, unknown>;
  operationName: string | null;
}

/** The subscribe of a @live query: revision 1 at once, then its item and watches, then the snapshot's check run. */
export async function openLiveQuery(deps: LiveDeps, open: OpenLiveQuery): Promise<'added' | 'duplicate' | 'gone'> {
  const blank: LiveQueryRecord = { ...open, revision: 0, hash: '', watches: [], earliestExpiry: null };
  const ran = await runLive(deps, blank, []);
  if (ran === 'unavailable') {
    await end(deps, blank, [new UnavailableError('live query first run')]);
    return 'gone';
  }
  if (ran.reads.size > DEFAULT_MAX_LIVE_READS) {
    await end(deps, blank, [readSetTooLarge(ran.reads.size, DEFAULT_MAX_LIVE_READS)]);
    return 'gone';
  }
  const first = stateOf(blank, ran.result, ran.reads);
  if ((await postRevision(deps, first, ran.result)) === 'ended') return 'gone';
  const added = await addLiveQuery(deps.db, first);
  if (added === 'added') {
    try {
      await refreshLiveQuery(deps, first, []);
    } catch (err) {
      // The next write it watches re-runs it: a failed check run costs freshness, never the query.
      deps.logger.warn('live query check run failed', { connectionId: open.connectionId, error: String(err) });
    }
  }
  return added;
}

/**
 * One re-run of a stored live query (the delivery function's, or the subscribe's check run):
 * nothing posted when the result is the same; otherwise the watches follow the new read set, the
 * revision is committed (conditionally: a writer that lost reads the item again and runs again),
 * then posted. Throws UNAVAILABLE, so the stream batch is retried.
 */
export async function refreshLiveQuery(deps: LiveDeps, stored: LiveQueryRecord, triggers: readonly Trigger[]): Promise<void> {
  let q = stored;
  for (let attempt = 0; attempt < COMMITS; attempt++) {
    if (q.viewer?.expiresAt !== undefined && q.viewer.expiresAt <= deps.now().getTime()) {
      // The container server closes such a socket with 4403; here: `error`, then the connection goes.
      const expired = unauthenticated('The token has expired. Get a new one.');
      await deps.connections.post(q.callbackUrl, q.connectionId, errorMessage(deps, q.subscriptionId, [expired]));
      await endConnection(deps, q);
      return;
    }
    const ran = await runLive(deps, q, triggers);
    if (ran === 'unavailable') throw new UnavailableError('live query re-run');
    if (ran.reads.size > DEFAULT_MAX_LIVE_READS) {
      await end(deps, q, [readSetTooLarge(ran.reads.size, DEFAULT_MAX_LIVE_READS)]);
      return;
    }
    const next = stateOf(q, ran.result, ran.reads);
    const sameReads = JSON.stringify(next.watches) === JSON.stringify(q.watches) && next.earliestExpiry === q.earliestExpiry;
    if (next.revision === q.revision && sameReads) return;
    // Watches first: a retried batch that finds the revision committed must not find them stale.
    await replaceWatches(deps.db, q, next);
    if (!(await commitRevision(deps.db, q, next))) {
      const current = await getLiveQuery(deps.db, q.connectionId, q.subscriptionId);
      if (!current) return; // completed or disconnected meanwhile
      q = current;
      continue;
    }
    if (next.revision === q.revision) return;
    try {
      await postRevision(deps, next, ran.result);
    } catch (err) {
      // Not posted: put the revision back, so the retried batch posts it.
      await commitRevision(deps.db, next, { ...next, revision: q.revision, hash: q.hash }).catch(() => false);
      throw err;
    }
    return;
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
