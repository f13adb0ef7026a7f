import type { QueryResolvers } from '../../__generated__/resolvers-types.js';
import * as v from '../../graphql/validation.js';
import { readGame } from '../game-read.js';

export const game: QueryResolvers['game'] = (_, { id }, ctx, info) => readGame(ctx, v.gameId(id, 'id'), info);
