// The game's pure parts: every command input exactly, and how items become records.
import { describe, expect, it } from 'vitest';
import { gameStatus, labTime, storedTime, toGame, toParticipation } from '../../src/data/games/records.js';
import { gamesByMapQuery, openGamesQuery, openGamesScan, userGamesQuery } from '../../src/data/games/list-reads.js';
import { playersQuery, viewGameQuery } from '../../src/data/games/game-reads.js';
import {
  createGameTransaction,
  joinGameTransaction,
  joinRefusal,
  newGameItem,
  newPlayerItem,
  startGameUpdate,
} from '../../src/data/games/lobby-writes.js';
import { endGameTransaction, podiumQuery, recordResultTransaction } from '../../src/data/games/result-writes.js';

const ID = '3d4285f0-e52b-401a-a59b-112b38c4a26b';
const T = '2019-04-16T00:41:18';
const AT = new Date(`${T}Z`);

describe('game reads', () => {
  it('views a game and its players with one Query, reading enough for any first page', () => {
    expect(viewGameQuery('t', ID)).toStrictEqual({
      TableName: 't',
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :meta AND :end',
      ExpressionAttributeValues: { ':pk': `GAME#${ID}`, ':meta': `#METADATA#${ID}`, ':end': 'USER$' },
      Limit: 102,
    });
  });

  it("lists a game's players by their sort key prefix", () => {
    expect(playersQuery('t', ID)).toStrictEqual({
      TableName: 't',
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :user)',
      ExpressionAttributeValues: { ':pk': `GAME#${ID}`, ':user': 'USER#' },
    });
  });

  it('finds open games on a map oldest first, and on every map with a Scan of the sparse index', () => {
    expect(openGamesQuery('t', 'Green Grasslands')).toStrictEqual({
      TableName: 't',
      IndexName: 'OpenGamesIndex',
      KeyConditionExpression: '#map = :map',
      ExpressionAttributeNames: { '#map': 'map' },
      ExpressionAttributeValues: { ':map': 'Green Grasslands' },
      ScanIndexForward: true,
    });
    expect(openGamesScan('t')).toStrictEqual({ TableName: 't', IndexName: 'OpenGamesIndex' });
  });

  it('lists games by map newest first, bounded on either side or both', () => {
    const base = {
      TableName: 't',
      IndexName: 'GamesByMapIndex',
      ExpressionAttributeNames: { '#map': 'map' },
      ScanIndexForward: false,
    };
    expect(gamesByMapQuery('t', 'Dirty Desert', {})).toStrictEqual({
      ...base,
      KeyConditionExpression: '#map = :map',
      ExpressionAttributeValues: { ':map': 'Dirty Desert' },
    });
    expect(gamesByMapQuery('t', 'Dirty Desert', { from: 'a', to: 'b' })).toStrictEqual({
      ...base,
      KeyConditionExpression: '#map = :map AND create_time BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':map': 'Dirty Desert', ':from': 'a', ':to': 'b' },
    });
    expect(gamesByMapQuery('t', 'Dirty Desert', { from: 'a' })).toStrictEqual({
      ...base,
      KeyConditionExpression: '#map = :map AND create_time >= :from',
      ExpressionAttributeValues: { ':map': 'Dirty Desert', ':from': 'a' },
    });
    expect(gamesByMapQuery('t', 'Dirty Desert', { to: 'b' })).toStrictEqual({
      ...base,
      KeyConditionExpression: '#map = :map AND create_time <= :to',
      ExpressionAttributeValues: { ':map': 'Dirty Desert', ':to': 'b' },
    });
  });

  it("finds a user's games in the inverted index, skipping anything that is not a game", () => {
    expect(userGamesQuery('t', 'ana')).toStrictEqual({
      TableName: 't',
      IndexName: 'InvertedIndex',
      KeyConditionExpression: 'SK = :user AND begins_with(PK, :game)',
      ExpressionAttributeValues: { ':user': 'USER#ana', ':game': 'GAME#' },
    });
  });
});

