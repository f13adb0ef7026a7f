import type { GameParticipationResolvers, Medal as MedalName } from '../__generated__/resolvers-types.js';
import { getGame } from '../data/games/game-reads.js';
import type { Medal, ParticipationRecord } from '../data/games/records.js';
import { getUser, type UserRecord } from '../data/users/users.js';
import { participationId } from '../graphql/ids.js';
import { referenced } from './reference.js';

export const GameParticipation: GameParticipationResolvers = {
  id: (p) => participationId(p.gameId, p.username),
  game: (p, _, ctx) => getGame(ctx, p.gameId).then((g) => referenced(g, () => `The game ${p.gameId} of player ${p.username}`)),
  // Read with the page when the list saw this field selected; on its own through the loader otherwise.
  user: (p, _, ctx) => (p.user === undefined ? getUser(ctx, p.username).then((u) => playerUser(p, u)) : playerUser(p, p.user)),
  place: (p) => (p.place ? MEDAL_NAME[p.place] : null),
};

/** The one mapping between the schema's Medal and the stored place (the game lab's lowercase), both ways. */
export const STORED_MEDAL: Readonly<Record<MedalName, Medal>> = { GOLD: 'gold', SILVER: 'silver', BRONZE: 'bronze' };
const MEDAL_NAME = Object.fromEntries(Object.entries(STORED_MEDAL).map(([name, stored]) => [stored, name])) as Record<Medal, MedalName>;

function playerUser(p: ParticipationRecord, user: UserRecord | null): UserRecord {
  return referenced(user, () => `The user ${p.username} playing game ${p.gameId}`);
}
