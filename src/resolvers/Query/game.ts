import type { QueryResolvers } from '../../__generated__/resolvers-types.js';
import { viewGame } from '../../data/games/reads.js';
import * as v from '../../graphql/validation.js';

export const game: QueryResolvers['game'] = (_, { id }, ctx) => viewGame(ctx, v.gameId(id, 'id'));
