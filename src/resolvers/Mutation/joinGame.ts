import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { requireViewer } from '../../graphql/context.js';
import { joinGame as join } from '../../data/games/lobby-writes.js';
import * as v from '../../graphql/validation.js';

export const joinGame: MutationResolvers['joinGame'] = (_, { gameId }, ctx) => join(ctx, v.gameId(gameId), requireViewer(ctx).username);
