import type { SubscriptionResolvers } from '../../__generated__/resolvers-types.js';
import { topics } from '../../live/events.js';
import * as v from '../../graphql/validation.js';
import { openFeed, withEventLoaders } from '../live.js';

export const openGamesChanged: SubscriptionResolvers['openGamesChanged'] = {
  subscribe: (_, { map, after }, ctx) => openFeed(ctx, topics.openGames(map == null ? null : v.map(map)), after),
  resolve: withEventLoaders,
};
