import type { PhotoResolvers } from '../__generated__/resolvers-types.js';
import { getUserReactions, listPhotoReactions } from '../data/photos/photos.js';
import { getUser } from '../data/users/users.js';
import { photoId } from '../graphql/ids.js';
import { referenced } from './reference.js';

export const Photo: PhotoResolvers = {
  id: (p) => photoId(p.owner, p.timestamp),
  owner: (p, _, ctx) =>
    p.ownerUser ?? getUser(ctx, p.owner).then((u) => referenced(u, () => `The owner ${p.owner} of photo ${p.owner}/${p.timestamp}`)),
  reactions: (p, args, ctx) => listPhotoReactions(ctx, p.owner, p.timestamp, args),
  viewerReactions: (p, _, ctx) => (ctx.viewer ? getUserReactions(ctx, ctx.viewer.username, p.owner, p.timestamp) : []),
};
