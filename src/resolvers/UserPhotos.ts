// The fields schema/photos.graphql adds to User.
import type { UserResolvers } from '../__generated__/resolvers-types.js';
import { listFollowers, listFollowing } from '../data/follows/follows.js';
import { getPhotoBySk, listUserPhotos } from '../data/photos/photos.js';

export const UserPhotos: UserResolvers = {
  pinnedPhoto: (u, _, ctx) => (u.pinnedImage ? getPhotoBySk(ctx, u.pinnedImage) : null),
  photos: (u, args, ctx) => listUserPhotos(ctx, u, args),
  followers: (u, args, ctx) => listFollowers(ctx, u.username, args),
  following: (u, args, ctx) => listFollowing(ctx, u.username, args),
};
