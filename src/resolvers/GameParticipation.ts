import type { GameParticipationResolvers } from '../__generated__/resolvers-types.js';
import { getGame } from '../data/games.js';
import { getUser, type UserRecord } from '../data/users.js';
import { present } from './Game.js';

export const GameParticipation: GameParticipationResolvers = {
  game: (p, _, ctx) => getGame(ctx, p.gameId).then(present(`The game ${p.gameId} of player ${p.username}`)),
  // Read with the page when the list saw this field selected; on its own through the loader otherwise.
  user: (p, _, ctx) => {
    const found = present<UserRecord>(`The user ${p.username} playing game ${p.gameId}`);
    return p.user === undefined ? getUser(ctx, p.username).then(found) : found(p.user);
  },
  place: (p) => (p.place ? (p.place.toUpperCase() as Uppercase<typeof p.place>) : null),
};
