import type { QueryResolvers } from '../../__generated__/resolvers-types.js';
import { getUser } from '../../data/users.js';
import * as v from '../../validation.js';

export const user: QueryResolvers['user'] = (_, { username }, ctx) => getUser(ctx, v.username(username));
