import type { ReactionResolvers } from '../../__generated__/resolvers-types.js';
import { getPhoto } from '../../data/photos/photos.js';
import { getUser } from '../../data/users/users.js';
import { orNotFound } from './Photo.js';

export const Reaction: ReactionResolvers = {
  user: async (r, _, ctx) => orNotFound(await getUser(ctx, r.user), `The user ${r.user} who reacted`),
  photo: async (r, _, ctx) => orNotFound(await getPhoto(ctx, r.owner, r.photoTimestamp), `The photo ${r.owner}/${r.photoTimestamp}`),
};
