import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { requireSelf } from '../../graphql/context.js';
import { createUser as create } from '../../data/users/writes.js';
import * as v from '../../graphql/validation.js';

export const createUser: MutationResolvers['createUser'] = (_, { input }, ctx) => {
  const username = v.username(input.username);
  requireSelf(ctx, username, 'create this profile');
  return create(ctx, {
    username,
    name: v.text(input.name, 'name', 100),
    email: v.email(input.email),
    birthdate: input.birthdate == null ? null : v.birthdate(input.birthdate),
    address: input.address == null ? null : v.text(input.address, 'address', 300),
    status: input.status == null ? null : v.text(input.status, 'status', 280),
    interests: input.interests == null ? null : v.list(input.interests, 'interests', 20).map((i) => v.text(i, 'interests', 40)),
  });
};
