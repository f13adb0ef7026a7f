import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { requireViewer } from '../../graphql/context.js';
import { endGame as end } from '../../data/games/result-writes.js';
import * as v from '../../graphql/validation.js';

export const endGame: MutationResolvers['endGame'] = (_, { gameId }, ctx) => end(ctx, requireViewer(ctx), v.gameId(gameId));
