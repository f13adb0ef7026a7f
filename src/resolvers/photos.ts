// The photos domain's resolvers (schema/photos.graphql): photos, reactions and follows.
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { followUser } from './Mutation/followUser.js';
import { reactToPhoto } from './Mutation/reactToPhoto.js';
import { removeReaction } from './Mutation/removeReaction.js';
import { unfollowUser } from './Mutation/unfollowUser.js';
import { uploadPhoto } from './Mutation/uploadPhoto.js';
import { Photo } from './Photo.js';
import { photo } from './Query/photo.js';
import { Reaction } from './Reaction.js';
import { UserPhotos } from './UserPhotos.js';

export const photosResolvers: Resolvers = {
  Query: { photo },
  Mutation: { uploadPhoto, reactToPhoto, removeReaction, followUser, unfollowUser },
  Photo,
  Reaction,
  User: UserPhotos,
};
