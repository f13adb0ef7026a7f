import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { requireViewer } from '../../graphql/context.js';
import { reactToPhoto as react } from '../../data/photos/writes.js';
import * as v from '../../graphql/validation.js';

export const reactToPhoto: MutationResolvers['reactToPhoto'] = (_, { owner, timestamp, type }, ctx) => {
  const { username } = requireViewer(ctx);
  return react(ctx, username, v.username(owner, 'owner'), v.timestamp(timestamp), type);
};
