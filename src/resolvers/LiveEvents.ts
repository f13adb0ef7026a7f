// The event types of the subscriptions: each shapes one Delivery (src/live/feed.ts). Objects come
// from the change's own image where it has them, so an event shows the state that change made.
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { getGame } from '../data/games/reads.js';
import { getPhoto } from '../data/photos/photos.js';
import { getUser } from '../data/users/users.js';
import type { LiveEvent } from '../live/events.js';
import type { Delivery } from '../live/feed.js';
import { eventCursor } from './live.js';

// The members of LiveEvent whose kinds include all of K.
type Of<K extends LiveEvent['kind'], E = LiveEvent> = E extends { kind: infer EK } ? ([K] extends [EK] ? E : never) : never;
const ev = <K extends LiveEvent['kind']>(d: Delivery, ...kinds: K[]): Of<K> | null =>
  (kinds as string[]).includes(d.event.kind) ? (d.event as Of<K>) : null;

export const liveEventResolvers: Resolvers = {
  GameLobbyEvent: {
    cursor: eventCursor,
    kind: (d) => d.event.kind as never,
    game: (d, _, ctx) => {
      const e = ev(d, 'PLAYER_JOINED', 'RESULT_RECORDED', 'GAME_FILLED', 'GAME_STARTED', 'GAME_ENDED', 'GAME_EXPIRED');
      if (!e) return null;
      return e.game ?? (e.kind === 'GAME_EXPIRED' ? null : getGame(ctx, e.gameId));
    },
    player: (d) => ev(d, 'PLAYER_JOINED', 'RESULT_RECORDED')?.player ?? null,
  },
  OpenGamesEvent: {
    cursor: eventCursor,
    kind: (d) => d.event.kind as never,
    game: (d) => ev(d, 'GAME_OPENED', 'GAME_FILLED', 'GAME_EXPIRED', 'GAME_CLOSED')?.game ?? null,
  },
  PhotoReactionEvent: {
    cursor: eventCursor,
    kind: (d) => d.event.kind as never,
    reaction: (d) => ev(d, 'REACTION_ADDED', 'REACTION_REMOVED')?.reaction ?? null,
    photo: (d, _, ctx) => {
      const r = ev(d, 'REACTION_ADDED', 'REACTION_REMOVED')?.reaction;
      return r ? getPhoto(ctx, r.owner, r.photoTimestamp) : null;
    },
  },
  UserPhotoEvent: {
    cursor: eventCursor,
    kind: (d) => d.event.kind as never,
    photo: (d) => ev(d, 'PHOTO_ADDED')?.photo ?? null,
  },
  FollowerEvent: {
    cursor: eventCursor,
    kind: (d) => d.event.kind as never,
    follower: (d, _, ctx) => {
      const e = ev(d, 'FOLLOWED', 'UNFOLLOWED');
      return e ? getUser(ctx, e.follower) : null;
    },
    followedAt: (d) => ev(d, 'FOLLOWED', 'UNFOLLOWED')?.followedAt ?? null,
  },
};
