// The game domain's resolvers (schema/games.graphql).
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { Game } from './Game.js';
import { GameParticipation } from './GameParticipation.js';
import { createGame } from './Mutation/createGame.js';
import { endGame } from './Mutation/endGame.js';
import { joinGame } from './Mutation/joinGame.js';
import { recordPlayerResult } from './Mutation/recordPlayerResult.js';
import { startGame } from './Mutation/startGame.js';
import { game } from './Query/game.js';
import { gamesByMap } from './Query/gamesByMap.js';
import { openGames } from './Query/openGames.js';
import { UserGames } from './UserGames.js';

export const gamesResolvers: Resolvers = {
  Query: { game, openGames, gamesByMap },
  Mutation: { createGame, joinGame, startGame, recordPlayerResult, endGame },
  Game,
  GameParticipation,
  User: UserGames,
};
