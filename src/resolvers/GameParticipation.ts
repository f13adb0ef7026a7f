import type { GameParticipationResolvers } from '../__generated__/resolvers-types.js';
import { getGame } from '../data/games.js';
import { getUser } from '../data/users.js';
import { present } from './Game.js';

export const GameParticipation: GameParticipationResolvers = {
  game: (p, _, ctx) => getGame(ctx, p.gameId).then(present(`The game ${p.gameId} of player ${p.username}`)),
  user: (p, _, ctx) => getUser(ctx, p.username).then(present(`The user ${p.username} playing game ${p.gameId}`)),
  place: (p) => (p.place ? (p.place.toUpperCase() as Uppercase<typeof p.place>) : null),
};
