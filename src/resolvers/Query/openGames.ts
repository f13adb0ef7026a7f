import type { QueryResolvers } from '../../__generated__/resolvers-types.js';
import { findOpenGames, findOpenGamesByMap } from '../../data/games/list-reads.js';
import * as v from '../../graphql/validation.js';

export const openGames: QueryResolvers['openGames'] = (_, { map, ...page }, ctx) =>
  map == null ? findOpenGames(ctx, page) : findOpenGamesByMap(ctx, v.map(map), page);
