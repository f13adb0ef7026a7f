// Assembles the resolver map from each domain's own module.
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { gamesResolvers } from './games.js';
import { identificationResolvers } from './identification.js';
import { liveEventResolvers } from './LiveEvents.js';
import { photosResolvers } from './photos.js';
import { gameLobby } from './Subscription/gameLobby.js';
import { openGamesChanged } from './Subscription/openGamesChanged.js';
import { photoReactions } from './Subscription/photoReactions.js';
import { userPhotos } from './Subscription/userPhotos.js';
import { viewerFollowers } from './Subscription/viewerFollowers.js';
import { usersResolvers } from './users.js';

const base: Resolvers = {
  Query: { ping: () => 'ok' },
  Mutation: { ping: () => 'ok' },
};

const subscriptions: Resolvers = {
  Subscription: { gameLobby, openGamesChanged, photoReactions, userPhotos, viewerFollowers },
  ...liveEventResolvers,
};

/** Merges domain maps one type deep; a field defined twice is a programming error. */
export function mergeResolvers(...maps: Resolvers[]): Resolvers {
  const out: Record<string, Record<string, unknown>> = {};
  for (const m of maps) {
    for (const [type, fields] of Object.entries(m)) {
      const target = (out[type] ??= {});
      for (const [name, fn] of Object.entries(fields as object)) {
        if (name in target) throw new Error(`Resolver ${type}.${name} is defined twice.`);
        target[name] = fn;
      }
    }
  }
  return out as Resolvers;
}

export const resolvers = mergeResolvers(base, identificationResolvers, usersResolvers, photosResolvers, gamesResolvers, subscriptions);
