import { describe, expect, it } from 'vitest';
import { formatTimestamp, photoReactionsQuery, toPhoto, toReaction, userPhotosQuery } from '../../src/data/photos/photos.js';
import {
  newPhotoItem,
  newReactionItem,
  reactTransaction,
  removeReactionTransaction,
  uploadPhotoTransaction,
} from '../../src/data/photos/writes.js';

const T = 'photos';

describe('photo records', () => {
  it('reads a lab photo item, naming +1 thumbsUp', () => {
    const item = {
      PK: 'USER#david83',
      SK: 'PHOTO#david83#2018-06-27T09:17:56',
      username: 'david83',
      timestamp: '2018-06-27T09:17:56',
      location: 's3://quick-photos/photos/david83/2018-06-27T09:17:56.png',
      reactions: { '+1': 2, smiley: 0, sunglasses: 1, heart: 3 },
    };
    expect(toPhoto(item)).toStrictEqual({
      owner: 'david83',
      timestamp: '2018-06-27T09:17:56',
      location: 's3://quick-photos/photos/david83/2018-06-27T09:17:56.png',
      reactionCounts: { heart: 3, smiley: 0, thumbsUp: 2, sunglasses: 1 },
    });
  });

  it('refuses an item that is not a photo', () => {
    expect(() => toPhoto({ PK: 'USER#ana', SK: '#METADATA#ana', username: 'ana' })).toThrow(/PHOTO#/);
    expect(() => toPhoto({ PK: 'REACTION#bo#heart', SK: 'PHOTO#ana#2019-01-01T00:00:00', location: 'x' })).toThrow(/Not a photo/);
  });

  it('reads a lab reaction item', () => {
    const item = {
      PK: 'REACTION#kennedyheather#+1',
      SK: 'PHOTO#david83#2018-06-27T09:17:56',
      reactingUser: 'kennedyheather',
      photo: 'PHOTO#david83#2018-06-27T09:17:56',
      reactionType: '+1',
      timestamp: '2018-09-02T21:09:56',
    };
    expect(toReaction(item)).toStrictEqual({
      user: 'kennedyheather',
      type: 'THUMBS_UP',
      owner: 'david83',
      photoTimestamp: '2018-06-27T09:17:56',
      reactedAt: '2018-09-02T21:09:56',
    });
    expect(() => toReaction({ ...item, PK: 'REACTION#kennedyheather#wink' })).toThrow(/Not a reaction/);
  });
});

describe('timestamps', () => {
  it('writes UTC to the millisecond without a zone, sorting after a lab stamp of the same second', () => {
    const ts = formatTimestamp(new Date('2026-11-21T05:45:07.123Z'));
    expect(ts).toBe('2026-11-21T05:45:07.123');
    expect(['2026-11-21T05:45:08', ts, '2026-11-21T05:45:07'].sort()).toStrictEqual(['2026-11-21T05:45:07', ts, '2026-11-21T05:45:08']);
  });
});

describe('photo command inputs', () => {
  it("queries a user's photos newest first", () => {
    expect(userPhotosQuery(T, 'ana')).toStrictEqual({
      TableName: T,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': 'USER#ana', ':prefix': 'PHOTO#ana#' },
      ScanIndexForward: false,
    });
  });

  it("queries a photo's reactions from its InvertedIndex partition", () => {
    expect(photoReactionsQuery(T, 'ana', '2019-04-16T00:41:18')).toStrictEqual({
      TableName: T,
      IndexName: 'InvertedIndex',
      KeyConditionExpression: 'SK = :sk AND begins_with(PK, :prefix)',
      ExpressionAttributeValues: { ':sk': 'PHOTO#ana#2019-04-16T00:41:18', ':prefix': 'REACTION#' },
    });
  });

  it('builds a new photo with all four counts at zero', () => {
    expect(newPhotoItem('ana', '2026-11-21T05:45:07.123', 'https://img.example.com/a.png')).toStrictEqual({
      PK: 'USER#ana',
      SK: 'PHOTO#ana#2026-11-21T05:45:07.123',
      username: 'ana',
      timestamp: '2026-11-21T05:45:07.123',
      location: 'https://img.example.com/a.png',
      reactions: { heart: 0, smiley: 0, '+1': 0, sunglasses: 0 },
    });
  });

  it('uploads only to a free key, for an owner who exists', () => {
    const item = newPhotoItem('ana', '2026-11-21T05:45:07.123', 's3://b/k.png');
    expect(uploadPhotoTransaction(T, item).input).toStrictEqual({
      TransactItems: [
        { Put: { TableName: T, Item: item, ConditionExpression: 'attribute_not_exists(SK)' } },
        { ConditionCheck: { TableName: T, Key: { PK: 'USER#ana', SK: '#METADATA#ana' }, ConditionExpression: 'attribute_exists(PK)' } },
      ],
    });
  });

  it('stores a reaction as the lab does', () => {
    expect(newReactionItem('bo', 'THUMBS_UP', 'ana', '2019-04-16T00:41:18', '2026-01-01T00:00:00.000')).toStrictEqual({
      PK: 'REACTION#bo#+1',
      SK: 'PHOTO#ana#2019-04-16T00:41:18',
      reactingUser: 'bo',
      reactionType: '+1',
      photo: 'PHOTO#ana#2019-04-16T00:41:18',
      timestamp: '2026-01-01T00:00:00.000',
    });
  });

  it('reacts in one transaction: count + 1 on an existing photo, by an existing user, reaction only if absent', () => {
    const reaction = newReactionItem('bo', 'HEART', 'ana', '2019-04-16T00:41:18', '2026-01-01T00:00:00.000');
    expect(reactTransaction(T, reaction, 'ana', '2019-04-16T00:41:18').input).toStrictEqual({
      TransactItems: [
        {
          Update: {
            TableName: T,
            Key: { PK: 'USER#ana', SK: 'PHOTO#ana#2019-04-16T00:41:18' },
            UpdateExpression: 'SET reactions.#t = reactions.#t + :one',
            ConditionExpression: 'attribute_exists(PK)',
            ExpressionAttributeNames: { '#t': 'heart' },
            ExpressionAttributeValues: { ':one': 1 },
          },
        },
        { ConditionCheck: { TableName: T, Key: { PK: 'USER#bo', SK: '#METADATA#bo' }, ConditionExpression: 'attribute_exists(PK)' } },
        { Put: { TableName: T, Item: reaction, ConditionExpression: 'attribute_not_exists(PK)' } },
      ],
    });
  });

  it('removes a reaction in one transaction: count - 1 only while positive, reaction only if present', () => {
    expect(removeReactionTransaction(T, 'bo', 'THUMBS_UP', 'ana', '2019-04-16T00:41:18').input).toStrictEqual({
      TransactItems: [
        {
          Update: {
            TableName: T,
            Key: { PK: 'USER#ana', SK: 'PHOTO#ana#2019-04-16T00:41:18' },
            UpdateExpression: 'SET reactions.#t = reactions.#t - :one',
            ConditionExpression: 'attribute_exists(PK) AND reactions.#t > :zero',
            ExpressionAttributeNames: { '#t': '+1' },
            ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
          },
        },
        {
          Delete: {
            TableName: T,
            Key: { PK: 'REACTION#bo#+1', SK: 'PHOTO#ana#2019-04-16T00:41:18' },
            ConditionExpression: 'attribute_exists(PK)',
          },
        },
      ],
    });
  });
});