describe('game records', () => {
  const lab = {
    PK: `GAME#${ID}`,
    SK: `#METADATA#${ID}`,
    game_id: ID,
    map: 'Green Grasslands',
    create_time: T,
    people: 17,
    creator: 'victoriapatrick',
    open_timestamp: T,
  };

  it("reads the lab's game items, and fails loudly on anything else", () => {
    expect(toGame(lab)).toStrictEqual({
      id: ID,
      map: 'Green Grasslands',
      creator: 'victoriapatrick',
      createdAt: T,
      openedAt: T,
      startedAt: null,
      endedAt: null,
      people: 17,
      gold: null,
      silver: null,
      bronze: null,
    });
    expect(() => toGame({ ...lab, SK: 'USER#x' })).toThrow(/Not a game item/);
    expect(() => toGame({ ...lab, people: '17' })).toThrow(/lacks/);
  });

  it('derives the status: finished, then started, then full at 50, else open', () => {
    const g = toGame(lab);
    expect(gameStatus(g)).toBe('OPEN');
    expect(gameStatus({ ...g, people: 50 })).toBe('FULL');
    expect(gameStatus({ ...g, people: 50, startedAt: T })).toBe('STARTED');
    // The lab's finished games end before they start; ended still wins.
    expect(gameStatus({ ...g, people: 50, startedAt: T, endedAt: '2019-04-16T00:00:00' })).toBe('FINISHED');
  });

  it('reads player items with and without results', () => {
    const item = { PK: `GAME#${ID}`, SK: 'USER#pboyd', game_id: ID, username: 'pboyd', place: 'gold' };
    expect(toParticipation(item)).toStrictEqual({
      gameId: ID,
      username: 'pboyd',
      place: 'gold',
      kills: null,
      damage: null,
      survivedSeconds: null,
      joinedAt: null,
    });
    expect(toParticipation({ ...item, place: undefined, kills: 2, damage: 10, survived_seconds: 30, joined_at: T })).toStrictEqual({
      gameId: ID,
      username: 'pboyd',
      place: null,
      kills: 2,
      damage: 10,
      survivedSeconds: 30,
      joinedAt: T,
    });
    expect(() => toParticipation({ ...item, place: 'GOLD' })).toThrow(/unknown place/);
    expect(() => toParticipation({ ...item, SK: 'USER#other' })).toThrow(/Not a player item/);
  });

  it("writes and compares timestamps in the lab's format", () => {
    expect(labTime(new Date('2030-01-02T03:04:05.678Z'))).toBe('2030-01-02T03:04:05');
    expect(storedTime('2019-04-16T00:41:18Z')).toBe(T);
    expect(storedTime('2019-04-16T00:41:18.5')).toBe('2019-04-16T00:41:18.5');
  });
});

