import type { QueryResolvers } from '../../__generated__/resolvers-types.js';
import { findGamesByMap } from '../../data/games/list-reads.js';
import * as v from '../../graphql/validation.js';

export const gamesByMap: QueryResolvers['gamesByMap'] = (_, { map, from, to, ...page }, ctx) =>
  findGamesByMap(
    ctx,
    v.map(map),
    { from: from == null ? null : v.timestamp(from, 'from'), to: to == null ? null : v.timestamp(to, 'to') },
    page,
  );
