// Guarded writes answer with the meaning each failed action carries: never by its position.
import { describe, expect, it } from 'vitest';
import { type AppError } from '../../src/errors.js';
import {
  guardedTransaction,
  meaningOfCancellation,
  type CancellationReason,
  type GuardedTransaction,
} from '../../src/data/dynamo/transactions.js';
import { joinGameTransaction } from '../../src/data/games/lobby-writes.js';
import { recordResultTransaction } from '../../src/data/games/result-writes.js';
import { createUserTransaction, newUserItem, updateUserTransaction } from '../../src/data/users/writes.js';
import { followTransaction, newFollowItem } from '../../src/data/follows/follows.js';
import { newReactionItem, reactTransaction, removeReactionTransaction } from '../../src/data/photos/writes.js';

const ID = '3d4285f0-e52b-401a-a59b-112b38c4a26b';
const T = '2019-04-16T00:41:18';
const AT = new Date(`${T}Z`);
const ok: CancellationReason = { code: 'None', item: null };
const failed = (item: Record<string, unknown> | null = null): CancellationReason => ({ code: 'ConditionalCheckFailed', item });
const codeOf = (tx: GuardedTransaction, reasons: CancellationReason[]) =>
  (meaningOfCancellation(tx, reasons) as AppError | undefined)?.code;

/** The same transaction with its actions (and DynamoDB's reasons) in reverse order. */
function reversed(tx: GuardedTransaction): GuardedTransaction {
  return { input: { TransactItems: [...tx.input.TransactItems!].reverse() }, guards: [...tx.guards].reverse() };
}

describe('the meaning of a cancelled transaction', () => {
  it('comes from the failed action, whatever the order of the actions', () => {
    const join = joinGameTransaction('t', ID, 'bo', AT, 10);
    expect(codeOf(join, [failed(), ok, ok])).toBe('ALREADY_JOINED');
    expect(codeOf(join, [ok, failed(), ok])).toBe('NOT_FOUND');
    expect(codeOf(join, [ok, ok, failed({ people: 50 })])).toBe('GAME_FULL');
    expect(codeOf(join, [ok, ok, failed({ people: 10, start_time: T })])).toBe('GAME_NOT_OPEN');
    // Expired but not yet deleted by TTL: as absent as it is to readers.
    expect(codeOf(join, [ok, ok, failed({ people: 10, open_timestamp: T, expires_at: AT.getTime() / 1000 })])).toBe('NOT_FOUND');
    // Several at once: the lowest rank answers, in either order.
    expect(codeOf(join, [failed(), ok, failed({ people: 50 })])).toBe('ALREADY_JOINED');
    expect(codeOf(reversed(join), [failed({ people: 50 }), ok, failed()])).toBe('ALREADY_JOINED');
  });

  it('lets an action without a meaning of its own defer to the next failed one', () => {
    const remove = removeReactionTransaction('t', 'bo', 'HEART', 'ana', T);
    // The photo exists with a zero count: the missing reaction explains it.
    expect(codeOf(remove, [failed({ reactions: { heart: 0 } }), failed()])).toBe('NOT_REACTED');
    expect(codeOf(remove, [failed(null), ok])).toBe('NOT_FOUND');
    expect(codeOf(reversed(remove), [ok, failed(null)])).toBe('NOT_FOUND');
  });

  it('ignores conflicts and unconditioned outcomes: nothing to explain', () => {
    const join = joinGameTransaction('t', ID, 'bo', AT, 10);
    expect(meaningOfCancellation(join, [{ code: 'TransactionConflict', item: null }, ok, ok])).toBeUndefined();
  });

  it('is told apart for every guarded write', () => {
    const user = newUserItem({ username: 'ana', name: 'Ana', email: 'Ana@Example.com' });
    const create = createUserTransaction('t', user);
    expect(meaningOfCancellation(create, [ok, failed()])).toMatchObject({ code: 'ALREADY_EXISTS', extensions: { field: 'email' } });
    expect(meaningOfCancellation(create, [failed(), failed()])).toMatchObject({
      code: 'ALREADY_EXISTS',
      extensions: { field: 'username' },
    });

    const update = updateUserTransaction('t', 'ana', { email: 'new@example.com', pinnedImage: `PHOTO#ana#${T}` }, 'old@example.com', true);
    expect(update.input.TransactItems!.map((a) => Object.keys(a)[0])).toEqual(['Update', 'Put', 'Delete', 'ConditionCheck']);
    expect(codeOf(update, [ok, failed(), ok, ok])).toBe('ALREADY_EXISTS');
    expect(meaningOfCancellation(update, [ok, ok, ok, failed()])).toMatchObject({
      code: 'NOT_FOUND',
      message: 'The photo to pin does not exist.',
    });

    const follow = followTransaction('t', newFollowItem('ana', 'bo', T));
    expect(meaningOfCancellation(follow, [ok, failed(), failed()])).toMatchObject({
      code: 'NOT_FOUND',
      message: 'Your profile (bo) does not exist.',
    });
    expect(codeOf(follow, [ok, ok, failed()])).toBe('ALREADY_FOLLOWING');

    const react = reactTransaction('t', newReactionItem('bo', 'SMILEY', 'ana', T, T), 'ana', T);
    expect(meaningOfCancellation(react, [ok, ok, failed()])).toMatchObject({ code: 'ALREADY_REACTED', extensions: { type: 'SMILEY' } });

    const record = recordResultTransaction('t', ID, 'bo', { place: null, kills: 0, damage: 0, survivedSeconds: 0 }, 'ana');
    expect(codeOf(record, [failed({ creator: 'cy', start_time: T }), ok])).toBe('FORBIDDEN');
    expect(codeOf(record, [ok, failed()])).toBe('NOT_FOUND');
  });

  it('builds the command input and the meanings from one list, so they cannot drift apart', () => {
    const tx = guardedTransaction([
      {
        action: { ConditionCheck: { TableName: 't', Key: { PK: 'a', SK: 'a' }, ConditionExpression: 'x' } },
        onConditionFailed: () => undefined,
        rank: 2,
      },
      {
        action: { ConditionCheck: { TableName: 't', Key: { PK: 'b', SK: 'b' }, ConditionExpression: 'y' } },
        onConditionFailed: () => undefined,
        rank: 1,
      },
    ]);
    expect(tx.input).toStrictEqual({
      TransactItems: [
        { ConditionCheck: { TableName: 't', Key: { PK: 'a', SK: 'a' }, ConditionExpression: 'x' } },
        { ConditionCheck: { TableName: 't', Key: { PK: 'b', SK: 'b' }, ConditionExpression: 'y' } },
      ],
    });
    expect(tx.guards.map((g) => g.rank)).toEqual([2, 1]);
  });
});
