// Guarded writes. One helper for single conditional writes, one for TransactWriteItems: a client
// request token per logical write (so an SDK retry of a write that did land is not applied twice),
// bounded retries with backoff on transaction conflicts, and each cancellation reason mapped to
// the domain error it means for that action. A failed write leaves nothing written.
import { randomUUID } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DeleteCommandInput, PutCommandInput, TransactWriteCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { AppError } from '../../errors.js';
import { backoffDelay, sleep, type Item, type RetryPolicy } from './batch.js';
import type { Db } from './db.js';

export interface CancellationReason {
  /** e.g. ConditionalCheckFailed, TransactionConflict, None, ValidationError. */
  code: string;
  /** The item as it was, when the action's condition failed (ReturnValuesOnConditionCheckFailure). */
  item: Item | null;
}

/** Turns the reason of action `index` into a domain error, or undefined to let the next reason decide. */
export type ReasonMapper = (reason: CancellationReason, index: number) => AppError | undefined;

/**
 * CONFLICT for a transaction DynamoDB cancelled for a reason no mapper named. The client gets our
 * code and message only; DynamoDB's cancellation reasons are internals, kept in `logDetail` for
 * the server's log (formatError writes it there).
 */
export class TransactionConflictError extends AppError {
  constructor(readonly logDetail: { reasons: string[]; messages: string[] }) {
    super('CONFLICT', 'The change could not be applied because the data changed at the same time. Try again.');
  }
}

export const TRANSACTION_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 20, maxDelayMs: 500 };

type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

/** Asks every action with a condition to return the old item when the condition fails. */
function withOldItems(items: TransactItems): TransactItems {
  return items.map((action) => {
    const [kind, body] = Object.entries(action)[0] as [string, Record<string, unknown>];
    if (kind === 'ConditionCheck' || body.ConditionExpression) {
      return { [kind]: { ...body, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } } as TransactItems[number];
    }
    return action;
  });
}

/** Runs a TransactWriteItems to completion or a mapped domain error. */
export async function transactWrite(
  db: Db,
  input: TransactWriteCommandInput,
  mapReason: ReasonMapper,
  policy = TRANSACTION_RETRY,
): Promise<void> {
  const token = input.ClientRequestToken ?? randomUUID();
  const request = { ...input, ClientRequestToken: token, TransactItems: withOldItems(input.TransactItems ?? []) };
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
        for (const [i, r] of reasons.entries()) {
          // Only a failed condition is a domain outcome; any other reason (ValidationError, a
          // throttled action) is DynamoDB's, and ends in CONFLICT below.
          if (r.code !== 'ConditionalCheckFailed') continue;
          const mapped = mapReason(r, i);
          if (mapped) throw mapped;
        }
        if (!retryable) {
          throw new TransactionConflictError({
            reasons: reasons.map((r) => r.code),
            messages: (e.CancellationReasons ?? []).map((r) => r.Message ?? ''),
          });
        }
      } else if (!retryable) throw err;
      if (attempt + 1 >= policy.maxAttempts) {
        throw new AppError('CONFLICT', 'The change kept colliding with concurrent changes. Try again.', { retryable: true });
      }
      await (policy.sleep ?? sleep)(backoffDelay(attempt + 1, policy));
    }
  }
}

export type ConditionalWrite = { put: PutCommandInput } | { update: UpdateCommandInput } | { delete: DeleteCommandInput };

/** Runs one conditional write; when its condition fails, onFailed (given the old item) names the error. */
export async function conditionalWrite(
  db: Db,
  write: ConditionalWrite,
  onFailed: (old: Item | null) => AppError,
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
    const e = err as Error & { Item?: Record<string, AttributeValue> };
    if (e.name === 'ConditionalCheckFailedException') throw onFailed(e.Item ? unmarshall(e.Item) : null);
    throw err;
  }
}
