// The event types of the subscriptions: each shapes one Delivery (src/live/feed.ts). Objects come
// from the change's own image where it has them, so an event shows the state that change made.
import type {
  FollowerEventKind,
  GameLobbyEventKind,
  OpenGamesEventKind,
  PhotoReactionEventKind,
  Resolvers,
  UserPhotoEventKind,
} from '../__generated__/resolvers-types.js';
import { getGame } from '../data/games/game-reads.js';
import { getPhoto } from '../data/photos/photos.js';
import { getUser } from '../data/users/users.js';
import type { LiveEvent } from '../live/events.js';
import type { Delivery } from '../live/feed.js';
import { eventCursor } from './live.js';

// The members of LiveEvent whose kinds include all of K.
type Of<K extends LiveEvent['kind'], E = LiveEvent> = E extends { kind: infer EK } ? ([K] extends [EK] ? E : never) : never;
const ev = <K extends LiveEvent['kind']>(d: Delivery, ...kinds: K[]): Of<K> | null =>
  (kinds as string[]).includes(d.event.kind) ? (d.event as Of<K>) : null;

// Each event type's kinds as the schema has them: a Record, so a kind added to the schema or to
// LiveEvent without the other fails to compile.
const LOBBY: Record<GameLobbyEventKind, true> = {
  PLAYER_JOINED: true,
  GAME_FILLED: true,
  GAME_STARTED: true,
  RESULT_RECORDED: true,
  GAME_ENDED: true,
  GAME_EXPIRED: true,
  RESYNC: true,
};
const OPEN_GAMES: Record<OpenGamesEventKind, true> = {
  GAME_OPENED: true,
  GAME_FILLED: true,
  GAME_EXPIRED: true,
  GAME_CLOSED: true,
  RESYNC: true,
};
const REACTIONS: Record<PhotoReactionEventKind, true> = { REACTION_ADDED: true, REACTION_REMOVED: true, RESYNC: true };
const PHOTOS: Record<UserPhotoEventKind, true> = { PHOTO_ADDED: true, RESYNC: true };
const FOLLOWERS: Record<FollowerEventKind, true> = { FOLLOWED: true, UNFOLLOWED: true, RESYNC: true };

const isOneOf = <K extends string>(kinds: Record<K, true>, kind: string): kind is K => Object.hasOwn(kinds, kind);

/** The event's kind as its type's enum; a feed only ever carries its topic's kinds, so another one is a bug. */
const kindIn =
  <K extends string>(kinds: Record<K, true>) =>
  (d: Delivery): K => {
    const kind = d.event.kind;
    if (isOneOf(kinds, kind)) return kind;
    throw new Error(`Event kind ${kind} is not one of ${Object.keys(kinds).join(', ')}.`);
  };

export const liveEventResolvers: Resolvers = {
  GameLobbyEvent: {
    cursor: eventCursor,
    kind: kindIn(LOBBY),
    game: (d, _, ctx) => {
      const e = ev(d, 'PLAYER_JOINED', 'RESULT_RECORDED', 'GAME_FILLED', 'GAME_STARTED', 'GAME_ENDED', 'GAME_EXPIRED');
      if (!e) return null;
      return e.game ?? (e.kind === 'GAME_EXPIRED' ? null : getGame(ctx, e.gameId));
    },
    player: (d) => ev(d, 'PLAYER_JOINED', 'RESULT_RECORDED')?.player ?? null,
  },
  OpenGamesEvent: {
    cursor: eventCursor,
    kind: kindIn(OPEN_GAMES),
    game: (d) => ev(d, 'GAME_OPENED', 'GAME_FILLED', 'GAME_EXPIRED', 'GAME_CLOSED')?.game ?? null,
  },
  PhotoReactionEvent: {
    cursor: eventCursor,
    kind: kindIn(REACTIONS),
    reaction: (d) => ev(d, 'REACTION_ADDED', 'REACTION_REMOVED')?.reaction ?? null,
    photo: (d, _, ctx) => {
      const r = ev(d, 'REACTION_ADDED', 'REACTION_REMOVED')?.reaction;
      return r ? getPhoto(ctx, r.owner, r.photoTimestamp) : null;
    },
  },
  UserPhotoEvent: {
    cursor: eventCursor,
    kind: kindIn(PHOTOS),
    photo: (d) => ev(d, 'PHOTO_ADDED')?.photo ?? null,
  },
  FollowerEvent: {
    cursor: eventCursor,
    kind: kindIn(FOLLOWERS),
    follower: (d, _, ctx) => {
      const e = ev(d, 'FOLLOWED', 'UNFOLLOWED');
      return e ? getUser(ctx, e.follower) : null;
    },
    followedAt: (d) => ev(d, 'FOLLOWED', 'UNFOLLOWED')?.followedAt ?? null,
  },
};
