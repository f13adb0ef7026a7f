// One event to one subscriber, from the delivery function or from a subscription's catch-up: the
// event runs through the subscriber's selection, the subscriber item is claimed (its `last_pos`
// moved forward only if it is behind), then the message is posted. A claim that fails means the
// event was posted already, so no writer ever posts it twice.
import { keys } from '../data/keys.js';
import { claimDelivery, releaseClaim } from '../data/connections/replay.js';
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

/** `shared`: the event's results shared among its subscribers (shared-results.ts), when there are several. */
export async function postEvent(
  deps: PostDeps,
  s: SubscriptionRecord,
  d: Delivery,
  position: string,
  shared?: SharedResults,
): Promise<PostResult> {
  const { db, connections, logger } = deps;
  if (s.lastPosition !== null && s.lastPosition >= position) return 'skipped';
  if (s.viewer?.expiresAt !== undefined && s.viewer.expiresAt <= deps.now().getTime()) {
    // The container server closes such a socket with 4403; here: `error`, then the connection goes.
    const expired = unauthenticated('The token has expired. Get a new one.');
    await connections.post(s.callbackUrl, s.connectionId, errorMessage(deps, s.subscriptionId, [closingError(expired, 4403)]));
    await connections.disconnect(s.callbackUrl, s.connectionId);
    await removeConnection(db, s.connectionId);
    return 'ended';
  }
  const message = await eventMessage(deps, s, d, shared);
  const key = keys.ws.topicSubscriber(s.topic, s.connectionId, s.subscriptionId);
  if (!(await claimDelivery(db, key, position))) return 'skipped';
  let outcome;
  try {
    outcome = await connections.post(s.callbackUrl, s.connectionId, message);
  } catch (err) {
    await releaseClaim(db, key, position, s.lastPosition); // so the retried record posts it
    throw err;
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
      await connections.disconnect(s.callbackUrl, s.connectionId);
      await removeConnection(db, s.connectionId);
      return 'ended';
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
