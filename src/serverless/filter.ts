// The delivery function's event source filter (Lambda event filtering, applied before invoking):
// only records of items that can become events, so the WebSocket's own connection and
// subscription items, the lease, checkpoints and email guards never cost an invocation. An
// allow-list of partition prefixes, because Lambda's filter syntax has `prefix` but no "not prefix".
import { keys } from '../data/keys.js';

export const DELIVERY_FILTER_PATTERN = {
  dynamodb: { Keys: { PK: { S: [{ prefix: keys.game.pkPrefix }, { prefix: keys.user.pkPrefix }, { prefix: keys.reaction.pkPrefix }] } } },
} as const;
