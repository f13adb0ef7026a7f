// Follows (the Quick Photos lab).
//
//   entity   PK                 SK                     attributes
//   Follow   USER#<followed>    #FRIEND#<follower>     followedUser, followingUser, timestamp
//
// Followers are read from the followed user's own partition; who a user follows is read from
// InvertedIndex (SK #FRIEND#<follower>), then the followed users' profiles by key ("partial
// normalization": the follow item holds no profile data). Each user item keeps exact `followers`
// and `following` counts, moved in the same transaction as the follow item.
import type { BatchGetCommandInput, QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { AlreadyFollowingError, CannotFollowSelfError, notFound, NotFollowingError } from '../../errors.js';
import type { Item } from '../dynamo/batch.js';
import type { DataContext } from '../dynamo/context.js';
import { listBinding } from '../dynamo/cursor.js';
import { keys } from '../keys.js';
import { correctItem, loadPage } from '../dynamo/loaders.js';
import { lazyEdge, lazyPageInfo, type Connection, type Page, type PageArgs } from '../dynamo/pagination.js';
import { viewUserWithList } from '../users/profile.js';
import { formatTimestamp } from '../photos/photos.js';
import { INVERTED_INDEX } from '../table.js';
import { guardedTransaction, transactWrite, type GuardedAction, type GuardedTransaction } from '../dynamo/transactions.js';
import { getUsers, toUser, usersOf, type UserRecord } from '../users/users.js';

export interface FollowEdge {
  cursor: string;
  node: UserRecord;
  followedAt: string | null;
}

export interface UserConnection {
  edges: FollowEdge[];
  pageInfo: Connection<UserRecord>['pageInfo'];
}

/** Turns a raw follow item into its two usernames; fails loudly on an item that is not a follow. */
export function toFollow(item: Item): { followed: string; follower: string; followedAt: string | null } {
  const followed = keys.user.parsePk(String(item.PK));
  const follower = keys.follow.parseSk(String(item.SK));
  return { followed, follower, followedAt: typeof item.timestamp === 'string' ? item.timestamp : null };
}

// View followers for user: Query PK = USER#<u> AND begins_with(SK, #FRIEND#), then their profiles through the loader.
export async function listFollowers(ctx: DataContext, username: string, args: PageArgs): Promise<UserConnection> {
  const page = await (ctx.loaders.readAhead.take(followersBinding(username), args) ?? followersPage(ctx, username, args));
  return withProfiles(ctx, page, (f) => f.follower);
}

/** Starts reading a page of a user's followers beside the read of the user (dynamo/read-ahead.ts); listFollowers takes it. */
export function startFollowers(ctx: DataContext, username: string, args: PageArgs): void {
  ctx.loaders.readAhead.start(followersBinding(username), args, () => followersPage(ctx, username, args));
}

const followersBinding = (username: string) => listBinding('User.followers', username, undefined);

const followersPage = (ctx: DataContext, username: string, args: PageArgs) =>
  loadPage(ctx, {
    input: followersQuery(ctx.db.tableName, username),
    args,
    cursorKeys: ctx.cursorKeys,
    binding: followersBinding(username),
  });

// View a user and the first page of its followers: Query PK = USER#<u> AND SK BETWEEN #FRIEND# AND #METADATA#<u> (table); see profile.ts.
export function viewUserWithFollowers(ctx: DataContext, username: string, first: number): Promise<UserRecord | null> {
  return viewUserWithList(ctx, username, {
    input: followersQuery(ctx.db.tableName, username),
    binding: followersBinding(username),
    first,
    end: keys.follow.skPrefix,
    ascending: true,
    isListItem: (it) => String(it.SK).startsWith(keys.follow.skPrefix),
    next: (items) => items.map((f) => keys.user(toFollow(f).follower)),
  });
}

export function followersQuery(tableName: string, username: string): QueryCommandInput {
  return {
    TableName: tableName,
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.user.pk(username), ':prefix': keys.follow.skPrefix },
  };
}

// View followed for user: Query InvertedIndex, SK = #FRIEND#<u>, then their profiles through the loader.
export async function listFollowing(ctx: DataContext, username: string, args: PageArgs): Promise<UserConnection> {
  const page = await (ctx.loaders.readAhead.take(followingBinding(username), args) ?? followingPage(ctx, username, args));
  return withProfiles(ctx, page, (f) => f.followed);
}

/** Starts reading a page of whom a user follows beside the read of the user (dynamo/read-ahead.ts); listFollowing takes it. */
export function startFollowing(ctx: DataContext, username: string, args: PageArgs): void {
  ctx.loaders.readAhead.start(followingBinding(username), args, () => followingPage(ctx, username, args));
}

const followingBinding = (username: string) => listBinding('User.following', username, INVERTED_INDEX);

const followingPage = (ctx: DataContext, username: string, args: PageArgs) =>
  loadPage(ctx, {
    input: followingQuery(ctx.db.tableName, username),
    args,
    cursorKeys: ctx.cursorKeys,
    binding: followingBinding(username),
  });

export function followingQuery(tableName: string, username: string): QueryCommandInput {
  return {
    TableName: tableName,
    IndexName: INVERTED_INDEX,
    KeyConditionExpression: 'SK = :sk',
    ExpressionAttributeValues: { ':sk': keys.follow.sk(username) },
  };
}

