import { describe, expect, it } from 'vitest';
import { cursorKeys, decodeCursor, encodeCursor, listBinding } from '../../src/data/dynamo/cursor.js';
import { AppError } from '../../src/errors.js';

const k = cursorKeys('a-secret-that-is-long-enough-0123456789');
const binding = listBinding('Game.players', 'GAME#g1', undefined, { first: 20 });
const position = { PK: 'GAME#g1', SK: 'USER#ana' };
// Made by the v1 code (random IV, GCM, then an HMAC) with the secret above, before format v2: a
// cursor a client may still hold.
const V1_CURSOR = 'BJtqgV6GAwgmgrEDqgumH3esGQjAv_xh1SDj6jY-f1EWMZu1zpTpVY2-_JJD4JxTGlu2mcLH8PxzNLeWr9O6qoBdO-gNbyUq-okepA';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof AppError ? err.code : 'OTHER';
  }
}

describe('cursors', () => {
  it('round-trip their position', () => {
    expect(decodeCursor(k, binding, encodeCursor(k, binding, position))).toEqual(position);
  });

  it('are version 2, and equal for an equal position in an equal list (two runs of one query compare equal)', () => {
    const c = encodeCursor(k, binding, position);
    expect(c.startsWith('2.')).toBe(true);
    expect(encodeCursor(k, binding, { ...position })).toBe(c);
    expect(encodeCursor(k, binding, { PK: 'GAME#g1', SK: 'USER#bob' })).not.toBe(c);
    expect(encodeCursor(k, listBinding('Game.players', 'GAME#g2', undefined), position)).not.toBe(c);
  });

  it('still accept a v1 cursor made by the old code, and refuse it edited or in another list', () => {
    expect(decodeCursor(k, binding, V1_CURSOR)).toEqual(position);
    const flipped = Buffer.from(V1_CURSOR, 'base64url');
    flipped[20] = flipped[20]! ^ 1;
    expect(codeOf(() => decodeCursor(k, binding, flipped.toString('base64url')))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => decodeCursor(k, listBinding('Game.players', 'GAME#g2', undefined), V1_CURSOR))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => decodeCursor(k, binding, `2.${V1_CURSOR}`))).toBe('BAD_USER_INPUT');
  });

  it('refuse a v2 cursor whose IV is not the synthetic one, even with a valid GCM tag', async () => {
    const { createCipheriv } = await import('node:crypto');
    const iv = Buffer.alloc(12, 7);
    const cipher = createCipheriv('aes-256-gcm', k.enc, iv);
    cipher.setAAD(Buffer.from(binding));
    const forged = Buffer.concat([iv, cipher.update(JSON.stringify(position)), cipher.final(), cipher.getAuthTag()]);
    expect(codeOf(() => decodeCursor(k, binding, `2.${forged.toString('base64url')}`))).toBe('BAD_USER_INPUT');
  });

  it('expose no table key', () => {
    const c = encodeCursor(k, binding, position);
    expect(Buffer.from(c.slice(2), 'base64url').toString('latin1')).not.toContain('USER#ana');
    expect(c).not.toContain('GAME');
  });

  it('ignore first/after but bind every other argument', () => {
    expect(listBinding('f', 'p', 'I', { first: 1, after: 'x', map: 'A' })).toBe(listBinding('f', 'p', 'I', { map: 'A', first: 5 }));
    expect(listBinding('f', 'p', 'I', { map: 'A' })).not.toBe(listBinding('f', 'p', 'I', { map: 'B' }));
  });

  it('refuse a cursor from another list, parent, index or argument set', () => {
    const c = encodeCursor(k, binding, position);
    for (const other of [
      listBinding('Game.players', 'GAME#g2', undefined),
      listBinding('User.games', 'GAME#g1', undefined),
      listBinding('Game.players', 'GAME#g1', 'InvertedIndex'),
      listBinding('Game.players', 'GAME#g1', undefined, { map: 'x' }),
    ]) {
      expect(codeOf(() => decodeCursor(k, other, c))).toBe('BAD_USER_INPUT');
    }
  });

  it('refuse a tampered, truncated, malformed or foreign-secret cursor with BAD_USER_INPUT', () => {
    const c = encodeCursor(k, binding, position);
    const flipped = Buffer.from(c.slice(2), 'base64url');
    flipped[14] = flipped[14]! ^ 1;
    const cases = [
      `2.${flipped.toString('base64url')}`,
      '2.',
      '2.!!',
      c.slice(0, -4),
      '',
      'not a cursor!',
      Buffer.from(JSON.stringify(position)).toString('base64url'),
      'A'.repeat(5000),
      encodeCursor(cursorKeys('another-secret-entirely-0123456789abcdef'), binding, position),
    ];
    for (const bad of cases) expect(codeOf(() => decodeCursor(k, binding, bad))).toBe('BAD_USER_INPUT');
  });
});
