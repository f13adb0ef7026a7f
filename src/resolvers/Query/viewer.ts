import type { QueryResolvers } from '../../__generated__/resolvers-types.js';
import { getUser } from '../../data/users.js';

export const viewer: QueryResolvers['viewer'] = (_, __, ctx) => (ctx.viewer ? getUser(ctx, ctx.viewer.username) : null);
