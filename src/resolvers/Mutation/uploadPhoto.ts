import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { requireViewer } from '../../graphql/context.js';
import { uploadPhoto as upload } from '../../data/photos/writes.js';
import * as v from '../../graphql/validation.js';

export const uploadPhoto: MutationResolvers['uploadPhoto'] = (_, { input }, ctx) => {
  const { username } = requireViewer(ctx);
  return upload(ctx, username, v.location(input.location));
};
