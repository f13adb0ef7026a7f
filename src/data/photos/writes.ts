// Photo and reaction writes: the items an upload or a reaction puts, their guarded transactions,
// and the mutations that run them (the key layout is in photos.ts).
import { AlreadyReactedError, InternalSignal, notFound, NotReactedError, UploadInstantTakenError } from '../../errors.js';
import type { Item } from '../dynamo/batch.js';
import type { DataContext } from '../dynamo/context.js';
import { keys, type Key } from '../keys.js';
import { correctItem } from '../dynamo/loaders.js';
import { guardedTransaction, transactWrite, type GuardedTransaction } from '../dynamo/transactions.js';
import { formatTimestamp, REACTION_TYPES, STORED_REACTION, toPhoto, toReaction, type PhotoRecord, type ReactionType } from './photos.js';

export function newPhotoItem(owner: string, timestamp: string, location: string): Item {
  return {
    ...keys.photo(owner, timestamp),
    username: owner,
    timestamp,
    location,
    reactions: Object.fromEntries(REACTION_TYPES.map((t) => [STORED_REACTION[t], 0])),
  };
}

/** Puts the photo if its key is free, and checks its owner exists. */
export function uploadPhotoTransaction(tableName: string, item: Item): GuardedTransaction {
  const owner = item.username as string;
  return guardedTransaction([
    {
      action: { Put: { TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(SK)' } },
      onConditionFailed: () => new TimestampTaken(),
      rank: 1,
    },
    {
      action: { ConditionCheck: { TableName: tableName, Key: keys.user(owner), ConditionExpression: 'attribute_exists(PK)' } },
      onConditionFailed: () => notFound(`The user ${owner}`),
      rank: 2,
    },
  ]);
}

/** Two uploads by one user in the same millisecond: the second takes the next free millisecond, at most this many times. */
export const UPLOAD_ATTEMPTS = 10;

/** The owner already has a photo at this millisecond: uploadPhoto tries the next one. */
class TimestampTaken extends InternalSignal {
  constructor() {
    super('The photo key is taken.');
  }
}

// Upload photo: TransactWriteItems, Put photo if its SK is free + ConditionCheck the owner exists.
export async function uploadPhoto(ctx: DataContext, owner: string, location: string): Promise<PhotoRecord> {
  let at = ctx.now().getTime();
  for (let attempt = 1; ; attempt++, at++) {
    const item = newPhotoItem(owner, formatTimestamp(new Date(at)), location);
    try {
      await transactWrite(ctx.db, uploadPhotoTransaction(ctx.db.tableName, item));
      correctItem(ctx.loaders, keys.photo(owner, item.timestamp as string), item);
      return toPhoto(item);
    } catch (err) {
      if (!(err instanceof TimestampTaken)) throw err;
      if (attempt >= UPLOAD_ATTEMPTS) throw new UploadInstantTakenError();
    }
  }
}

export function newReactionItem(user: string, type: ReactionType, owner: string, timestamp: string, reactedAt: string): Item {
  const key = keys.reaction(user, STORED_REACTION[type], owner, timestamp);
  return { ...key, reactingUser: user, reactionType: STORED_REACTION[type], photo: key.SK, timestamp: reactedAt };
}

// A missing photo is reported as NOT_FOUND whatever else fails (rank 1).
/** Adds one to the photo's count (the photo must exist), checks the reacting user exists, and puts the reaction if they have not reacted so. */
export function reactTransaction(tableName: string, reaction: Item, owner: string, timestamp: string): GuardedTransaction {
  const user = reaction.reactingUser as string;
  const type = toReaction(reaction).type;
  return guardedTransaction([
    {
      action: {
        Update: {
          TableName: tableName,
          Key: keys.photo(owner, timestamp),
          UpdateExpression: 'SET reactions.#t = reactions.#t + :one',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: { '#t': reaction.reactionType as string },
          ExpressionAttributeValues: { ':one': 1 },
        },
      },
      onConditionFailed: () => photoNotFound(owner, timestamp),
      rank: 1,
    },
    {
      action: { ConditionCheck: { TableName: tableName, Key: keys.user(user), ConditionExpression: 'attribute_exists(PK)' } },
      onConditionFailed: () => notFound(`Your profile (${user})`),
      rank: 2,
    },
    {
      action: { Put: { TableName: tableName, Item: reaction, ConditionExpression: 'attribute_not_exists(PK)' } },
      onConditionFailed: () => new AlreadyReactedError(user, type),
      rank: 3,
    },
  ]);
}

/** Takes one from the photo's count (the photo must exist, the count be positive) and deletes the reaction, which must exist. */
export function removeReactionTransaction(
  tableName: string,
  user: string,
  type: ReactionType,
  owner: string,
  timestamp: string,
): GuardedTransaction {
  return guardedTransaction([
    {
      action: {
        Update: {
          TableName: tableName,
          Key: keys.photo(owner, timestamp),
          UpdateExpression: 'SET reactions.#t = reactions.#t - :one',
          ConditionExpression: 'attribute_exists(PK) AND reactions.#t > :zero',
          ExpressionAttributeNames: { '#t': STORED_REACTION[type] },
          ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
        },
      },
      // A zero count is only consistent with there being no reaction: the Delete's failure says so.
      onConditionFailed: (photo) => (photo ? undefined : photoNotFound(owner, timestamp)),
      rank: 1,
    },
    {
      action: {
        Delete: {
          TableName: tableName,
          Key: keys.reaction(user, STORED_REACTION[type], owner, timestamp),
          ConditionExpression: 'attribute_exists(PK)',
        },
      },
      onConditionFailed: () => new NotReactedError(user, type),
      rank: 2,
    },
  ]);
}

// React to photo: TransactWriteItems, Update photo reactions.<type> + 1 if it exists + ConditionCheck user exists + Put reaction if absent.
export async function reactToPhoto(
  ctx: DataContext,
  user: string,
  owner: string,
  timestamp: string,
  type: ReactionType,
): Promise<PhotoRecord> {
  const reaction = newReactionItem(user, type, owner, timestamp, formatTimestamp(ctx.now()));
  await transactWrite(ctx.db, reactTransaction(ctx.db.tableName, reaction, owner, timestamp));
  correctItem(ctx.loaders, reaction as Key, reaction);
  return readPhotoAfterWrite(ctx, owner, timestamp);
}

// Remove reaction: TransactWriteItems, Update photo reactions.<type> - 1 if it exists and > 0 + Delete reaction if present.
export async function removeReaction(
  ctx: DataContext,
  user: string,
  owner: string,
  timestamp: string,
  type: ReactionType,
): Promise<PhotoRecord> {
  await transactWrite(ctx.db, removeReactionTransaction(ctx.db.tableName, user, type, owner, timestamp));
  // Known to be gone: primed as absent, so viewerReactions does not re-read it (possibly stale) from a replica.
  const key = keys.reaction(user, STORED_REACTION[type], owner, timestamp);
  correctItem(ctx.loaders, key, null);
  return readPhotoAfterWrite(ctx, owner, timestamp);
}

function photoNotFound(owner: string, timestamp: string) {
  return notFound(`The photo ${owner}/${timestamp}`);
}

// A transaction returns no items, and the counts must include concurrent reactions: GetItem, ConsistentRead.
async function readPhotoAfterWrite(ctx: DataContext, owner: string, timestamp: string): Promise<PhotoRecord> {
  const key = keys.photo(owner, timestamp);
  const out = await ctx.db.get({ TableName: ctx.db.tableName, Key: key, ConsistentRead: true });
  correctItem(ctx.loaders, key, out.Item ?? null);
  if (!out.Item) throw photoNotFound(owner, timestamp);
  return toPhoto(out.Item);
}
