// The limits every operation is held to, checked before any resolver runs, so an expensive or
// abusive operation costs no DynamoDB call: tokens before parsing (tokens.ts), the rest after
// validation (check.ts) from the operation's measure (measure.ts).
import { AppError } from '../../errors.js';
import { recordLimitRefusal } from '../../observe/metrics.js';

export interface Limits {
  /** Lexical tokens in the document, checked before parsing. */
  maxTokens: number;
  /** Nested selection sets (fragments do not add a level). */
  maxDepth: number;
  maxAliases: number;
  /** Fields selected at the root, counting each aliased copy. */
  maxRootFields: number;
  /** Items the operation may read from DynamoDB (see reads.ts). */
  maxCost: number;
  /** Fields introspection may resolve (it reads no table, but nested lists of types grow fast). */
  maxIntrospection: number;
}

export const LIMITS: Limits = {
  maxTokens: 3_000,
  maxDepth: 12,
  maxAliases: 30,
  maxRootFields: 20,
  maxCost: 5_000,
  maxIntrospection: 10_000,
};

/** BAD_USER_INPUT naming the limit, the operation's value and the maximum; HTTP 400. */
export function limitError(message: string, limit: keyof Limits, value: number, max: number): AppError {
  recordLimitRefusal(limit);
  return new AppError('BAD_USER_INPUT', message, { limit, value, max, http: { status: 400 } });
}
