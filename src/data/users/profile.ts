// A user's partition holds, in sort-key order, its follow items (#FRIEND#<follower>), the user's
// own item (#METADATA#<u>) and its photos (PHOTO#<u>#<timestamp>). So one Query can read the user
// with the first page of its followers (ascending, ending at the user's item) or of its photos
// (newest first, ending at it), as the photo lab reads a user with its photos: when the page
// holds the whole list, the profile comes in the same call. The list's head waits in the request's
// ReadAhead (src/data/dynamo/read-ahead.ts) for the list's own resolver.
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Item } from '../dynamo/batch.js';
import type { DataContext } from '../dynamo/context.js';
import type { ListBinding } from '../dynamo/cursor.js';
import { keys, type Key } from '../keys.js';
import { correctItem } from '../dynamo/loaders.js';
import { getUser, toUser, type UserRecord } from './users.js';

export interface ListAhead {
  /** The list's own Query, whose positions its cursors hold, and its binding. */
  input: QueryCommandInput;
  binding: ListBinding;
  first: number;
  /** The far end of the list's sort-key range, and whether the list runs towards the user's item (ascending). */
  end: string;
  ascending: boolean;
  isListItem: (item: Item) => boolean;
  /** Keys the list's resolver reads next for a page, requested at once so a profile read by key shares their BatchGetItem. */
  next?: (items: Item[]) => Key[];
}

// View a user with the first page of one of its lists: Query PK = USER#<u> AND SK BETWEEN <list end> AND #METADATA#<u> (table).
export async function viewUserWithList(ctx: DataContext, username: string, list: ListAhead): Promise<UserRecord | null> {
  const out = await ctx.db.query(userWithListQuery(ctx.db.tableName, username, list));
  const items = out.Items ?? [];
  const metaSk = keys.user.metadataSk(username);
  const user = items.find((it) => it.SK === metaSk);
  // The range ends at the user's item, so reading it (or reading the whole range) means the list ended.
  const head = items.filter(list.isListItem);
  // loadMany never rejects: a key's failure reaches the list's resolver in its place. The list's
  // resolver takes these reads with the page rather than asking the loader for each key again.
  const related = list.next && { first: list.first, items: ctx.loaders.item.loadMany(list.next(head.slice(0, list.first))) };
  ctx.loaders.readAhead.put({
    binding: list.binding,
    input: list.input,
    cursorKeys: ctx.cursorKeys,
    items: head,
    ended: Boolean(user) || !out.LastEvaluatedKey,
    ...(related ? { related } : {}),
  });
  if (user) {
    correctItem(ctx.loaders, keys.user(username), user);
    return toUser(user);
  }
  // The whole range was read and holds no user item: the user does not exist.
  if (!out.LastEvaluatedKey) {
    correctItem(ctx.loaders, keys.user(username), null);
    return null;
  }
  return getUser(ctx, username);
}

export function userWithListQuery(
  tableName: string,
  username: string,
  list: Pick<ListAhead, 'first' | 'end' | 'ascending'>,
): QueryCommandInput {
  const metaSk = keys.user.metadataSk(username);
  return {
    TableName: tableName,
    KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': keys.user.pk(username),
      ':from': list.ascending ? list.end : metaSk,
      ':to': list.ascending ? metaSk : list.end,
    },
    ScanIndexForward: list.ascending,
    // The page, one more item for an exact hasNextPage, and the user's item after them.
    Limit: list.first + 2,
  };
}
