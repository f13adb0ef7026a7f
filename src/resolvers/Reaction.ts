import type { ReactionResolvers } from '../__generated__/resolvers-types.js';
import { getPhoto } from '../data/photos/photos.js';
import { getUser } from '../data/users/users.js';
import { reactionId } from '../graphql/ids.js';
import { referenced } from './reference.js';

export const Reaction: ReactionResolvers = {
  id: (r) => reactionId(r.user, r.type, r.owner, r.photoTimestamp),
  user: async (r, _, ctx) => referenced(await getUser(ctx, r.user), () => `The user ${r.user} who reacted`),
  photo: async (r, _, ctx) => referenced(await getPhoto(ctx, r.owner, r.photoTimestamp), () => `The photo ${r.owner}/${r.photoTimestamp}`),
};
