import type { UserResolvers } from '../__generated__/resolvers-types.js';
import type { Context } from '../graphql/context.js';
import type { UserRecord } from '../data/users/users.js';
import { userId } from '../graphql/ids.js';

// Private fields are shown to the user themselves only.
const own = (u: UserRecord, ctx: Context) => ctx.viewer?.username === u.username;

export const User: UserResolvers = {
  id: (u) => userId(u.username),
  email: (u, _, ctx) => (own(u, ctx) ? u.email : null),
  birthdate: (u, _, ctx) => (own(u, ctx) ? u.birthdate : null),
  address: (u, _, ctx) => (own(u, ctx) ? u.address : null),
};