// The profiles of a page come through the shared loader: one BatchGetItem per 100 distinct users,
// none for an empty page, and none for a user already loaded in this request.
async function withProfiles(ctx: DataContext, page: Page, who: (f: ReturnType<typeof toFollow>) => string): Promise<UserConnection> {
  const follows = page.items.map(toFollow);
  // Read with the page already when the page came with its user's Query (users/profile.ts).
  const users = page.related ? usersOf(await page.related) : await getUsers(ctx, follows.map(who));
  // A follow whose user no longer exists is left out rather than failing the whole list.
  const edges = page.items.flatMap((item, i): FollowEdge[] => {
    const node = users[i];
    return node ? [lazyEdge(node, item, page.cursorFor, { followedAt: follows[i]!.followedAt })] : [];
  });
  // The end cursor is the last item read, even when its user was left out, so paging never repeats it.
  const last = page.items.at(-1);
  return { edges, pageInfo: lazyPageInfo(page.hasNextPage, page.hasPreviousPage, edges[0], last && (() => page.cursorFor(last))) };
}

export function newFollowItem(followed: string, follower: string, at: string): Item {
  return { ...keys.follow(followed, follower), followedUser: followed, followingUser: follower, timestamp: at };
}

const counterUpdate = (tableName: string, username: string, attribute: 'followers' | 'following', delta: 1 | -1) => ({
  Update: {
    TableName: tableName,
    Key: keys.user(username),
    // Game-lab users have no counters: absent counts as zero.
    UpdateExpression: 'SET #n = if_not_exists(#n, :zero) + :delta',
    ConditionExpression: 'attribute_exists(PK)',
    ExpressionAttributeNames: { '#n': attribute },
    ExpressionAttributeValues: { ':zero': 0, ':delta': delta },
  },
});

// A missing user is reported as NOT_FOUND whatever else fails (ranks 1 and 2), the followed user first.
function counterUpdates(tableName: string, followed: string, follower: string, delta: 1 | -1): GuardedAction[] {
  return [
    {
      action: counterUpdate(tableName, followed, 'followers', delta),
      onConditionFailed: () => notFound(`The user ${followed}`),
      rank: 1,
    },
    {
      action: counterUpdate(tableName, follower, 'following', delta),
      onConditionFailed: () => notFound(`Your profile (${follower})`),
      rank: 2,
    },
  ];
}

/** Both users must exist; their counters move by one; the follow item is put if absent. */
export function followTransaction(tableName: string, item: Item): GuardedTransaction {
  const followed = item.followedUser as string;
  const follower = item.followingUser as string;
  return guardedTransaction([
    ...counterUpdates(tableName, followed, follower, 1),
    {
      action: { Put: { TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(PK)' } },
      onConditionFailed: () => new AlreadyFollowingError(followed),
      rank: 3,
    },
  ]);
}

/** Both users must exist; their counters move back by one; the follow item must exist and is deleted. */
export function unfollowTransaction(tableName: string, followed: string, follower: string): GuardedTransaction {
  return guardedTransaction([
    ...counterUpdates(tableName, followed, follower, -1),
    {
      action: { Delete: { TableName: tableName, Key: keys.follow(followed, follower), ConditionExpression: 'attribute_exists(PK)' } },
      onConditionFailed: () => new NotFollowingError(followed),
      rank: 3,
    },
  ]);
}

function checkNotSelf(followed: string, follower: string) {
  if (followed === follower) throw new CannotFollowSelfError();
}

// Follow user: TransactWriteItems, Update followed followers + 1 + Update follower following + 1 (both must exist) + Put follow if absent.
export async function followUser(ctx: DataContext, follower: string, followed: string): Promise<UserRecord> {
  checkNotSelf(followed, follower);
  const item = newFollowItem(followed, follower, formatTimestamp(ctx.now()));
  await transactWrite(ctx.db, followTransaction(ctx.db.tableName, item));
  correctItem(ctx.loaders, keys.follow(followed, follower), item);
  return readUsersAfterWrite(ctx, followed, follower);
}

// Unfollow user: TransactWriteItems, Update followed followers - 1 + Update follower following - 1 (both must exist) + Delete follow if present.
export async function unfollowUser(ctx: DataContext, follower: string, followed: string): Promise<UserRecord> {
  checkNotSelf(followed, follower);
  await transactWrite(ctx.db, unfollowTransaction(ctx.db.tableName, followed, follower));
  correctItem(ctx.loaders, keys.follow(followed, follower), null);
  return readUsersAfterWrite(ctx, followed, follower);
}

/** Both users, strongly consistent, in one BatchGetItem: the counts must include concurrent follows. */
export function usersAfterWriteBatchGet(tableName: string, followed: string, follower: string): BatchGetCommandInput {
  return { RequestItems: { [tableName]: { Keys: [keys.user(followed), keys.user(follower)], ConsistentRead: true } } };
}

// A transaction returns no items, so both users are re-read: BatchGetItem, ConsistentRead, and the loader corrected.
async function readUsersAfterWrite(ctx: DataContext, followed: string, follower: string): Promise<UserRecord> {
  const out = await ctx.db.batchGet(usersAfterWriteBatchGet(ctx.db.tableName, followed, follower));
  const got = out.Responses?.[ctx.db.tableName] ?? [];
  const find = (u: string) => got.find((it) => it.PK === keys.user.pk(u)) ?? null;
  // A key DynamoDB left unprocessed is cleared from the loader, which reads it again if asked.
  for (const u of [followed, follower]) correctItem(ctx.loaders, keys.user(u), find(u));
  const user = find(followed);
  if (user) return toUser(user);
  const [later] = await getUsers(ctx, [followed]);
  if (!later) throw notFound(`The user ${followed}`);
  return later;
}
