// Users. Item: PK USER#<username>, SK #METADATA#<username>, attributes as in both labs
// (username, name, email, birthdate, address; photo lab adds status, interests, followers,
// following, pinnedImage = the pinned photo's SK). A unique email is held by a guard item
// (PK EMAIL#<lowercased email>) written in the same transaction as the user.
//
// Emails are unique whatever their letter case. The guard's key is lowercased, so it catches every
// case twin among users this server wrote. The labs' users have no guard, and EmailIndex matches
// `email` exactly, so before writing we also query the index for the address as typed and in
// lower case: that finds a lab user whose stored address is either (the labs' data holds only
// lower-case addresses). A lab address stored in mixed case is found only as typed; guarding it
// fully needs a guard item written for each lab user, which loading the labs' data does not do.
// Nobody is locked out: a user whose old address is guarded by someone else (a twin written
// before this rule) changes it without touching that guard.
//
// This file holds the record and the reads; writes.ts creates and updates users.
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Item } from '../dynamo/batch.js';
import type { DataContext } from '../dynamo/context.js';
import { keys } from '../keys.js';
import { primeItems } from '../dynamo/loaders.js';
import { EMAIL_INDEX } from '../table.js';

export interface UserRecord {
  username: string;
  name: string | null;
  email: string | null;
  birthdate: string | null;
  address: string | null;
  status: string | null;
  interests: string[];
  followerCount: number;
  followingCount: number;
  /** The pinned photo's sort key (PHOTO#<owner>#<timestamp>), as the photo lab stores it. */
  pinnedImage: string | null;
}

const str = (v: unknown) => (typeof v === 'string' ? v : null);

/** Turns a raw user item into a record; fails loudly on an item that is not a user. */
export function toUser(item: Item): UserRecord {
  if (typeof item.username !== 'string' || item.SK !== keys.user.metadataSk(item.username)) {
    throw new Error(`Not a user item: ${String(item.PK)} / ${String(item.SK)}`);
  }
  return {
    username: item.username,
    name: str(item.name),
    email: str(item.email),
    birthdate: str(item.birthdate),
    address: str(item.address),
    status: str(item.status),
    interests: Array.isArray(item.interests) ? item.interests.filter((i): i is string => typeof i === 'string') : [],
    // Game-lab users have no counters: absent means zero.
    followerCount: typeof item.followers === 'number' ? item.followers : 0,
    followingCount: typeof item.following === 'number' ? item.following : 0,
    pinnedImage: str(item.pinnedImage),
  };
}

// Get a user by username: BatchGetItem through the request's loader, key USER#<u> / #METADATA#<u>.
export async function getUser(ctx: DataContext, username: string): Promise<UserRecord | null> {
  const item = await ctx.loaders.item.load(keys.user(username));
  return item ? toUser(item) : null;
}

// Get many users by username: one BatchGetItem per 100 distinct names, through the loader.
export async function getUsers(ctx: DataContext, usernames: readonly string[]): Promise<(UserRecord | null)[]> {
  return usersOf(await ctx.loaders.item.loadMany(usernames.map((u) => keys.user(u))));
}

/** Records of user items read by key (loadMany's results): null for a missing user; a failed read throws. */
export function usersOf(items: readonly (Item | null | Error)[]): (UserRecord | null)[] {
  return items.map((it) => {
    if (it instanceof Error) throw it;
    return it ? toUser(it) : null;
  });
}

// Find a user by email: Query EmailIndex, email = :email (only user items carry email).
export async function findUserByEmail(ctx: DataContext, email: string): Promise<UserRecord | null> {
  const out = await ctx.db.query(findUserByEmailQuery(ctx.db.tableName, email));
  const items = out.Items ?? [];
  primeItems(ctx.loaders, items);
  return items[0] ? toUser(items[0]) : null;
}

export function findUserByEmailQuery(tableName: string, email: string): QueryCommandInput {
  return {
    TableName: tableName,
    IndexName: EMAIL_INDEX,
    KeyConditionExpression: 'email = :email',
    ExpressionAttributeValues: { ':email': email },
    Limit: 1,
  };
}
