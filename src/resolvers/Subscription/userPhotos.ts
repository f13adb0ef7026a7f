import type { SubscriptionResolvers } from '../../__generated__/resolvers-types.js';
import { getUser } from '../../data/users/users.js';
import { notFound } from '../../errors.js';
import { topics } from '../../live/events.js';
import * as v from '../../graphql/validation.js';
import { openFeed, withEventLoaders } from '../live.js';

export const userPhotos: SubscriptionResolvers['userPhotos'] = {
  subscribe: async (_, args, ctx) => {
    const username = v.username(args.username);
    if (!(await getUser(ctx, username))) throw notFound(`The user ${username}`);
    return openFeed(ctx, topics.userPhotos(username), args.after);
  },
  resolve: withEventLoaders,
};
