import type { QueryResolvers } from '../../__generated__/resolvers-types.js';
import { findUserByEmail, getUser } from '../../data/users/users.js';
import { forbidden } from '../../errors.js';
import { requireViewer } from '../../graphql/context.js';
import * as v from '../../graphql/validation.js';

// Emails are private, so this look-up must not turn an address into an account for just anyone:
// the game-server role may look up any address; a signed-in user only their own (answered from
// their own profile, so a wrong guess costs no index query and tells nothing); anonymous, no one.
export const userByEmail: QueryResolvers['userByEmail'] = async (_, { email }, ctx) => {
  const address = v.email(email);
  const viewer = requireViewer(ctx);
  if (viewer.role === 'game-server') return findUserByEmail(ctx, address);
  const own = await getUser(ctx, viewer.username);
  if (own?.email?.toLowerCase() === address.toLowerCase()) return own;
  throw forbidden('You may only look up your own email address.');
};
