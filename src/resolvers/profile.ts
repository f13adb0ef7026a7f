// Reading a user for Query.user and Query.viewer: a profile with the first page of its followers
// or of its photos is one Query (src/data/users/profile.ts), not a read of the user and then a Query
// of the list. Only for a single such list, without `after` and with a valid, non-zero `first`;
// otherwise the user is read by key. Every selected list the user's read does not bring (a later
// page, a second list, `following` on its index) starts its own read beside the user's
// (src/data/dynamo/read-ahead.ts), so the list does not wait for the user: one wave, not two.
// A list with a `first` it would refuse is left to its resolver, which refuses it.
import type { GraphQLResolveInfo } from 'graphql';
import type { Context } from '../graphql/context.js';
import { startFollowers, startFollowing, viewUserWithFollowers } from '../data/follows/follows.js';
import { isPageSize, type PageArgs } from '../data/dynamo/pagination.js';
import { DEFAULT_PAGE_SIZE } from '../page-size.js';
import { startPhotos, viewUserWithPhotos } from '../data/photos/photos.js';
import { getUser, type UserRecord } from '../data/users/users.js';
import { childArguments, pageArguments } from './selection.js';

export function readProfile(ctx: Context, username: string, info: GraphQLResolveInfo): Promise<UserRecord | null> {
  const followers = childArguments(info, 'followers');
  const photos = childArguments(info, 'photos');
  const [only] = [...followers, ...photos];
  const head = followers.length + photos.length === 1 && only && !only.after && isPageSize(only.first) && only.first !== 0;
  for (const args of followers) if (!head) startIfValid(args, (a) => startFollowers(ctx, username, a));
  for (const args of photos) if (!head) startIfValid(args, (a) => startPhotos(ctx, username, a));
  for (const args of childArguments(info, 'following')) startIfValid(args, (a) => startFollowing(ctx, username, a));
  if (!head) return getUser(ctx, username);
  const first = (only.first as number | null | undefined) ?? DEFAULT_PAGE_SIZE;
  return followers.length ? viewUserWithFollowers(ctx, username, first) : viewUserWithPhotos(ctx, username, first);
}

function startIfValid(args: Record<string, unknown>, start: (a: PageArgs) => void): void {
  const page = pageArguments(args);
  if (page) start(page);
}
