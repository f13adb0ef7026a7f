import type { GameResolvers } from '../__generated__/resolvers-types.js';
import type { Context } from '../graphql/context.js';
import { GAME_CAPACITY, gameStatus } from '../data/games/records.js';
import { gamePlayers } from '../data/games/game-reads.js';
import { getUser } from '../data/users/users.js';
import { referenced } from './reference.js';
import { selects } from './selection.js';

const medalist = (ctx: Context, username: string | null) => (username ? getUser(ctx, username) : null);

export const Game: GameResolvers = {
  creator: (g, _, ctx) => getUser(ctx, g.creator).then((u) => referenced(u, () => `The creator ${g.creator} of game ${g.id}`)),
  playerCount: (g) => g.people,
  capacity: () => GAME_CAPACITY,
  status: (g) => gameStatus(g),
  players: (g, args, ctx, info) => gamePlayers(ctx, g, args, { withUsers: selects(info, 'edges', 'node', 'user') }),
  gold: (g, _, ctx) => medalist(ctx, g.gold),
  silver: (g, _, ctx) => medalist(ctx, g.silver),
  bronze: (g, _, ctx) => medalist(ctx, g.bronze),
};
