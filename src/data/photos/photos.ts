// Photos and reactions (the Quick Photos lab).
//
//   entity    PK                            SK                           attributes
//   Photo     USER#<owner>                  PHOTO#<owner>#<timestamp>    username, timestamp, location,
//                                                                        reactions {+1, smiley, sunglasses, heart}
//   Reaction  REACTION#<user>#<stored type> PHOTO#<owner>#<timestamp>    reactingUser, reactionType, photo (= SK), timestamp
//
// On InvertedIndex (SK, PK) a photo's partition holds its reactions (PK REACTION#…) followed by
// the photo itself (PK USER#…, which sorts after every REACTION#).
//
// This file holds the records and the reads; writes.ts the uploads and reactions.
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Item } from '../dynamo/batch.js';
import type { DataContext } from '../dynamo/context.js';
import { listBinding } from '../dynamo/cursor.js';
import { keys } from '../keys.js';
import { loadPage, primeItems } from '../dynamo/loaders.js';
import { toConnection, type Connection, type PageArgs } from '../dynamo/pagination.js';
import { viewUserWithList } from '../users/profile.js';
import { INVERTED_INDEX } from '../table.js';
import type { UserRecord } from '../users/users.js';

export type ReactionType = 'HEART' | 'SMILEY' | 'THUMBS_UP' | 'SUNGLASSES';

/** The API's reaction types and the names the lab stores (`+1` cannot be a GraphQL enum value). */
export const STORED_REACTION: Record<ReactionType, string> = {
  HEART: 'heart',
  SMILEY: 'smiley',
  THUMBS_UP: '+1',
  SUNGLASSES: 'sunglasses',
};
export const REACTION_TYPES = Object.keys(STORED_REACTION) as ReactionType[];
const TYPE_OF_STORED = new Map(REACTION_TYPES.map((t) => [STORED_REACTION[t], t]));

export interface ReactionCounts {
  heart: number;
  smiley: number;
  thumbsUp: number;
  sunglasses: number;
}

export interface PhotoRecord {
  owner: string;
  timestamp: string;
  location: string;
  reactionCounts: ReactionCounts;
  /** The owner's profile when the photo was listed under it (User.photos): Photo.owner needs no read then. */
  ownerUser?: UserRecord;
}

export interface ReactionRecord {
  user: string;
  type: ReactionType;
  owner: string;
  /** The photo's timestamp. */
  photoTimestamp: string;
  reactedAt: string | null;
}

/** Turns a raw photo item into a record (with its owner's record when the caller has it); fails loudly on an item that is not a photo. */
export function toPhoto(item: Item, ownerUser?: UserRecord): PhotoRecord {
  const sk = String(item.SK);
  const { owner, timestamp } = keys.photo.parseSk(sk);
  if (item.PK !== keys.user.pk(owner) || typeof item.location !== 'string') throw new Error(`Not a photo item: ${String(item.PK)} / ${sk}`);
  const counts = (item.reactions ?? {}) as Record<string, unknown>;
  const photo: PhotoRecord = {
    owner,
    timestamp,
    location: item.location,
    reactionCounts: {
      heart: count(counts, 'HEART'),
      smiley: count(counts, 'SMILEY'),
      thumbsUp: count(counts, 'THUMBS_UP'),
      sunglasses: count(counts, 'SUNGLASSES'),
    },
  };
  // Set in the one record rather than spread into a copy of it: a page of 100 is on the feed's path.
  if (ownerUser) photo.ownerUser = ownerUser;
  return photo;
}

function count(counts: Record<string, unknown>, type: ReactionType): number {
  const v = counts[STORED_REACTION[type]];
  return typeof v === 'number' ? v : 0;
}

/** Turns a raw reaction item into a record; fails loudly on an item that is not a reaction. */
export function toReaction(item: Item): ReactionRecord {
  const { user, storedType } = keys.reaction.parsePk(String(item.PK));
  const { owner, timestamp } = keys.photo.parseSk(String(item.SK));
  const type = TYPE_OF_STORED.get(storedType);
  if (!type) throw new Error(`Not a reaction item: ${String(item.PK)} / ${String(item.SK)}`);
  return { user, type, owner, photoTimestamp: timestamp, reactedAt: typeof item.timestamp === 'string' ? item.timestamp : null };
}

/**
 * The server's timestamps: UTC to the millisecond with no zone, like 2026-11-21T05:45:07.123.
 * They share the lab's `2019-04-16T00:41:18` form, so string order stays time order across both
 * (a lab stamp sorts before ours within the same second, as a prefix does).
 */
export function formatTimestamp(date: Date): string {
  return date.toISOString().slice(0, 23);
}

