import type { QueryResolvers } from '../../../__generated__/resolvers-types.js';
import { findUserByEmail } from '../../../data/users/users.js';
import * as v from '../../validation.js';

export const userByEmail: QueryResolvers['userByEmail'] = (_, { email }, ctx) => findUserByEmail(ctx, v.email(email));
