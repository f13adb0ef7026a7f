import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { requireViewer } from '../../graphql/context.js';
import { followUser as follow } from '../../data/follows/follows.js';
import * as v from '../../graphql/validation.js';

export const followUser: MutationResolvers['followUser'] = (_, { username }, ctx) => {
  const viewer = requireViewer(ctx);
  return follow(ctx, viewer.username, v.username(username));
};
