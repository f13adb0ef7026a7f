import { describe, expect, it } from 'vitest';
import { compareKeys, indexKeysOf, inRange, keyConditionRange, ReadSet, TABLE_INDEX } from '../../src/data/dynamo/read-set.js';

const since = 1_000;

describe('read sets', () => {
  it('record every requested key once, found or not, as a one-key range of the table', () => {
    const r = new ReadSet(since);
    r.key({ PK: 'USER#ana', SK: '#METADATA#ana' });
    r.key({ PK: 'USER#ana', SK: '#METADATA#ana' });
    r.key({ PK: 'USER#bob', SK: '#METADATA#bob' });
    expect(r.ranges).toEqual([
      {
        index: TABLE_INDEX,
        partition: 'USER#ana',
        lo: { value: '#METADATA#ana', inclusive: true },
        hi: { value: '#METADATA#ana', inclusive: true },
      },
      {
        index: TABLE_INDEX,
        partition: 'USER#bob',
        lo: { value: '#METADATA#bob', inclusive: true },
        hi: { value: '#METADATA#bob', inclusive: true },
      },
    ]);
  });

  it("record a Query's key condition on the table: partition and BETWEEN", () => {
    const r = new ReadSet(since);
    r.query(
      {
        KeyConditionExpression: 'PK = :pk AND SK BETWEEN :meta AND :end',
        ExpressionAttributeValues: { ':pk': 'GAME#g1', ':meta': '#METADATA#g1', ':end': 'USER$' },
      },
      undefined,
    );
    expect(r.ranges).toEqual([
      { index: TABLE_INDEX, partition: 'GAME#g1', lo: { value: '#METADATA#g1', inclusive: true }, hi: { value: 'USER$', inclusive: true } },
    ]);
  });

  it('cut a range where the Query stopped (LastEvaluatedKey) and where it started (ExclusiveStartKey)', () => {
    const r = new ReadSet(since);
    r.query(
      {
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :user)',
        ExpressionAttributeValues: { ':pk': 'GAME#g1', ':user': 'USER#' },
        ExclusiveStartKey: { PK: 'GAME#g1', SK: 'USER#bob' },
      },
      { PK: 'GAME#g1', SK: 'USER#kim' },
    );
    const [range] = r.ranges;
    expect(range).toEqual({
      index: TABLE_INDEX,
      partition: 'GAME#g1',
      prefix: 'USER#',
      lo: { value: 'USER#bob', inclusive: true },
      hi: { value: 'USER#kim', inclusive: true },
    });
    expect(inRange(range!, 'USER#dan')).toBe(true);
    expect(inRange(range!, 'USER#zoe')).toBe(false); // beyond where the page stopped
    expect(inRange(range!, 'USER#amy')).toBe(false); // before where the page began
    expect(inRange(range!, '#METADATA#g1')).toBe(false); // not a player
  });

  it('cut a descending Query at the low end, on an index, with attribute names', () => {
    const r = new ReadSet(since);
    r.query(
      {
        IndexName: 'GamesByMapIndex',
        KeyConditionExpression: '#map = :map AND create_time <= :to',
        ExpressionAttributeNames: { '#map': 'map' },
        ExpressionAttributeValues: { ':map': 'Green Grasslands', ':to': '2019-05-01' },
        ScanIndexForward: false,
      },
      { PK: 'GAME#x', SK: '#METADATA#x', map: 'Green Grasslands', create_time: '2019-04-01' },
    );
    expect(r.ranges).toEqual([
      {
        index: 'GamesByMapIndex',
        partition: 'Green Grasslands',
        lo: { value: '2019-04-01', inclusive: true },
        hi: { value: '2019-05-01', inclusive: true },
      },
    ]);
  });

  it('take the whole partition when only the partition is named, and the whole index for a Scan or an unreadable condition', () => {
    const r = new ReadSet(since);
    r.query(
      {
        IndexName: 'OpenGamesIndex',
        KeyConditionExpression: '#map = :map',
        ExpressionAttributeNames: { '#map': 'map' },
        ExpressionAttributeValues: { ':map': 'Juicy Jungle' },
      },
      undefined,
    );
    r.scan('OpenGamesIndex');
    r.scan('OpenGamesIndex');
    r.query({ IndexName: 'EmailIndex', KeyConditionExpression: 'email IN (:a)', ExpressionAttributeValues: { ':a': 'x' } }, undefined);
    expect(r.ranges).toEqual([
      { index: 'OpenGamesIndex', partition: 'Juicy Jungle' },
      { index: 'OpenGamesIndex', partition: null },
      { index: 'EmailIndex', partition: null },
    ]);
  });

  it('read each comparison of a sort key', () => {
    const q = (cond: string) =>
      keyConditionRange({ KeyConditionExpression: `PK = :pk AND ${cond}`, ExpressionAttributeValues: { ':pk': 'P', ':v': 'm' } });
    expect(q('SK = :v')).toEqual({ partition: 'P', lo: { value: 'm', inclusive: true }, hi: { value: 'm', inclusive: true } });
    expect(q('SK > :v')).toEqual({ partition: 'P', lo: { value: 'm', inclusive: false } });
    expect(q('SK >= :v')).toEqual({ partition: 'P', lo: { value: 'm', inclusive: true } });
    expect(q('SK < :v')).toEqual({ partition: 'P', hi: { value: 'm', inclusive: false } });
    expect(q('SK <= :v')).toEqual({ partition: 'P', hi: { value: 'm', inclusive: true } });
    expect(
      keyConditionRange({
        KeyConditionExpression: 'SK = :sk AND begins_with(PK, :g)',
        IndexName: 'InvertedIndex',
        ExpressionAttributeValues: { ':sk': 'USER#a', ':g': 'GAME#' },
      }),
    ).toEqual({
      partition: 'USER#a',
      prefix: 'GAME#',
    });
  });

  it('remember the earliest expiry still ahead of the run, ignoring ones already past and items without one', () => {
    const r = new ReadSet(since);
    r.item({ PK: 'GAME#a', expires_at: 5_000 });
    r.item({ PK: 'GAME#b', expires_at: 900 });
    r.item({ PK: 'GAME#c', expires_at: 3_000 });
    r.item({ PK: 'USER#d' });
    r.item(undefined);
    expect(r.earliestExpiry).toBe(3_000);
  });

  it('name an item on the table and on each index it appears in (sparse ones skipped)', () => {
    const openGame = { PK: 'GAME#g', SK: '#METADATA#g', map: 'M', open_timestamp: 't1', create_time: 't0' };
    expect(indexKeysOf(openGame)).toEqual([
      { index: TABLE_INDEX, partition: 'GAME#g', sort: '#METADATA#g' },
      { index: 'InvertedIndex', partition: '#METADATA#g', sort: 'GAME#g' },
      { index: 'OpenGamesIndex', partition: 'M', sort: 't1' },
      { index: 'GamesByMapIndex', partition: 'M', sort: 't0' },
    ]);
    expect(indexKeysOf({ PK: 'USER#a', SK: '#METADATA#a', email: 'a@x' }).map((k) => k.index)).toEqual([
      TABLE_INDEX,
      'InvertedIndex',
      'EmailIndex',
    ]);
  });

  it('compare keys byte by byte, as DynamoDB does', () => {
    expect(compareKeys('#', '$')).toBeLessThan(0);
    expect(compareKeys('F', 'M')).toBeLessThan(0);
    // U+FF21 (3 UTF-8 bytes) sorts before U+1F600 (4 bytes, a surrogate pair in UTF-16) in bytes, after it in UTF-16.
    expect(compareKeys('\uff21', '\u{1f600}')).toBeLessThan(0);
  });
});
