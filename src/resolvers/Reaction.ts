import type { ReactionResolvers } from '../__generated__/resolvers-types.js';
import { getPhoto } from '../data/photos.js';
import { getUser } from '../data/users.js';
import { notFound } from '../errors.js';

export const Reaction: ReactionResolvers = {
  user: async (r, _, ctx) => (await getUser(ctx, r.user)) ?? Promise.reject(notFound(`The user ${r.user} who reacted`)),
  photo: async (r, _, ctx) => (await getPhoto(ctx, r.owner, r.photoTimestamp)) ?? Promise.reject(notFound(`The photo ${r.owner}/${r.photoTimestamp}`)),
};
