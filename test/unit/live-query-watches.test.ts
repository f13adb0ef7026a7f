// The serverless flavour's watch items: a read set filed by (table or index, partition), the keys a
// stream record is looked up by (the container matcher's own recordSlots), and the key formats
// that keep watch items out of the delivery function's invocations and inside the local TTL sweep.
import { describe, expect, it } from 'vitest';
import { isConnectionBookkeeping } from '../../src/data/connections/removal.js';
import { watchesOf, watchKeysOf } from '../../src/data/connections/watches.js';
import { ReadSet, TABLE_INDEX } from '../../src/data/dynamo/read-set.js';
import { keys } from '../../src/data/keys.js';
import { GAMES_BY_MAP_INDEX, INVERTED_INDEX, OPEN_GAMES_INDEX } from '../../src/data/table.js';
import { recordSlots } from '../../src/live/query/match.js';
import { DELIVERY_FILTER_PATTERN } from '../../src/serverless/filter.js';
import { matchesFilter } from '../helpers/stream-source-emulator.js';

describe('watch items', () => {
  it('file a read set by (table or index, partition), every range of one partition in one watch', () => {
    const reads = new ReadSet(0);
    reads.key(keys.game('g1'));
    reads.query(
      {
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)',
        ExpressionAttributeValues: { ':pk': 'GAME#g1', ':p': 'USER#' },
      },
      undefined,
    );
    reads.key(keys.user('ana'));
    reads.scan(OPEN_GAMES_INDEX);
    const watches = watchesOf(reads.ranges);
    expect(watches.map((w) => [w.index, w.partition, w.ranges.length])).toEqual([
      [TABLE_INDEX, 'GAME#g1', 2],
      [TABLE_INDEX, 'USER#ana', 1],
      [OPEN_GAMES_INDEX, null, 1],
    ]);
    const item = {
      ...keys.ws.subscription('c1', 's#1'),
      connection_id: 'c1',
      watches: JSON.stringify(watches),
      earliest_expiry: 1_700_000_000,
    };
    expect(watchKeysOf(item)).toEqual([
      { PK: 'WSWATCH#table#GAME#g1', SK: 'c1#s#1' },
      { PK: 'WSWATCH#table#USER#ana', SK: 'c1#s#1' },
      { PK: 'WSWATCH#OpenGamesIndex', SK: 'c1#s#1' },
      { PK: 'WSWATCH#@EXPIRY', SK: '1700000000#c1#s#1' },
    ]);
  });

  it('are looked up by each key a record’s old and new image has, each once', () => {
    const before = { ...keys.game('g1'), map: 'Green Grasslands', create_time: 't0', open_timestamp: 't0', people: 1 };
    const after = { ...before, people: 2 };
    delete (after as Partial<typeof after>).open_timestamp; // the game filled up: it leaves OpenGamesIndex
    const slots = recordSlots({ keys: keys.game('g1'), oldImage: before, newImage: after });
    expect(slots.map((s) => [s.index, s.partition, s.sort])).toEqual([
      [TABLE_INDEX, 'GAME#g1', '#METADATA#g1'],
      [INVERTED_INDEX, '#METADATA#g1', 'GAME#g1'],
      [OPEN_GAMES_INDEX, 'Green Grasslands', 't0'],
      [GAMES_BY_MAP_INDEX, 'Green Grasslands', 't0'],
    ]);
    // A removal without images (DynamoDB Local's TTL): its table key only.
    expect(recordSlots({ keys: keys.game('g1') })).toHaveLength(1);
  });

  it('never invoke the delivery function and are swept with the other WebSocket items', () => {
    for (const key of [
      keys.ws.watch(TABLE_INDEX, 'GAME#g1', 'c1', 's1'),
      keys.ws.watch(OPEN_GAMES_INDEX, null, 'c1', 's1'),
      keys.ws.expiryWatch(1, 'c1', 's1'),
    ]) {
      expect(matchesFilter(DELIVERY_FILTER_PATTERN, { dynamodb: { Keys: { PK: { S: key.PK } } } })).toBe(false);
      expect(isConnectionBookkeeping(key)).toBe(true);
    }
    expect(matchesFilter(DELIVERY_FILTER_PATTERN, { dynamodb: { Keys: { PK: { S: 'GAME#g1' } } } })).toBe(true);
  });
});
