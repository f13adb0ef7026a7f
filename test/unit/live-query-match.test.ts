import { describe, expect, it } from 'vitest';
import { ReadSet } from '../../src/data/dynamo/read-set.js';
import { contradicts } from '../../src/live/query/index-lag.js';
import { ReadIndex } from '../../src/live/query/match.js';

const game = (id: string, extra: Record<string, unknown> = {}) => ({
  PK: `GAME#${id}`,
  SK: `#METADATA#${id}`,
  game_id: id,
  map: 'Juicy Jungle',
  create_time: '2019-04-01T00:00:00',
  people: 1,
  ...extra,
});
const player = (id: string, u: string) => ({ PK: `GAME#${id}`, SK: `USER#${u}`, game_id: id, username: u });
const insert = (item: Record<string, unknown>) => ({ keys: { PK: String(item.PK), SK: String(item.SK) }, newImage: item });
const modify = (before: Record<string, unknown>, after: Record<string, unknown>) => ({
  keys: { PK: String(after.PK), SK: String(after.SK) },
  oldImage: before,
  newImage: after,
});

/** A lobby's read set: the game's partition from its metadata to the last player, as game(id) reads it. */
function lobby(id: string, stoppedAt?: string) {
  const r = new ReadSet(0);
  r.query(
    {
      KeyConditionExpression: 'PK = :pk AND SK BETWEEN :m AND :e',
      ExpressionAttributeValues: { ':pk': `GAME#${id}`, ':m': `#METADATA#${id}`, ':e': 'USER$' },
    },
    stoppedAt ? { PK: `GAME#${id}`, SK: stoppedAt } : undefined,
  );
  r.key({ PK: 'USER#ana', SK: '#METADATA#ana' });
  return r;
}

function openGames(map: string | null) {
  const r = new ReadSet(0);
  if (map === null) r.scan('OpenGamesIndex');
  else
    r.query(
      {
        IndexName: 'OpenGamesIndex',
        KeyConditionExpression: '#m = :m',
        ExpressionAttributeNames: { '#m': 'map' },
        ExpressionAttributeValues: { ':m': map },
      },
      undefined,
    );
  return r;
}

describe('matching stream records to live queries', () => {
  const index = new ReadIndex<string>();
  index.set('lobby-g1', lobby('g1').ranges);
  index.set('lobby-g2-first-page', lobby('g2', 'USER#kim').ranges);
  index.set('open-jungle', openGames('Juicy Jungle').ranges);
  index.set('open-all', openGames(null).ranges);

  it('finds the lobby of the game a player joined, and no other', () => {
    expect(index.match(insert(player('g1', 'zed')))).toEqual(new Set(['lobby-g1']));
  });

  it('ignores a player beyond where a lobby page stopped, but not one within it', () => {
    expect(index.match(insert(player('g2', 'zoe')))).toEqual(new Set());
    expect(index.match(insert(player('g2', 'bob')))).toEqual(new Set(['lobby-g2-first-page']));
  });

  it('finds a key that was read but absent when it appears (a user created later)', () => {
    expect(index.match(insert({ PK: 'USER#ana', SK: '#METADATA#ana', username: 'ana' }))).toEqual(
      new Set(['lobby-g1', 'lobby-g2-first-page']),
    );
  });

  it('finds open-games queries by the old image when a game leaves the sparse index, by map and whole-index', () => {
    const before = game('g9', { open_timestamp: '2019-04-01T00:00:00' });
    const after = game('g9', { people: 50 });
    expect(index.match(modify(before, after))).toEqual(new Set(['open-jungle', 'open-all']));
    // A game on another map concerns the whole-index query only.
    const elsewhere = game('g8', { map: 'Green Grasslands', open_timestamp: 't' });
    expect(index.match(insert(elsewhere))).toEqual(new Set(['open-all']));
  });

  it('costs nobody anything for a record that concerns nobody', () => {
    expect(index.match(insert({ PK: 'USER#kai', SK: 'PHOTO#kai#2019-01-01T00:00:00', username: 'kai' }))).toEqual(new Set());
    expect(index.match(insert(game('g7')))).toEqual(new Set()); // a closed game on no live query's list
  });

  it('treats a removal without images (DynamoDB Local TTL) as touching every index reader', () => {
    expect(index.match({ keys: { PK: 'GAME#g5', SK: '#METADATA#g5' } })).toEqual(new Set(['open-jungle', 'open-all']));
  });

  it('forgets a live query when it is removed', () => {
    const i = new ReadIndex<string>();
    i.set('a', lobby('g1').ranges);
    i.delete('a');
    expect(i.match(insert(player('g1', 'zed')))).toEqual(new Set());
    expect(i.size).toBe(0);
  });
});

describe('the index-lag rule', () => {
  const before = game('g1', { open_timestamp: '2019-04-01T00:00:00', people: 1 });
  const after = game('g1', { open_timestamp: '2019-04-01T00:00:00', people: 2 });
  const read = (items: Record<string, unknown>[]) => {
    const r = openGames('Juicy Jungle');
    r.indexRead('OpenGamesIndex', items);
    return r;
  };

  it('refuses a run whose index read still shows the old image of the record that caused it', () => {
    expect(contradicts([modify(before, after)], read([before]))).toBe(true);
  });

  it('refuses a run whose index read lacks an item the record put in its range', () => {
    expect(contradicts([insert(after)], read([]))).toBe(true);
  });

  it('refuses a run whose index read still lists an item the record took out of it', () => {
    const full = game('g1', { people: 50 });
    expect(contradicts([modify(before, full)], read([before]))).toBe(true);
    expect(contradicts([modify(before, full)], read([]))).toBe(false);
  });

  it('accepts a run that shows the record, or a later version, and ignores records outside what it read', () => {
    expect(contradicts([modify(before, after)], read([after]))).toBe(false);
    expect(contradicts([modify(before, after)], read([game('g1', { open_timestamp: '2019-04-01T00:00:00', people: 3 })]))).toBe(false);
    const other = game('g2', { map: 'Green Grasslands', open_timestamp: 't' });
    expect(contradicts([insert(other)], read([]))).toBe(false);
  });

  it('accepts any run once its items are dropped, and a run that read no index', () => {
    const r = read([before]);
    r.dropItems();
    expect(contradicts([modify(before, after)], r)).toBe(false);
    expect(contradicts([modify(before, after)], lobby('g1'))).toBe(false);
  });
});
