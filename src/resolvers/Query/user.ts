import type { QueryResolvers } from '../../__generated__/resolvers-types.js';
import * as v from '../../graphql/validation.js';
import { readProfile } from '../profile.js';

export const user: QueryResolvers['user'] = (_, { username }, ctx, info) => readProfile(ctx, v.username(username), info);
