import type { QueryResolvers } from '../../__generated__/resolvers-types.js';
import { getPhoto } from '../../data/photos/photos.js';
import * as v from '../../graphql/validation.js';

export const photo: QueryResolvers['photo'] = (_, { owner, timestamp }, ctx) =>
  getPhoto(ctx, v.username(owner, 'owner'), v.timestamp(timestamp));