// Get a photo: BatchGetItem through the request's loader, key USER#<owner> / PHOTO#<owner>#<ts>.
export async function getPhoto(ctx: DataContext, owner: string, timestamp: string): Promise<PhotoRecord | null> {
  const item = await ctx.loaders.item.load(keys.photo(owner, timestamp));
  return item ? toPhoto(item) : null;
}

// Get one reaction: BatchGetItem through the request's loader, key REACTION#<user>#<stored type> / PHOTO#<owner>#<ts>.
export async function getReaction(
  ctx: DataContext,
  user: string,
  type: ReactionType,
  owner: string,
  timestamp: string,
): Promise<ReactionRecord | null> {
  const item = await ctx.loaders.item.load(keys.reaction(user, STORED_REACTION[type], owner, timestamp));
  return item ? toReaction(item) : null;
}

// Get a photo by its sort key (a user's pinnedImage): BatchGetItem through the loader.
export async function getPhotoBySk(ctx: DataContext, sk: string): Promise<PhotoRecord | null> {
  const { owner, timestamp } = keys.photo.parseSk(sk);
  return getPhoto(ctx, owner, timestamp);
}

// View recent photos for user, newest first: Query PK = USER#<u> AND begins_with(SK, PHOTO#<u>#), descending.
export async function listUserPhotos(ctx: DataContext, owner: UserRecord, args: PageArgs): Promise<Connection<PhotoRecord>> {
  // Not primed into the item loader: no field of a listed photo reads the photo again by key.
  const page = await (ctx.loaders.readAhead.take(photosBinding(owner.username), args) ?? photosPage(ctx, owner.username, args));
  return toConnection(page, (item) => toPhoto(item, owner));
}

/** Starts reading a page of a user's photos beside the read of the user (dynamo/read-ahead.ts); listUserPhotos takes it. */
export function startPhotos(ctx: DataContext, owner: string, args: PageArgs): void {
  ctx.loaders.readAhead.start(photosBinding(owner), args, () => photosPage(ctx, owner, args));
}

const photosBinding = (owner: string) => listBinding('User.photos', owner, undefined);

const photosPage = (ctx: DataContext, owner: string, args: PageArgs) =>
  loadPage(ctx, { input: userPhotosQuery(ctx.db.tableName, owner), args, cursorKeys: ctx.cursorKeys, binding: photosBinding(owner) });

// Fetch user and photos, as the lab does: Query PK = USER#<u> AND SK BETWEEN #METADATA#<u> AND PHOTO#<u>#<high>, descending (table); see profile.ts.
export function viewUserWithPhotos(ctx: DataContext, username: string, first: number): Promise<UserRecord | null> {
  const prefix = keys.photo.ownerSkPrefix(username);
  return viewUserWithList(ctx, username, {
    input: userPhotosQuery(ctx.db.tableName, username),
    binding: photosBinding(username),
    first,
    // Above every timestamp: the range ends after the newest photo.
    end: `${prefix}\uffff`,
    ascending: false,
    isListItem: (it) => String(it.SK).startsWith(prefix),
  });
}

export function userPhotosQuery(tableName: string, owner: string): QueryCommandInput {
  return {
    TableName: tableName,
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.user.pk(owner), ':prefix': keys.photo.ownerSkPrefix(owner) },
    ScanIndexForward: false,
  };
}

// View photo and reactions: Query InvertedIndex, SK = PHOTO#<owner>#<ts> AND begins_with(PK, REACTION#).
export async function listPhotoReactions(
  ctx: DataContext,
  owner: string,
  timestamp: string,
  args: PageArgs,
): Promise<Connection<ReactionRecord>> {
  const page = await loadPage(ctx, {
    input: photoReactionsQuery(ctx.db.tableName, owner, timestamp),
    args,
    cursorKeys: ctx.cursorKeys,
    binding: listBinding('Photo.reactions', keys.photo.sk(owner, timestamp), INVERTED_INDEX),
  });
  primeItems(ctx.loaders, page.items);
  return toConnection(page, toReaction);
}

export function photoReactionsQuery(tableName: string, owner: string, timestamp: string): QueryCommandInput {
  return {
    TableName: tableName,
    IndexName: INVERTED_INDEX,
    KeyConditionExpression: 'SK = :sk AND begins_with(PK, :prefix)',
    ExpressionAttributeValues: { ':sk': keys.photo.sk(owner, timestamp), ':prefix': keys.reaction.pkPrefix },
  };
}

// The viewer's reactions on a photo: the four possible reaction keys, BatchGetItem through the loader.
export async function getUserReactions(ctx: DataContext, user: string, owner: string, timestamp: string): Promise<ReactionType[]> {
  const items = await ctx.loaders.item.loadMany(REACTION_TYPES.map((t) => keys.reaction(user, STORED_REACTION[t], owner, timestamp)));
  return REACTION_TYPES.filter((_, i) => {
    const it = items[i];
    if (it instanceof Error) throw it;
    return it != null;
  });
}
