import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { requireViewer } from '../../graphql/context.js';
import { createGame as create } from '../../data/games/lobby-writes.js';
import * as v from '../../graphql/validation.js';

export const createGame: MutationResolvers['createGame'] = (_, { input }, ctx) =>
  create(ctx, v.map(input.map), requireViewer(ctx).username);
