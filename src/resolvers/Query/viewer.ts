import type { QueryResolvers } from '../../__generated__/resolvers-types.js';
import { readProfile } from '../profile.js';

export const viewer: QueryResolvers['viewer'] = (_, __, ctx, info) => (ctx.viewer ? readProfile(ctx, ctx.viewer.username, info) : null);
