import type { SubscriptionResolvers } from '../../__generated__/resolvers-types.js';
import { getPhoto } from '../../data/photos/photos.js';
import { notFound } from '../../errors.js';
import { topics } from '../../live/events.js';
import * as v from '../../graphql/validation.js';
import { openFeed, withEventLoaders } from '../live.js';

export const photoReactions: SubscriptionResolvers['photoReactions'] = {
  subscribe: async (_, args, ctx) => {
    const owner = v.username(args.owner, 'owner');
    const timestamp = v.timestamp(args.timestamp);
    if (!(await getPhoto(ctx, owner, timestamp))) throw notFound(`The photo ${owner}/${timestamp}`);
    return openFeed(ctx, topics.photoReactions(owner, timestamp), args.after);
  },
  resolve: withEventLoaders,
};
