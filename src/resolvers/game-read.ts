// Reading a game for Query.game: the game and its first players are one Query of the game's
// partition (src/data/games/game-reads.ts viewGame). A later page of the players (`after`) cannot come
// in that Query, so then the game is read by key and the page starts its own read beside it
// (src/data/dynamo/read-ahead.ts): one wave instead of two, and no game partition read for nothing.
import type { GraphQLResolveInfo } from 'graphql';
import type { Context } from '../graphql/context.js';
import { getGame, startPlayers, viewGame } from '../data/games/game-reads.js';
import type { GameRecord } from '../data/games/records.js';
import { childArguments, pageArguments } from './selection.js';

export function readGame(ctx: Context, gameId: string, info: GraphQLResolveInfo): Promise<GameRecord | null> {
  const players = childArguments(info, 'players');
  const later = players.flatMap((a) => {
    const page = pageArguments(a);
    return typeof page?.after === 'string' ? [page] : [];
  });
  for (const args of later) startPlayers(ctx, gameId, args);
  // Some selection wants a first page (or refuses its arguments): the partition's Query serves it.
  return later.length > 0 && later.length === players.length ? getGame(ctx, gameId) : viewGame(ctx, gameId);
}
