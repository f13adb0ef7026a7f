import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { requireViewer } from '../../graphql/context.js';
import { unfollowUser as unfollow } from '../../data/follows/follows.js';
import * as v from '../../graphql/validation.js';

export const unfollowUser: MutationResolvers['unfollowUser'] = (_, { username }, ctx) => {
  const viewer = requireViewer(ctx);
  return unfollow(ctx, viewer.username, v.username(username));
};
