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
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { EmailTakenError, notFound, UsernameTakenError } from '../../errors.js';
import type { Item } from '../dynamo/batch.js';
import type { DataContext } from '../dynamo/context.js';
import { keys } from '../keys.js';
import { correctItem, primeItems } from '../dynamo/loaders.js';
import { EMAIL_INDEX } from '../table.js';
import { guardedTransaction, transactWrite, type GuardedAction, type GuardedTransaction } from '../dynamo/transactions.js';

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

// Who holds an email, whatever its case (see the header): Query EmailIndex, email = :email, for the address as typed and lowercased.
async function findEmailHolders(ctx: DataContext, email: string): Promise<UserRecord[]> {
  const variants = [...new Set([email, email.toLowerCase()])];
  const found = await Promise.all(variants.map((v) => findUserByEmail(ctx, v)));
  return found.filter((u): u is UserRecord => u !== null);
}

// Who holds an email's guard: GetItem EMAIL#<lowercased email>, consistent (a guard we just moved must be seen).
async function emailGuardHolder(ctx: DataContext, email: string): Promise<string | null> {
  const out = await ctx.db.get({ TableName: ctx.db.tableName, Key: keys.emailGuard(email), ConsistentRead: true });
  return typeof out.Item?.username === 'string' ? out.Item.username : null;
}

export interface NewUser {
  username: string;
  name: string;
  email: string;
  birthdate?: string | null;
  address?: string | null;
  status?: string | null;
  interests?: readonly string[] | null;
}

export function newUserItem(u: NewUser): Item {
  return {
    ...keys.user(u.username),
    username: u.username,
    name: u.name,
    email: u.email,
    ...(u.birthdate ? { birthdate: u.birthdate } : {}),
    ...(u.address ? { address: u.address } : {}),
    ...(u.status ? { status: u.status } : {}),
    interests: [...(u.interests ?? [])],
    followers: 0,
    following: 0,
  };
}

/** The user and its email guard, each only if absent. */
export function createUserTransaction(tableName: string, item: Item): GuardedTransaction {
  const email = item.email as string;
  return guardedTransaction([
    {
      action: { Put: { TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(PK)' } },
      onConditionFailed: () => new UsernameTakenError(String(item.username)),
      rank: 1,
    },
    {
      action: {
        Put: {
          TableName: tableName,
          Item: { ...keys.emailGuard(email), username: item.username },
          ConditionExpression: 'attribute_not_exists(PK)',
        },
      },
      onConditionFailed: () => new EmailTakenError(email),
      rank: 2,
    },
  ]);
}

// Create a user: TransactWriteItems, Put user if absent + Put email guard if absent.
export async function createUser(ctx: DataContext, input: NewUser): Promise<UserRecord> {
  // Users loaded from the labs' data have no email guard item, so the index is checked too.
  if ((await findEmailHolders(ctx, input.email)).length) throw new EmailTakenError(input.email);
  const item = newUserItem(input);
  await transactWrite(ctx.db, createUserTransaction(ctx.db.tableName, item));
  correctItem(ctx.loaders, keys.user(input.username), item);
  return toUser(item);
}

export interface UserChanges {
  name?: string;
  email?: string;
  birthdate?: string | null;
  address?: string | null;
  status?: string | null;
  interests?: readonly string[];
  /** A photo sort key to pin, or null to unpin. */
  pinnedImage?: string | null;
}

const ATTRIBUTE: Record<keyof UserChanges, string> = {
  name: 'name',
  email: 'email',
  birthdate: 'birthdate',
  address: 'address',
  status: 'status',
  interests: 'interests',
  pinnedImage: 'pinnedImage',
};

/**
 * Updates the user (which must exist), takes the new email's guard when the email changes (and
 * releases the old one only if `holdsOldGuard`: a lab user has none, and another's is theirs to
 * keep), and checks a pinned photo exists.
 */
export function updateUserTransaction(
  tableName: string,
  username: string,
  changes: UserChanges,
  oldEmail: string | null,
  holdsOldGuard: boolean,
): GuardedTransaction {
  const sets: string[] = [];
  const removes: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(changes) as [keyof UserChanges, unknown][]) {
    if (value === undefined) continue;
    names[`#${field}`] = ATTRIBUTE[field];
    if (value === null) removes.push(`#${field}`);
    else {
      sets.push(`#${field} = :${field}`);
      values[`:${field}`] = value;
    }
  }
  const update = [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : '']
    .filter(Boolean)
    .join(' ');
  const actions: GuardedAction[] = [
    {
      action: {
        Update: {
          TableName: tableName,
          Key: keys.user(username),
          UpdateExpression: update,
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: names,
          ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
        },
      },
      onConditionFailed: () => notFound(`The user ${username}`),
      rank: 1,
    },
  ];
  const newEmail = changes.email;
  if (newEmail && newEmail.toLowerCase() !== oldEmail?.toLowerCase()) {
    actions.push({
      action: {
        Put: { TableName: tableName, Item: { ...keys.emailGuard(newEmail), username }, ConditionExpression: 'attribute_not_exists(PK)' },
      },
      onConditionFailed: () => new EmailTakenError(newEmail),
      rank: 2,
    });
    if (oldEmail && holdsOldGuard) {
      actions.push({
        action: {
          Delete: {
            TableName: tableName,
            Key: keys.emailGuard(oldEmail),
            ConditionExpression: 'username = :me',
            ExpressionAttributeValues: { ':me': username },
          },
        },
        // Our guard moved since it was read (a concurrent change of our own email): a conflict, try again.
        onConditionFailed: () => undefined,
        rank: 3,
      });
    }
  }
  if (changes.pinnedImage) {
    const { owner, timestamp } = keys.photo.parseSk(changes.pinnedImage);
    actions.push({
      action: { ConditionCheck: { TableName: tableName, Key: keys.photo(owner, timestamp), ConditionExpression: 'attribute_exists(PK)' } },
      onConditionFailed: () => notFound('The photo to pin'),
      rank: 4,
    });
  }
  return guardedTransaction(actions);
}

// Update a user's profile: TransactWriteItems, Update user if it exists (+ email guard move, + pinned photo check).
export async function updateUser(ctx: DataContext, username: string, changes: UserChanges): Promise<UserRecord> {
  const current = await getUser(ctx, username);
  if (!current) throw notFound(`The user ${username}`);
  let holdsOldGuard = false;
  if (changes.email && changes.email.toLowerCase() !== current.email?.toLowerCase()) {
    const [holders, oldGuard] = await Promise.all([
      findEmailHolders(ctx, changes.email),
      current.email ? emailGuardHolder(ctx, current.email) : null,
    ]);
    if (holders.some((h) => h.username !== username)) throw new EmailTakenError(changes.email);
    holdsOldGuard = oldGuard === username;
  }
  const hasChange = Object.values(changes).some((v) => v !== undefined);
  if (hasChange) {
    await transactWrite(ctx.db, updateUserTransaction(ctx.db.tableName, username, changes, current.email, holdsOldGuard));
  }
  // The transaction returns nothing, so the new profile is the old one with the changes applied
  // (counters come from the read above; a concurrent follow may have moved them since).
  const item = { ...(await ctx.loaders.item.load(keys.user(username))) } as Item;
  for (const [field, value] of Object.entries(changes) as [keyof UserChanges, unknown][]) {
    if (value === undefined) continue;
    if (value === null) delete item[ATTRIBUTE[field]];
    else item[ATTRIBUTE[field]] = value;
  }
  correctItem(ctx.loaders, keys.user(username), item);
  return toUser(item);
}
