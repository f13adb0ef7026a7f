// Reading a user for Query.user and Query.viewer: a profile with the first page of its followers
// or of its photos is one Query (src/data/users/profile.ts), not a read of the user and then a Query
// of the list. Only for a single such list, without `after` and with a valid, non-zero `first`;
// otherwise the user is read by key and each list reads itself (and refuses a bad `first` itself).
import type { GraphQLResolveInfo } from 'graphql';
import type { Context } from '../graphql/context.js';
import { viewUserWithFollowers } from '../data/follows/follows.js';
import { isPageSize } from '../data/dynamo/pagination.js';
import { DEFAULT_PAGE_SIZE } from '../page-size.js';
import { viewUserWithPhotos } from '../data/photos/photos.js';
import { getUser, type UserRecord } from '../data/users/users.js';
import { childArguments } from './selection.js';

export function readProfile(ctx: Context, username: string, info: GraphQLResolveInfo): Promise<UserRecord | null> {
  const followers = childArguments(info, 'followers');
  const photos = childArguments(info, 'photos');
  const [only] = [...followers, ...photos];
  if (followers.length + photos.length !== 1 || !only || only.after || !isPageSize(only.first) || only.first === 0)
    return getUser(ctx, username);
  const first = only.first ?? DEFAULT_PAGE_SIZE;
  return followers.length ? viewUserWithFollowers(ctx, username, first) : viewUserWithPhotos(ctx, username, first);
}
