// Guarded writes. One helper for single conditional writes, one for TransactWriteItems: a client
// request token per logical write (so an SDK retry of a write that did land is not applied twice),
// bounded retries with backoff on transaction conflicts, and each failed condition answered with
// the meaning its own action carries (never by its position). A failed write leaves nothing written.
import { randomUUID } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DeleteCommandInput, PutCommandInput, TransactWriteCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ContentionError, TransactionConflictError, UnavailableError, type AppError, type InternalSignal } from '../../errors.js';
import { backoffDelay, sleep, type Item, type RetryPolicy } from './batch.js';
import type { Db } from './db.js';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * What a failed condition means, given the item as it was (null when absent): the domain error to
 * answer, an internal signal for the write's own caller, or undefined to let another failed action
 * of the same transaction decide.
 */
export type OnConditionFailed = (old: Item | null) => AppError | InternalSignal | undefined;

/** One action of a transaction, with what the failure of its condition means. */
export interface GuardedAction {
  action: TransactItem;
  onConditionFailed: OnConditionFailed;
  /**
   * When several conditions fail at once (a race, or inconsistent data), the failed action with the
   * lowest rank is answered. Explicit, so that the order of the actions never changes an answer.
   */
  rank: number;
}

/** A transaction ready to send: the exact command input, and its actions' meanings. */
export interface GuardedTransaction {
  input: TransactWriteCommandInput;
  guards: readonly Omit<GuardedAction, 'action'>[];
}

/** Builds a transaction from actions that each carry their meaning, so the two cannot drift apart. */
export function guardedTransaction(actions: readonly GuardedAction[]): GuardedTransaction {
  return {
    input: { TransactItems: actions.map((a) => a.action) },
    guards: actions.map(({ onConditionFailed, rank }) => ({ onConditionFailed, rank })),
  };
}

export interface CancellationReason {
  /** e.g. ConditionalCheckFailed, TransactionConflict, None, ValidationError. */
  code: string;
  /** The item as it was, when the action's condition failed (ReturnValuesOnConditionCheckFailure). */
  item: Item | null;
}

/**
 * The answer to a cancelled transaction: the meaning of the lowest-ranked failed condition that
 * gives one. Undefined when no condition failed with a meaning (only conflicts, or nothing decided).
 */
export function meaningOfCancellation(
  tx: GuardedTransaction,
  reasons: readonly CancellationReason[],
): AppError | InternalSignal | undefined {
  const failed = reasons
    .map((reason, i) => ({ reason, guard: tx.guards[i] }))
    .filter((f) => f.reason.code === 'ConditionalCheckFailed' && f.guard !== undefined)
    .sort((a, b) => a.guard!.rank - b.guard!.rank);
  for (const { reason, guard } of failed) {
    const meaning = guard!.onConditionFailed(reason.item);
    if (meaning) return meaning;
  }
  return undefined;
}

export const TRANSACTION_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 20, maxDelayMs: 500 };

type TransactItems = TransactItem[];

const THROTTLED = new Set(['ProvisionedThroughputExceeded', 'ThrottlingError', 'RequestLimitExceeded']);

/** Asks every action with a condition to return the old item when the condition fails. */
function withOldItems(items: TransactItems): TransactItems {
  return items.map((action) => {
    const [kind, body] = Object.entries(action)[0] as [string, Record<string, unknown>];
    if (kind === 'ConditionCheck' || body.ConditionExpression) {
      return { [kind]: { ...body, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } } as TransactItem;
    }
    return action;
  });
}

/** Runs a TransactWriteItems to completion, or throws what its failed condition means. */
export async function transactWrite(db: Db, tx: GuardedTransaction, policy = TRANSACTION_RETRY): Promise<void> {
  const token = tx.input.ClientRequestToken ?? randomUUID();
  const request = { ...tx.input, ClientRequestToken: token, TransactItems: withOldItems(tx.input.TransactItems ?? []) };
  for (let attempt = 0; ; attempt++) {
    try {
      await db.transactWrite(request);
      return;
    } catch (err) {
      const e = err as Error & { CancellationReasons?: { Code?: string; Message?: string; Item?: Record<string, AttributeValue> }[] };
      const retryable =
        e.name === 'TransactionInProgressException' ||
        (e.name === 'TransactionCanceledException' && (e.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict'));
      if (e.name === 'TransactionCanceledException') {
        const reasons = (e.CancellationReasons ?? []).map((r) => ({ code: r.Code ?? 'None', item: r.Item ? unmarshall(r.Item) : null }));
        const meaning = meaningOfCancellation(tx, reasons);
        if (meaning) throw meaning;
        const throttled = reasons.find((r) => THROTTLED.has(r.code));
        if (throttled) throw new UnavailableError(throttled.code);
        // Any other reason (a validation error, a size limit) is CONFLICT to the client; DynamoDB's
        // reasons and messages are internals, which formatError writes to the log.
        if (!retryable) {
          throw new TransactionConflictError({
            reasons: reasons.map((r) => r.code),
            messages: (e.CancellationReasons ?? []).map((r) => r.Message ?? ''),
          });
        }
      } else if (!retryable) throw err;
      if (attempt + 1 >= policy.maxAttempts) throw new ContentionError();
      await (policy.sleep ?? sleep)(backoffDelay(attempt + 1, policy));
    }
  }
}

export type ConditionalWrite = { put: PutCommandInput } | { update: UpdateCommandInput } | { delete: DeleteCommandInput };

/** A conditional write's condition did not hold (whichever way the SDK names it). */
export function isConditionFailure(err: unknown): boolean {
  return (err as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}

/** Runs one conditional write; when its condition fails, onFailed (given the old item) names the error. */
export async function conditionalWrite(
  db: Db,
  write: ConditionalWrite,
  onFailed: (old: Item | null) => AppError | InternalSignal,
): Promise<Item | undefined> {
  try {
    if ('put' in write) {
      await db.put({ ...write.put, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' });
      return write.put.Item;
    }
    if ('update' in write) {
      const out = await db.update({ ReturnValues: 'ALL_NEW', ...write.update, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' });
      return out.Attributes;
    }
    await db.delete({ ...write.delete, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' });
    return undefined;
  } catch (err) {
    if (isConditionFailure(err)) throw onFailed(itemThatFailed(err));
    throw err;
  }
}

/** Runs one conditional write: true when it was applied, false when its condition did not hold. */
export async function writeIf(db: Db, write: ConditionalWrite): Promise<boolean> {
  try {
    if ('put' in write) await db.put(write.put);
    else if ('update' in write) await db.update(write.update);
    else await db.delete(write.delete);
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}

/** Puts an item unless one with its key exists: null when written, else the item that was there. */
export async function putIfAbsent(db: Db, input: Omit<PutCommandInput, 'ConditionExpression'>): Promise<Item | null> {
  try {
    await db.put({ ...input, ConditionExpression: 'attribute_not_exists(PK)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' });
    return null;
  } catch (err) {
    if (isConditionFailure(err)) return itemThatFailed(err) ?? {};
    throw err;
  }
}

/** The item a failed condition was checked against, as ReturnValuesOnConditionCheckFailure ALL_OLD returns it (null: there was none). */
function itemThatFailed(err: unknown): Item | null {
  const item = (err as { Item?: Record<string, AttributeValue> }).Item;
  return item ? unmarshall(item) : null;
}
