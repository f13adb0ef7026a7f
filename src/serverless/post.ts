// One event to one subscriber, from the delivery function (fan-out.ts) or from a subscription's
// catch-up: the event runs through the subscriber's selection and is posted to its connection.
// Where a catch-up may race the delivery function, the post is claimed on the subscriber item
// first (its `last_pos` moved forward only if it is behind): a claim that fails means the event
// was posted already, so neither writer posts it twice. A post that fails ends the connection: its
// client reconnects and resumes from its cursor (the replay window), so nothing is lost or sent twice.
import { keys } from '../data/keys.js';
import { claimDelivery, claimResync, releaseResync } from '../data/connections/replay.js';
import type { SubscriptionRecord } from '../data/connections/connections.js';
import { removeConnection, removeSubscription } from '../data/connections/removal.js';
import type { Db } from '../data/dynamo/db.js';
import { AppError, unauthenticated } from '../errors.js';
import type { Delivery } from '../live/feed.js';
import type { Logger } from '../log.js';
import { MAX_MESSAGE_BYTES, type Connections } from './api.js';
import { closingError } from './close-codes.js';
import { errorMessage, eventMessage, type Executor } from './execute.js';
import type { SharedResults } from './shared-results.js';

export interface PostDeps extends Executor {
  db: Db;
  connections: Connections;
  logger: Logger;
  now: () => Date;
}

/** 'posted'; 'skipped' when it was posted already; 'ended' when the subscription or its connection ended instead. */
export type PostResult = 'posted' | 'skipped' | 'ended';

export interface PostOptions {
  /** The event's results shared among its subscribers (shared-results.ts), when there are several. */
  shared?: SharedResults;
  /** Claim the post on the subscriber item first: another writer may post this event to it. */
  claim: boolean;
}

export async function postEvent(
  deps: PostDeps,
  s: SubscriptionRecord,
  d: Delivery,
  position: string,
  opts: PostOptions,
): Promise<PostResult> {
  const { db, connections, logger } = deps;
  if (s.lastPosition !== null && s.lastPosition >= position) return 'skipped';
  if (s.viewer?.expiresAt !== undefined && s.viewer.expiresAt <= deps.now().getTime()) {
    // The container server closes such a socket with 4403; here: `error`, then the connection goes.
    const expired = unauthenticated('The token has expired. Get a new one.');
    await connections.post(s.callbackUrl, s.connectionId, errorMessage(deps, s.subscriptionId, [closingError(expired, 4403)]));
    return endConnection(deps, s);
  }
  const message = await eventMessage(deps, s, d, opts.shared);
  const key = keys.ws.topicSubscriber(s.topic, s.connectionId, s.subscriptionId);
  if (opts.claim && !(await claimDelivery(db, key, position))) return 'skipped';
  let outcome;
  try {
    outcome = await connections.post(s.callbackUrl, s.connectionId, message);
  } catch (err) {
    // After the SDK's retries: the client resumes from its cursor on a new connection instead.
    logger.warn('post to a WebSocket client failed: disconnected, so it resumes', { connectionId: s.connectionId, error: String(err) });
    return endConnection(deps, s);
  }
  switch (outcome) {
    case 'sent':
      return 'posted';
    case 'gone':
      logger.info('vanished WebSocket client cleaned up', { connectionId: s.connectionId });
      await removeConnection(db, s.connectionId);
      return 'ended';
    case 'throttled':
      // A client that cannot keep up must not hold back its shard (the container server's slow
      // reader gets RESYNC): it is disconnected, and reconnects to resume.
      logger.warn('WebSocket client too slow: disconnected', { connectionId: s.connectionId });
      return endConnection(deps, s);
    case 'too-large': {
      const bytes = Buffer.byteLength(message);
      const error = new AppError(
        'BAD_USER_INPUT',
        `An event of this subscription is ${bytes} bytes, over API Gateway's ${MAX_MESSAGE_BYTES}-byte message limit: select fewer fields.`,
        { limit: 'maxMessageBytes' },
      );
      await connections.post(s.callbackUrl, s.connectionId, errorMessage(deps, s.subscriptionId, [error]));
      await removeSubscription(db, s.connectionId, s.subscriptionId);
      return 'ended';
    }
  }
}

/**
 * Posts a RESYNC once per `claim` (an id of the gap it stands for: a given-up batch, an event a
 * failed attempt may or may not have posted), claimed on the subscriber item, not by position: it
 * may follow later events. A vanished or stuck client is removed as above.
 */
export async function postResync(deps: PostDeps, s: SubscriptionRecord, d: Delivery, claim: string): Promise<void> {
  // An expired token's subscription is ended by the delivery function at its next event.
  if (s.viewer?.expiresAt !== undefined && s.viewer.expiresAt <= deps.now().getTime()) return;
  const message = await eventMessage(deps, s, d);
  const key = keys.ws.topicSubscriber(s.topic, s.connectionId, s.subscriptionId);
  if (!(await claimResync(deps.db, key, claim))) return;
  let outcome;
  try {
    outcome = await deps.connections.post(s.callbackUrl, s.connectionId, message);
  } catch (err) {
    await releaseResync(deps.db, key, claim); // so the retry posts it
    throw err;
  }
  if (outcome === 'gone') await removeConnection(deps.db, s.connectionId);
  if (outcome === 'throttled') await endConnection(deps, s);
}

/** Closes a client's socket and deletes everything of its connection (subscriptions and live queries alike). */
export async function endConnection(
  deps: Pick<PostDeps, 'connections' | 'db'>,
  c: { callbackUrl: string; connectionId: string },
): Promise<'ended'> {
  await deps.connections.disconnect(c.callbackUrl, c.connectionId);
  await removeConnection(deps.db, c.connectionId);
  return 'ended';
}
