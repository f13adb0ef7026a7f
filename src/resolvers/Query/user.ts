import type { QueryResolvers } from '../../__generated__/resolvers-types.js';
import { viewUserWithFollowers } from '../../data/follows.js';
import { isPageSize } from '../../data/pagination.js';
import { getUser } from '../../data/users.js';
import * as v from '../../validation.js';
import { childArguments } from '../selection.js';

// A profile with its followers' first page is one Query, not a read of the user and then a Query
// of its followers; with `after`, with first: 0, or with several followers selections, the user
// is read by key and each list reads itself. An invalid `first` is left for User.followers to refuse.
export const user: QueryResolvers['user'] = (_, { username }, ctx, info) => {
  const name = v.username(username);
  const followers = childArguments(info, 'followers');
  const only = followers.length === 1 ? followers[0]! : undefined;
  if (only && !only.after && isPageSize(only.first) && only.first !== 0) return viewUserWithFollowers(ctx, name, { first: only.first });
  return getUser(ctx, name);
};
