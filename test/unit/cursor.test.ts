import { describe, expect, it } from 'vitest';
import { cursorKeys, decodeCursor, encodeCursor, listBinding } from '../../src/data/dynamo/cursor.js';
import { AppError } from '../../src/errors.js';

const k = cursorKeys('a-secret-that-is-long-enough-0123456789');
const binding = listBinding('Game.players', 'GAME#g1', undefined, { first: 20 });
const position = { PK: 'GAME#g1', SK: 'USER#ana' };

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

  it('expose no table key', () => {
    const c = encodeCursor(k, binding, position);
    expect(Buffer.from(c, 'base64url').toString('latin1')).not.toContain('USER#ana');
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
    const flipped = Buffer.from(c, 'base64url');
    flipped[14] = flipped[14]! ^ 1;
    const cases = [
      flipped.toString('base64url'),
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
