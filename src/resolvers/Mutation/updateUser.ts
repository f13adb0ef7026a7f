import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { requireViewer } from '../../graphql/context.js';
import { keys } from '../../data/keys.js';
import { updateUser as update } from '../../data/users/writes.js';
import { badInput } from '../../errors.js';
import * as v from '../../graphql/validation.js';

// null clears an optional field; name and email cannot be cleared.
export const updateUser: MutationResolvers['updateUser'] = (_, { input }, ctx) => {
  const { username } = requireViewer(ctx);
  const opt = <T>(value: T | null | undefined, check: (x: T) => T) =>
    value === undefined ? undefined : value === null ? null : check(value);
  if (input.name === null || input.email === null)
    throw badInput('name and email cannot be cleared.', input.name === null ? 'name' : 'email');
  return update(ctx, username, {
    name: opt(input.name, (x) => v.text(x, 'name', 100)) ?? undefined,
    email: opt(input.email, (x) => v.email(x)) ?? undefined,
    birthdate: opt(input.birthdate, (x) => v.birthdate(x)),
    address: opt(input.address, (x) => v.text(x, 'address', 300)),
    status: opt(input.status, (x) => v.text(x, 'status', 280)),
    interests:
      input.interests === undefined
        ? undefined
        : input.interests === null
          ? []
          : v.list(input.interests, 'interests', 20).map((i) => v.text(i, 'interests', 40)),
    pinnedImage: opt(input.pinnedPhotoTimestamp, (ts) => keys.photo.sk(username, v.timestamp(ts, 'pinnedPhotoTimestamp'))),
  });
};
