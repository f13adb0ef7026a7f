// Global object identification: what an id names (ids.ts), read by key through the request's
// loader, so node(id:) and nodes(ids:) of any mix of types share BatchGetItem calls with the rest of
// the response. An id reaches exactly what the typed fields reach: each type reads through the same
// access pattern as its own query field (a game past its open time is as absent as from game(id:)),
// and the record is resolved by the same type resolvers (private fields stay null for others).
import type { NodeResolvers } from '../__generated__/resolvers-types.js';
import { getGame, getParticipation } from '../data/games/game-reads.js';
import type { GameRecord, ParticipationRecord } from '../data/games/records.js';
import { getPhoto, getReaction, type PhotoRecord, type ReactionRecord } from '../data/photos/photos.js';
import { getUser, type UserRecord } from '../data/users/users.js';
import type { Context } from '../graphql/context.js';
import { decodeId } from '../graphql/ids.js';

export type NodeRecord = UserRecord | GameRecord | ParticipationRecord | PhotoRecord | ReactionRecord;

/** The object an id names, null when it does not exist; rejects with BAD_NODE_ID for an id no object carries. */
export async function loadNode(ctx: Context, id: string): Promise<NodeRecord | null> {
  const ref = decodeId(id);
  switch (ref.type) {
    case 'User':
      return getUser(ctx, ref.username);
    case 'Game':
      return getGame(ctx, ref.gameId);
    case 'GameParticipation':
      return getParticipation(ctx, ref.gameId, ref.username);
    case 'Photo':
      return getPhoto(ctx, ref.owner, ref.timestamp);
    case 'Reaction':
      return getReaction(ctx, ref.user, ref.reactionType, ref.owner, ref.timestamp);
  }
}

// Each record type has a field no other has (the records of src/data, checked where they leave it).
export const Node: NodeResolvers = {
  __resolveType: (r) => {
    if ('location' in r) return 'Photo';
    if ('photoTimestamp' in r) return 'Reaction';
    if ('people' in r) return 'Game';
    if ('gameId' in r) return 'GameParticipation';
    return 'User';
  },
};
