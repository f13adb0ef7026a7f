// The serverless WebSocket's command inputs, built purely (src/data/connections/), the positions
// the replay window sorts by, a fan-out's sort-key order, and the delivery function's filter criteria as Lambda applies them.
import { describe, expect, it } from 'vitest';
import { compareSortKeys } from '../../src/data/connections/fan-out.js';
import { acknowledgeInput, addSubscriptionInput, connectionExpiry, openConnectionInput } from '../../src/data/connections/connections.js';
import { positionOf } from '../../src/data/connections/replay.js';
import { DELIVERY_FILTER_PATTERN } from '../../src/serverless/filter.js';
import { matchesFilter } from '../helpers/stream-source-emulator.js';

describe('connection items', () => {
  it('opens a connection unacknowledged, with the TTL attribute 2 h 10 min out', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const expiresAt = connectionExpiry(now);
    expect(expiresAt - now.getTime() / 1000).toBe(2 * 3_600 + 600);
    expect(openConnectionInput('T', { connectionId: 'abc=', callbackUrl: 'https://x/dev', connectedAt: 1, expiresAt })).toStrictEqual({
      TableName: 'T',
      Item: {
        PK: 'WSCONN#abc=',
        SK: '#CONNECTION',
        connection_id: 'abc=',
        callback_url: 'https://x/dev',
        connected_at: 1,
        acknowledged: false,
        expires_at: expiresAt,
      },
    });
  });

  it('acknowledges once: the condition refuses a second connection_init and a connection that is gone', () => {
    expect(acknowledgeInput('T', 'abc=', { username: 'ana', role: null, expiresAt: 5 })).toStrictEqual({
      TableName: 'T',
      Key: { PK: 'WSCONN#abc=', SK: '#CONNECTION' },
      UpdateExpression: 'SET acknowledged = :yes, viewer = :viewer, #role = :role, token_expires_at = :exp',
      ConditionExpression: 'attribute_exists(PK) AND acknowledged = :no',
      ExpressionAttributeNames: { '#role': 'role' },
      ExpressionAttributeValues: { ':yes': true, ':no': false, ':viewer': 'ana', ':role': null, ':exp': 5 },
    });
  });

  it("adds a subscription as three actions: the connection must exist, the id must be new, and the topic's subscriber item", () => {
    const input = addSubscriptionInput('T', {
      connectionId: 'abc=',
      subscriptionId: '1',
      topic: 'game:g1',
      callbackUrl: 'https://x/dev',
      document: 'subscription { x }',
      variables: {},
      operationName: null,
      viewer: null,
      lastPosition: '0001#000000',
      caughtUpAt: null,
      expiresAt: 99,
    });
    expect(input.TransactItems.map((a) => Object.keys(a)[0])).toEqual(['ConditionCheck', 'Put', 'Put']);
    expect(input.TransactItems[0]).toStrictEqual({
      ConditionCheck: { TableName: 'T', Key: { PK: 'WSCONN#abc=', SK: '#CONNECTION' }, ConditionExpression: 'attribute_exists(PK)' },
    });
    expect(input.TransactItems[1]).toStrictEqual({
      Put: {
        TableName: 'T',
        Item: { PK: 'WSCONN#abc=', SK: 'SUB#1', topic: 'game:g1', expires_at: 99 },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    });
    expect(input.TransactItems[2]!.Put!.Item).toMatchObject({
      PK: 'WSTOPIC#game:g1',
      SK: 'SUB#abc=#1',
      last_pos: '0001#000000',
      expires_at: 99,
    });
  });
});

describe("a fan-out's progress", () => {
  it('compares sort keys as DynamoDB orders them (UTF-8 bytes), not as JavaScript does past U+FFFF', () => {
    expect(compareSortKeys('SUB#a#\u{10000}', 'SUB#a#\uffff')).toBeGreaterThan(0);
    expect('SUB#a#\u{10000}' < 'SUB#a#\uffff').toBe(true);
    expect(compareSortKeys('SUB#a#1', 'SUB#a#1')).toBe(0);
    expect(compareSortKeys('SUB#a#1', 'SUB#b#1')).toBeLessThan(0);
  });
});

describe('replay positions', () => {
  it('sort as the stream does, whatever the number of digits, then by the event within its record', () => {
    const sorted = [positionOf('1000', 0), positionOf('999', 3), positionOf('999', 12), positionOf('2', 0)].sort();
    expect(sorted).toEqual([positionOf('2', 0), positionOf('999', 3), positionOf('999', 12), positionOf('1000', 0)]);
  });
});

describe("the delivery function's filter criteria", () => {
  const record = (PK: string) => ({ dynamodb: { Keys: { PK: { S: PK }, SK: { S: 'x' } } } });
  it('let through the entities that can be events and nothing of the WebSocket, the lease or the email guards', () => {
    for (const pk of ['GAME#1', 'USER#ana', 'REACTION#ana#heart']) expect(matchesFilter(DELIVERY_FILTER_PATTERN, record(pk))).toBe(true);
    for (const pk of ['WSCONN#abc=', 'WSTOPIC#game:1', 'WSREPLAY#game:1', 'LIVE#LEASE', 'EMAIL#a@b.c']) {
      expect(matchesFilter(DELIVERY_FILTER_PATTERN, record(pk))).toBe(false);
    }
  });
});
