// What subscribers hear: each entity change becomes zero or more events, each on one topic. Pure,
// so every rule (a game "filled" when people reaches 50, "started" when start_time appears, ...)
// is decided from the two images alone and tested without a database.
import type { EntityChange } from '../data/changes.js';
import { GAME_CAPACITY, type GameRecord, type ParticipationRecord } from '../data/games/records.js';
import type { PhotoRecord, ReactionRecord } from '../data/photos/photos.js';

/** Topics a subscription listens on; one per subscribable thing, so matching is a string compare. */
export const topics = {
  game: (gameId: string) => `game:${gameId}`,
  openGames: (map: string | null) => (map === null ? 'open-games' : `open-games:${map}`),
  followers: (username: string) => `followers:${username}`,
  photoReactions: (owner: string, timestamp: string) => `reactions:${owner}/${timestamp}`,
  userPhotos: (username: string) => `photos:${username}`,
};

export type LobbyKind = 'PLAYER_JOINED' | 'GAME_FILLED' | 'GAME_STARTED' | 'RESULT_RECORDED' | 'GAME_ENDED' | 'GAME_EXPIRED';
export type OpenGamesKind = 'GAME_OPENED' | 'GAME_FILLED' | 'GAME_EXPIRED' | 'GAME_CLOSED';
export type FollowerKind = 'FOLLOWED' | 'UNFOLLOWED';
export type ReactionKind = 'REACTION_ADDED' | 'REACTION_REMOVED';
export type PhotoKind = 'PHOTO_ADDED';

export type LiveEvent =
  | { topic: string; kind: LobbyKind; game: GameRecord | null; gameId: string; player: ParticipationRecord | null }
  | { topic: string; kind: OpenGamesKind; game: GameRecord }
  | { topic: string; kind: FollowerKind; follower: string; followed: string; followedAt: string | null }
  | { topic: string; kind: ReactionKind; reaction: ReactionRecord }
  | { topic: string; kind: PhotoKind; photo: PhotoRecord };

/** The events one change produces, in the order subscribers should see them. */
export function deriveEvents(change: EntityChange): LiveEvent[] {
  switch (change.entity) {
    case 'game':
      return [...lobbyEvents(change.before, change.after), ...openGamesEvents(change.before, change.after)];
    case 'player':
      return playerEvents(change.before, change.after);
    case 'follow': {
      const f = change.after ?? change.before;
      if (!f || (change.before && change.after)) return [];
      return [{ topic: topics.followers(f.followed), kind: change.after ? 'FOLLOWED' : 'UNFOLLOWED', ...f }];
    }
    case 'reaction': {
      const r = change.after ?? change.before;
      if (!r || (change.before && change.after)) return [];
      return [
        {
          topic: topics.photoReactions(r.owner, r.photoTimestamp),
          kind: change.after ? 'REACTION_ADDED' : 'REACTION_REMOVED',
          reaction: r,
        },
      ];
    }
    case 'photo':
      return !change.before && change.after
        ? [{ topic: topics.userPhotos(change.after.owner), kind: 'PHOTO_ADDED', photo: change.after }]
        : [];
  }
}

function lobbyEvents(before: GameRecord | undefined, after: GameRecord | undefined): LiveEvent[] {
  const game = after ?? before;
  if (!game) return [];
  const lobby = (kind: LobbyKind, g: GameRecord | null): LiveEvent => ({
    topic: topics.game(game.id),
    kind,
    game: g,
    gameId: game.id,
    player: null,
  });
  if (!after) return [lobby('GAME_EXPIRED', null)];
  const out: LiveEvent[] = [];
  if (after.people >= GAME_CAPACITY && (before?.people ?? 0) < GAME_CAPACITY) out.push(lobby('GAME_FILLED', after));
  if (after.startedAt && !before?.startedAt) out.push(lobby('GAME_STARTED', after));
  if (after.endedAt && !before?.endedAt) out.push(lobby('GAME_ENDED', after));
  return out;
}

function openGamesEvents(before: GameRecord | undefined, after: GameRecord | undefined): LiveEvent[] {
  const wasOpen = !!before?.openedAt;
  const isOpen = !!after?.openedAt;
  const game = after ?? before;
  if (!game || wasOpen === isOpen) return [];
  let kind: OpenGamesKind;
  if (isOpen) kind = 'GAME_OPENED';
  else if (!after) kind = 'GAME_EXPIRED';
  else if (after.people >= GAME_CAPACITY) kind = 'GAME_FILLED';
  else kind = 'GAME_CLOSED';
  return [null, game.map].map((map) => ({ topic: topics.openGames(map), kind, game }));
}

function playerEvents(before: ParticipationRecord | undefined, after: ParticipationRecord | undefined): LiveEvent[] {
  if (!after) return []; // players leave only when their game is removed, which GAME_EXPIRED already says
  const lobby = (kind: LobbyKind): LiveEvent => ({
    topic: topics.game(after.gameId),
    kind,
    game: null,
    gameId: after.gameId,
    player: after,
  });
  if (!before) return [lobby('PLAYER_JOINED')];
  const recorded = (p: ParticipationRecord) => [p.place, p.kills, p.damage, p.survivedSeconds].join('|');
  return recorded(before) !== recorded(after) ? [lobby('RESULT_RECORDED')] : [];
}
