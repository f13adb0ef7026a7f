import type { SubscriptionResolvers } from '../../__generated__/resolvers-types.js';
import { topics } from '../../live/events.js';
import { requireViewer } from '../../graphql/context.js';
import { openFeed, withEventLoaders } from '../live.js';

export const viewerFollowers: SubscriptionResolvers['viewerFollowers'] = {
  subscribe: (_, { after }, ctx) => openFeed(ctx, topics.followers(requireViewer(ctx).username), after),
  resolve: withEventLoaders,
};
