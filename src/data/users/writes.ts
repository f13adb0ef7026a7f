// User writes: creating a user with its email guard, and updating a profile (moving the guard when
// the email changes). The key layout and the email rule are in users.ts's header.
import { EmailTakenError, notFound, UsernameTakenError } from '../../errors.js';
import type { Item } from '../dynamo/batch.js';
import type { DataContext } from '../dynamo/context.js';
import { keys } from '../keys.js';
import { correctItem } from '../dynamo/loaders.js';
import { guardedTransaction, transactWrite, type GuardedAction, type GuardedTransaction } from '../dynamo/transactions.js';
import { findUserByEmail, getUser, toUser, type UserRecord } from './users.js';

// Who holds an email, whatever its case (see users.ts's header): Query EmailIndex, email = :email, for the address as typed and lowercased.
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
