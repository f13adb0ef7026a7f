// The fields schema/games.graphql adds to User.
import type { UserResolvers } from '../__generated__/resolvers-types.js';
import { findUserGames } from '../data/games/list-reads.js';

export const UserGames: UserResolvers = {
  games: (u, args, ctx) => findUserGames(ctx, u.username, args),
};
