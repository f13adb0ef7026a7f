import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { requireViewer } from '../../graphql/context.js';
import { removeReaction as remove } from '../../data/photos/writes.js';
import * as v from '../../graphql/validation.js';

export const removeReaction: MutationResolvers['removeReaction'] = (_, { owner, timestamp, type }, ctx) => {
  const { username } = requireViewer(ctx);
  return remove(ctx, username, v.username(owner, 'owner'), v.timestamp(timestamp), type);
};
