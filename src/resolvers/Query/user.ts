import type { QueryResolvers } from '../../__generated__/resolvers-types.js';
import { viewUserWithFollowers } from '../../data/follows.js';
import { DEFAULT_PAGE_SIZE, isPageSize } from '../../data/pagination.js';
import { viewUserWithPhotos } from '../../data/photos.js';
import { getUser } from '../../data/users.js';
import * as v from '../../validation.js';
import { childArguments } from '../selection.js';

// A profile with the first page of its followers or of its photos is one Query (src/data/profile.ts),
// not a read of the user and then a Query of the list. Only for a single such list, without
// `after` and with a valid, non-zero `first`; otherwise the user is read by key and each list
// reads itself (and refuses a bad `first` itself).
export const user: QueryResolvers['user'] = (_, { username }, ctx, info) => {
  const name = v.username(username);
  const followers = childArguments(info, 'followers');
  const photos = childArguments(info, 'photos');
  const [only] = [...followers, ...photos];
  if (followers.length + photos.length !== 1 || !only || only.after || !isPageSize(only.first) || only.first === 0) return getUser(ctx, name);
  const first = only.first ?? DEFAULT_PAGE_SIZE;
  return followers.length ? viewUserWithFollowers(ctx, name, first) : viewUserWithPhotos(ctx, name, first);
};
