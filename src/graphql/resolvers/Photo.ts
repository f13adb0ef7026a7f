import type { PhotoResolvers } from '../../__generated__/resolvers-types.js';
import { getUserReactions, listPhotoReactions } from '../../data/photos/photos.js';
import { getUser } from '../../data/users/users.js';
import { notFound } from '../../errors.js';

/** A non-null field whose item is missing (the data is inconsistent) fails with NOT_FOUND. */
export function orNotFound<T>(value: T | null, what: string): T {
  if (value === null) throw notFound(what);
  return value;
}

export const Photo: PhotoResolvers = {
  // Usernames and timestamps contain no '/', so the id is unambiguous and needs no lookup.
  id: (p) => `${p.owner}/${p.timestamp}`,
  owner: (p, _, ctx) => p.ownerUser ?? getUser(ctx, p.owner).then((u) => orNotFound(u, `The owner ${p.owner} of this photo`)),
  reactions: (p, args, ctx) => listPhotoReactions(ctx, p.owner, p.timestamp, args),
  viewerReactions: (p, _, ctx) => (ctx.viewer ? getUserReactions(ctx, ctx.viewer.username, p.owner, p.timestamp) : []),
};
