import { describe, expect, it } from 'vitest';
import {
  decodeId,
  gameNodeId,
  NEW_FORM_PREFIX,
  participationId,
  photoId,
  reactionId,
  userId,
  type NodeRef,
} from '../../src/graphql/ids.js';

const GAME = '0ab37cf1-fc60-4d93-b72b-89335f759581';
const TS = '2019-04-16T00:41:18';

const code = (id: string) => {
  try {
    decodeId(id);
    return 'decoded';
  } catch (err) {
    return (err as { extensions?: { code?: string } }).extensions?.code;
  }
};

describe('global ids', () => {
  it('keeps the ids that existed: a game is its UUID, a photo is owner/timestamp', () => {
    expect(gameNodeId(GAME)).toBe(GAME);
    expect(photoId('haroldwatkins', TS)).toBe(`haroldwatkins/${TS}`);
    expect(decodeId(GAME)).toEqual({ type: 'Game', gameId: GAME });
    expect(decodeId(`haroldwatkins/${TS}`)).toEqual({ type: 'Photo', owner: 'haroldwatkins', timestamp: TS });
    expect(decodeId(`haroldwatkins/2026-11-21T05:45:07.123`)).toEqual({
      type: 'Photo',
      owner: 'haroldwatkins',
      timestamp: '2026-11-21T05:45:07.123',
    });
  });

  it('gives every other type base64url of "v1:<Type>:<natural key>"', () => {
    expect(userId('haroldwatkins')).toBe('djE6VXNlcjpoYXJvbGR3YXRraW5z');
    expect(Buffer.from(userId('haroldwatkins'), 'base64url').toString()).toBe('v1:User:haroldwatkins');
    expect(Buffer.from(participationId(GAME, 'ana_1'), 'base64url').toString()).toBe(`v1:GameParticipation:${GAME}:ana_1`);
    expect(Buffer.from(reactionId('ana', 'THUMBS_UP', 'bob', TS), 'base64url').toString()).toBe(`v1:Reaction:ana:THUMBS_UP:bob:${TS}`);
    for (const id of [userId('abc'), participationId(GAME, 'abc'), reactionId('abc', 'HEART', 'abd', TS)]) {
      expect(id.startsWith(NEW_FORM_PREFIX)).toBe(true);
      expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    }
  });

  it('decodes every id it gives out to the object it names', () => {
    const refs: [string, NodeRef][] = [
      [userId('haroldwatkins'), { type: 'User', username: 'haroldwatkins' }],
      [gameNodeId(GAME), { type: 'Game', gameId: GAME }],
      [participationId(GAME, 'ana'), { type: 'GameParticipation', gameId: GAME, username: 'ana' }],
      [photoId('bob', TS), { type: 'Photo', owner: 'bob', timestamp: TS }],
      [
        reactionId('ana', 'SUNGLASSES', 'bob', '2026-11-21T05:45:07.123'),
        {
          type: 'Reaction',
          user: 'ana',
          reactionType: 'SUNGLASSES',
          owner: 'bob',
          timestamp: '2026-11-21T05:45:07.123',
        },
      ],
    ];
    for (const [id, ref] of refs) expect(decodeId(id)).toEqual(ref);
    // Unique across types: five objects, five different ids.
    expect(new Set(refs.map(([id]) => id)).size).toBe(refs.length);
  });

  it('cannot mistake one form for another', () => {
    // No UUID starts like a new-form id ('j' is not hex), and only a photo id holds '/'.
    expect(NEW_FORM_PREFIX).toBe('djE6');
    expect(/^[0-9a-f-]*$/i.test(NEW_FORM_PREFIX)).toBe(false);
    expect(userId('abc')).not.toContain('/');
    // A "v1" spelling of a game or a photo would be a second id for one object: refused.
    expect(code(Buffer.from(`v1:Game:${GAME}`).toString('base64url'))).toBe('BAD_NODE_ID');
    expect(code(Buffer.from(`v1:Photo:bob:${TS}`).toString('base64url'))).toBe('BAD_NODE_ID');
  });

  it('refuses malformed ids and unknown types with BAD_NODE_ID', () => {
    const bad = [
      '',
      'hello',
      'x'.repeat(300),
      'USER#haroldwatkins', // a table key is not an id
      'HAROLD/2019-04-16T00:41:18', // an owner that could not be a username
      'bob/yesterday',
      'bob/',
      `${GAME}x`,
      `${userId('abc')}=`, // padded: not the one spelling
      `${userId('abc')}!`,
      Buffer.from('v2:User:abc').toString('base64url'),
      Buffer.from('v1:Team:abc').toString('base64url'),
      Buffer.from('v1:User:ab#c').toString('base64url'), // nothing a key separator can reach
      Buffer.from('v1:User:abc:extra').toString('base64url'),
      Buffer.from('v1:GameParticipation:not-a-uuid:abc').toString('base64url'),
      Buffer.from(`v1:Reaction:ana:LOVE:bob:${TS}`).toString('base64url'),
      Buffer.from('v1:Reaction:ana:HEART:bob:soon').toString('base64url'),
    ];
    for (const id of bad) expect([id, code(id)]).toEqual([id, 'BAD_NODE_ID']);
  });

  it('quotes at most 40 characters of a bad id in its message', () => {
    try {
      decodeId(`bad${'y'.repeat(100)}`);
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toMatch(/^"bady{37}…" is not an id this API gives out: /);
    }
  });
});
