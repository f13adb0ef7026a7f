// The users domain's resolvers (schema/users.graphql).
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { createUser } from './Mutation/createUser.js';
import { updateUser } from './Mutation/updateUser.js';
import { user } from './Query/user.js';
import { userByEmail } from './Query/userByEmail.js';
import { users } from './Query/users.js';
import { viewer } from './Query/viewer.js';
import { User } from './User.js';

export const usersResolvers: Resolvers = {
  Query: { user, userByEmail, users, viewer },
  Mutation: { createUser, updateUser },
  User,
};
