// The rules that turn one change's two images into events, without a database.
import { describe, expect, it } from 'vitest';
import type { GameRecord, ParticipationRecord } from '../../src/data/games/records.js';
import { deriveEvents, topics } from '../../src/live/events.js';

const game = (over: Partial<GameRecord> = {}): GameRecord => ({
  id: 'g1',
  map: 'Green Grasslands',
  creator: 'ana',
  createdAt: '2026-01-01T00:00:00',
  openedAt: '2026-01-01T00:00:00',
  startedAt: null,
  endedAt: null,
  people: 10,
  gold: null,
  silver: null,
  bronze: null,
  ...over,
});
const player = (over: Partial<ParticipationRecord> = {}): ParticipationRecord => ({
  gameId: 'g1',
  username: 'bob',
  place: null,
  kills: null,
  damage: null,
  survivedSeconds: null,
  joinedAt: null,
  ...over,
});
const kinds = (events: ReturnType<typeof deriveEvents>) => events.map((e) => `${e.topic} ${e.kind}`);

describe('game events', () => {
  it('a new open game is opened on both open-games topics and says nothing to its lobby', () => {
    expect(kinds(deriveEvents({ entity: 'game', after: game({ people: 1 }) }))).toEqual([
      'open-games GAME_OPENED',
      'open-games:Green Grasslands GAME_OPENED',
    ]);
  });

  it('"filled" is people reaching 50, and the open list hears it when the open mark goes', () => {
    const before = game({ people: 49 });
    const after = game({ people: 50, openedAt: null });
    expect(kinds(deriveEvents({ entity: 'game', before, after }))).toEqual([
      'game:g1 GAME_FILLED',
      'open-games GAME_FILLED',
      'open-games:Green Grasslands GAME_FILLED',
    ]);
  });

  it('a count that stays under 50 is no event; one already at 50 does not fill again', () => {
    expect(deriveEvents({ entity: 'game', before: game({ people: 3 }), after: game({ people: 4 }) })).toEqual([]);
    expect(
      deriveEvents({ entity: 'game', before: game({ people: 50, openedAt: null }), after: game({ people: 50, openedAt: null }) }),
    ).toEqual([]);
  });

  it('"started" is start_time appearing; "ended" carries the podium', () => {
    const full = game({ people: 50, openedAt: null });
    expect(kinds(deriveEvents({ entity: 'game', before: full, after: { ...full, startedAt: 'x' } }))).toEqual(['game:g1 GAME_STARTED']);
    const ended = deriveEvents({
      entity: 'game',
      before: { ...full, startedAt: 'x' },
      after: { ...full, startedAt: 'x', endedAt: 'y', gold: 'a', silver: 'b', bronze: 'c' },
    });
    expect(ended).toMatchObject([{ topic: 'game:g1', kind: 'GAME_ENDED', game: { gold: 'a', silver: 'b', bronze: 'c' } }]);
  });

  it('a removed game expires in its lobby, and in the open lists when it was open', () => {
    expect(kinds(deriveEvents({ entity: 'game', before: game() }))).toEqual([
      'game:g1 GAME_EXPIRED',
      'open-games GAME_EXPIRED',
      'open-games:Green Grasslands GAME_EXPIRED',
    ]);
    expect(kinds(deriveEvents({ entity: 'game', before: game({ openedAt: null, startedAt: 'x' }) }))).toEqual(['game:g1 GAME_EXPIRED']);
  });
});

describe('player, follow, reaction and photo events', () => {
  it('a new player joined; a changed result was recorded; an unchanged rewrite and a removal say nothing', () => {
    expect(kinds(deriveEvents({ entity: 'player', after: player() }))).toEqual(['game:g1 PLAYER_JOINED']);
    expect(kinds(deriveEvents({ entity: 'player', before: player(), after: player({ kills: 3 }) }))).toEqual(['game:g1 RESULT_RECORDED']);
    expect(deriveEvents({ entity: 'player', before: player(), after: player() })).toEqual([]);
    expect(deriveEvents({ entity: 'player', before: player() })).toEqual([]);
  });

  it('follows, reactions and new photos go to their own topics', () => {
    const f = { followed: 'ana', follower: 'bob', followedAt: 't' };
    expect(kinds(deriveEvents({ entity: 'follow', after: f }))).toEqual([`${topics.followers('ana')} FOLLOWED`]);
    expect(kinds(deriveEvents({ entity: 'follow', before: f }))).toEqual([`${topics.followers('ana')} UNFOLLOWED`]);
    const r = { user: 'bob', type: 'HEART' as const, owner: 'ana', photoTimestamp: 't1', reactedAt: null };
    expect(kinds(deriveEvents({ entity: 'reaction', after: r }))).toEqual(['reactions:ana/t1 REACTION_ADDED']);
    expect(kinds(deriveEvents({ entity: 'reaction', before: r }))).toEqual(['reactions:ana/t1 REACTION_REMOVED']);
    const p = {
      owner: 'ana',
      timestamp: 't1',
      location: 'https://x/y.png',
      reactionCounts: { heart: 0, smiley: 0, thumbsUp: 0, sunglasses: 0 },
    };
    expect(kinds(deriveEvents({ entity: 'photo', after: p }))).toEqual(['photos:ana PHOTO_ADDED']);
    expect(deriveEvents({ entity: 'photo', before: p, after: { ...p, reactionCounts: { ...p.reactionCounts, heart: 1 } } })).toEqual([]);
  });
});