describe('game writes', () => {
  it("creates the game and the creator's seat, checking the creator exists", () => {
    const game = newGameItem(ID, 'Juicy Jungle', 'ana', T);
    const seat = newPlayerItem(ID, 'ana', T);
    expect(game).toStrictEqual({
      PK: `GAME#${ID}`,
      SK: `#METADATA#${ID}`,
      game_id: ID,
      map: 'Juicy Jungle',
      create_time: T,
      people: 1,
      creator: 'ana',
      open_timestamp: T,
    });
    expect(seat).toStrictEqual({ PK: `GAME#${ID}`, SK: 'USER#ana', game_id: ID, username: 'ana', joined_at: T });
    expect(createGameTransaction('t', game, seat).input).toStrictEqual({
      TransactItems: [
        { Put: { TableName: 't', Item: game, ConditionExpression: 'attribute_not_exists(PK)' } },
        { Put: { TableName: 't', Item: seat, ConditionExpression: 'attribute_not_exists(PK)' } },
        { ConditionCheck: { TableName: 't', Key: { PK: 'USER#ana', SK: '#METADATA#ana' }, ConditionExpression: 'attribute_exists(PK)' } },
      ],
    });
  });

  const seatAndUser = [
    {
      Put: {
        TableName: 't',
        Item: { PK: `GAME#${ID}`, SK: 'USER#bo', game_id: ID, username: 'bo', joined_at: T },
        ConditionExpression: 'attribute_not_exists(SK)',
      },
    },
    { ConditionCheck: { TableName: 't', Key: { PK: 'USER#bo', SK: '#METADATA#bo' }, ConditionExpression: 'attribute_exists(PK)' } },
  ];

  it('joins below the last seat by counting up while the count stays below 49', () => {
    expect(joinGameTransaction('t', ID, 'bo', AT, 48).input).toStrictEqual({
      TransactItems: [
        ...seatAndUser,
        {
          Update: {
            TableName: 't',
            Key: { PK: `GAME#${ID}`, SK: `#METADATA#${ID}` },
            UpdateExpression: 'SET people = people + :one',
            ConditionExpression:
              'attribute_exists(open_timestamp) AND attribute_not_exists(start_time) AND (attribute_not_exists(expires_at) OR expires_at > :now) AND people < :last',
            ExpressionAttributeValues: { ':one': 1, ':last': 49, ':now': AT.getTime() / 1000 },
          },
        },
      ],
    });
  });

  it('takes the last seat by setting 50 and leaving the open-games index in the same write', () => {
    expect(joinGameTransaction('t', ID, 'bo', AT, 49).input).toStrictEqual({
      TransactItems: [
        ...seatAndUser,
        {
          Update: {
            TableName: 't',
            Key: { PK: `GAME#${ID}`, SK: `#METADATA#${ID}` },
            UpdateExpression: 'SET people = :capacity REMOVE open_timestamp, expires_at',
            ConditionExpression:
              'attribute_exists(open_timestamp) AND attribute_not_exists(start_time) AND (attribute_not_exists(expires_at) OR expires_at > :now) AND people = :last',
            ExpressionAttributeValues: { ':capacity': 50, ':last': 49, ':now': AT.getTime() / 1000 },
          },
        },
      ],
    });
  });

  it('tells from the old game item why a join was refused', () => {
    const open = { people: 10, open_timestamp: T };
    expect(joinRefusal(ID, null, AT)?.code).toBe('NOT_FOUND');
    expect(joinRefusal(ID, { ...open, start_time: T }, AT)?.code).toBe('GAME_NOT_OPEN');
    expect(joinRefusal(ID, { people: 50 }, AT)?.code).toBe('GAME_FULL');
    expect(joinRefusal(ID, { people: 50, open_timestamp: T }, AT)?.code).toBe('GAME_FULL');
    expect(joinRefusal(ID, { people: 12 }, AT)?.code).toBe('GAME_NOT_OPEN');
    // Past its TTL but not yet deleted: gone, as it is to readers; a second before, still open.
    expect(joinRefusal(ID, { ...open, expires_at: AT.getTime() / 1000 }, AT)?.code).toBe('NOT_FOUND');
    expect(joinRefusal(ID, { ...open, expires_at: AT.getTime() / 1000 + 1 }, AT)).toBeUndefined();
    // Open with a free seat: only the count moved, and the join is retried.
    expect(joinRefusal(ID, { ...open, people: 49 }, AT)).toBeUndefined();
  });

  it('starts a full game for its creator once', () => {
    expect(startGameUpdate('t', ID, 'ana', T, 'attempt-1')).toStrictEqual({
      TableName: 't',
      Key: { PK: `GAME#${ID}`, SK: `#METADATA#${ID}` },
      UpdateExpression: 'SET start_time = :now, start_attempt = :attempt REMOVE open_timestamp',
      ConditionExpression: 'people = :capacity AND creator = :me AND attribute_not_exists(start_time)',
      ExpressionAttributeValues: { ':now': T, ':attempt': 'attempt-1', ':capacity': 50, ':me': 'ana' },
    });
  });

  it('records a result while the game runs, for its creator or (without the creator check) its server', () => {
    const result = { place: 'silver' as const, kills: 3, damage: 1200, survivedSeconds: 640 };
    expect(recordResultTransaction('t', ID, 'bo', result, 'ana').input).toStrictEqual({
      TransactItems: [
        {
          ConditionCheck: {
            TableName: 't',
            Key: { PK: `GAME#${ID}`, SK: `#METADATA#${ID}` },
            ConditionExpression: 'attribute_exists(start_time) AND attribute_not_exists(end_time) AND creator = :me',
            ExpressionAttributeValues: { ':me': 'ana' },
          },
        },
        {
          Update: {
            TableName: 't',
            Key: { PK: `GAME#${ID}`, SK: 'USER#bo' },
            UpdateExpression: 'SET kills = :kills, damage = :damage, survived_seconds = :survived, place = :place',
            ConditionExpression: 'attribute_exists(SK)',
            ExpressionAttributeValues: { ':kills': 3, ':damage': 1200, ':survived': 640, ':place': 'silver' },
          },
        },
      ],
    });
    expect(recordResultTransaction('t', ID, 'bo', { ...result, place: null }, null).input).toStrictEqual({
      TransactItems: [
        {
          ConditionCheck: {
            TableName: 't',
            Key: { PK: `GAME#${ID}`, SK: `#METADATA#${ID}` },
            ConditionExpression: 'attribute_exists(start_time) AND attribute_not_exists(end_time)',
          },
        },
        {
          Update: {
            TableName: 't',
            Key: { PK: `GAME#${ID}`, SK: 'USER#bo' },
            UpdateExpression: 'SET kills = :kills, damage = :damage, survived_seconds = :survived REMOVE place',
            ConditionExpression: 'attribute_exists(SK)',
            ExpressionAttributeValues: { ':kills': 3, ':damage': 1200, ':survived': 640 },
          },
        },
      ],
    });
  });

  it("reads the podium with one consistent Query of the game's partition", () => {
    expect(podiumQuery('t', ID)).toStrictEqual({
      TableName: 't',
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :meta AND :end',
      FilterExpression: 'attribute_exists(create_time) OR attribute_exists(place)',
      ExpressionAttributeValues: { ':pk': `GAME#${ID}`, ':meta': `#METADATA#${ID}`, ':end': 'USER$' },
      ConsistentRead: true,
    });
  });

  it('ends a running game with the medals it has, checking each holder still holds it', () => {
    expect(endGameTransaction('t', ID, T, { gold: 'bo', bronze: 'cy' }).input).toStrictEqual({
      TransactItems: [
        {
          Update: {
            TableName: 't',
            Key: { PK: `GAME#${ID}`, SK: `#METADATA#${ID}` },
            UpdateExpression: 'SET end_time = :now, gold = :gold, bronze = :bronze',
            ConditionExpression: 'attribute_exists(start_time) AND attribute_not_exists(end_time)',
            ExpressionAttributeValues: { ':now': T, ':gold': 'bo', ':bronze': 'cy' },
          },
        },
        {
          ConditionCheck: {
            TableName: 't',
            Key: { PK: `GAME#${ID}`, SK: 'USER#bo' },
            ConditionExpression: 'place = :place',
            ExpressionAttributeValues: { ':place': 'gold' },
          },
        },
        {
          ConditionCheck: {
            TableName: 't',
            Key: { PK: `GAME#${ID}`, SK: 'USER#cy' },
            ConditionExpression: 'place = :place',
            ExpressionAttributeValues: { ':place': 'bronze' },
          },
        },
      ],
    });
    expect(endGameTransaction('t', ID, T, {}).input.TransactItems).toHaveLength(1);
  });
});
