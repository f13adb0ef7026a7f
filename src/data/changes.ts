// What a change to one item of the table means: which entity it is and its record before and
// after, from the stream's old and new images. Key formats live in the data layer, so the live
// layer asks this module instead of parsing keys itself.
import type { Item } from './dynamo/batch.js';
import { toFollow } from './follows/follows.js';
import { toGame, toParticipation, type GameRecord, type ParticipationRecord } from './games/records.js';
import { keys } from './keys.js';
import { toPhoto, toReaction, type PhotoRecord, type ReactionRecord } from './photos/photos.js';

export interface FollowRecord {
  followed: string;
  follower: string;
  followedAt: string | null;
}

/** One entity's change; `before` is absent for a new item, `after` for a removed one. */
export type EntityChange =
  | { entity: 'game'; before?: GameRecord; after?: GameRecord }
  | { entity: 'player'; before?: ParticipationRecord; after?: ParticipationRecord }
  | { entity: 'photo'; before?: PhotoRecord; after?: PhotoRecord }
  | { entity: 'reaction'; before?: ReactionRecord; after?: ReactionRecord }
  | { entity: 'follow'; before?: FollowRecord; after?: FollowRecord };

type Entity = EntityChange['entity'];

/** Which entity a key belongs to, or null for items no subscription is about (users, email guards, the lease). */
export function entityOf(key: { PK: string; SK: string }): Entity | null {
  const { PK, SK } = key;
  if (PK.startsWith(keys.game.pkPrefix)) {
    if (SK.startsWith(keys.game.metadataSkPrefix)) return 'game';
    if (SK.startsWith(keys.player.skPrefix)) return 'player';
    return null;
  }
  if (PK.startsWith(keys.reaction.pkPrefix)) return 'reaction';
  if (PK.startsWith(keys.user.pkPrefix)) {
    if (SK.startsWith(keys.photo.skPrefix)) return 'photo';
    if (SK.startsWith(keys.follow.skPrefix)) return 'follow';
  }
  return null;
}

const convert: { [E in Entity]: (item: Item) => Extract<EntityChange, { entity: E }>['after'] } = {
  game: toGame,
  player: toParticipation,
  photo: toPhoto,
  reaction: toReaction,
  follow: toFollow,
};

/**
 * The entity change a stream record describes, or null when no subscription is about it. Throws on
 * an item some other program wrote in a shape we cannot read: the caller logs and skips it, so
 * one odd item never stops the stream.
 */
export function toEntityChange(key: { PK: string; SK: string }, oldImage?: Item, newImage?: Item): EntityChange | null {
  const entity = entityOf(key);
  if (!entity) return null;
  const to = convert[entity] as (item: Item) => never;
  return { entity, before: oldImage ? to(oldImage) : undefined, after: newImage ? to(newImage) : undefined } as EntityChange;
}
