import { describe, expect, it } from 'vitest';
import {
  followersQuery,
  followingQuery,
  followTransaction,
  newFollowItem,
  toFollow,
  unfollowTransaction,
  usersAfterWriteBatchGet,
} from '../../src/data/follows/follows.js';

const T = 'photos';

describe('follow records', () => {
  it('reads a lab follow item', () => {
    expect(
      toFollow({
        PK: 'USER#parkjennifer',
        SK: '#FRIEND#jenniferharris',
        followedUser: 'parkjennifer',
        followingUser: 'jenniferharris',
        timestamp: '2019-05-10T00:10:47',
      }),
    ).toStrictEqual({ followed: 'parkjennifer', follower: 'jenniferharris', followedAt: '2019-05-10T00:10:47' });
  });

  it('refuses an item that is not a follow', () => {
    expect(() => toFollow({ PK: 'USER#ana', SK: '#METADATA#ana' })).toThrow(/#FRIEND#/);
  });

  it('builds a follow item as the lab stores it', () => {
    expect(newFollowItem('ana', 'bo', '2026-01-01T00:00:00.000')).toStrictEqual({
      PK: 'USER#ana',
      SK: '#FRIEND#bo',
      followedUser: 'ana',
      followingUser: 'bo',
      timestamp: '2026-01-01T00:00:00.000',
    });
  });
});

describe('follow command inputs', () => {
  it("queries a user's followers from their own partition", () => {
    expect(followersQuery(T, 'ana')).toStrictEqual({
      TableName: T,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': 'USER#ana', ':prefix': '#FRIEND#' },
    });
  });

  it('queries who a user follows through InvertedIndex', () => {
    expect(followingQuery(T, 'bo')).toStrictEqual({
      TableName: T,
      IndexName: 'InvertedIndex',
      KeyConditionExpression: 'SK = :sk',
      ExpressionAttributeValues: { ':sk': '#FRIEND#bo' },
    });
  });

  const counter = (username: string, attribute: string, delta: number) => ({
    Update: {
      TableName: T,
      Key: { PK: `USER#${username}`, SK: `#METADATA#${username}` },
      UpdateExpression: 'SET #n = if_not_exists(#n, :zero) + :delta',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeNames: { '#n': attribute },
      ExpressionAttributeValues: { ':zero': 0, ':delta': delta },
    },
  });

  it('follows in one transaction: both counters up on existing users, the follow only if absent', () => {
    const item = newFollowItem('ana', 'bo', '2026-01-01T00:00:00.000');
    expect(followTransaction(T, item).input).toStrictEqual({
      TransactItems: [
        counter('ana', 'followers', 1),
        counter('bo', 'following', 1),
        { Put: { TableName: T, Item: item, ConditionExpression: 'attribute_not_exists(PK)' } },
      ],
    });
  });

  it('unfollows in one transaction: both counters down, the follow only if present', () => {
    expect(unfollowTransaction(T, 'ana', 'bo').input).toStrictEqual({
      TransactItems: [
        counter('ana', 'followers', -1),
        counter('bo', 'following', -1),
        { Delete: { TableName: T, Key: { PK: 'USER#ana', SK: '#FRIEND#bo' }, ConditionExpression: 'attribute_exists(PK)' } },
      ],
    });
  });

  it('re-reads both users strongly consistently in one BatchGetItem', () => {
    expect(usersAfterWriteBatchGet(T, 'ana', 'bo')).toStrictEqual({
      RequestItems: {
        [T]: {
          Keys: [
            { PK: 'USER#ana', SK: '#METADATA#ana' },
            { PK: 'USER#bo', SK: '#METADATA#bo' },
          ],
          ConsistentRead: true,
        },
      },
    });
  });
});
