import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { requireViewer } from '../../graphql/context.js';
import { recordPlayerResult as record } from '../../data/games/result-writes.js';
import * as v from '../../graphql/validation.js';
import { STORED_MEDAL } from '../GameParticipation.js';

export const recordPlayerResult: MutationResolvers['recordPlayerResult'] = (_, { gameId, username, input }, ctx) => {
  const viewer = requireViewer(ctx);
  return record(ctx, viewer, v.gameId(gameId), v.username(username), {
    place: input.place == null ? null : STORED_MEDAL[input.place],
    kills: v.int(input.kills, 'kills', 0, 49),
    damage: v.int(input.damage, 'damage', 0, 1_000_000),
    survivedSeconds: v.int(input.survivedSeconds, 'survivedSeconds', 0, 86_400),
  });
};
