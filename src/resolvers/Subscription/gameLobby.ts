import type { SubscriptionResolvers } from '../../__generated__/resolvers-types.js';
import { getGame } from '../../data/games/game-reads.js';
import { notFound } from '../../errors.js';
import { topics } from '../../live/events.js';
import * as v from '../../graphql/validation.js';
import { openFeed, withEventLoaders } from '../live.js';

export const gameLobby: SubscriptionResolvers['gameLobby'] = {
  subscribe: async (_, { gameId, after }, ctx) => {
    const id = v.gameId(gameId);
    if (!(await getGame(ctx, id))) throw notFound(`The game ${id}`);
    return openFeed(ctx, topics.game(id), after);
  },
  resolve: withEventLoaders,
};
