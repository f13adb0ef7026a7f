import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { requireViewer } from '../../graphql/context.js';
import { startGame as start } from '../../data/games/lobby-writes.js';
import * as v from '../../graphql/validation.js';

export const startGame: MutationResolvers['startGame'] = (_, { gameId }, ctx) => start(ctx, v.gameId(gameId), requireViewer(ctx).username);
