// Errors a client can switch on: every one carries a stable extensions.code.
import { GraphQLError } from 'graphql';

export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'CONFLICT'
  | 'UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR'
  | 'ALREADY_JOINED'
  | 'GAME_FULL'
  | 'GAME_NOT_OPEN'
  | 'GAME_NOT_FULL'
  | 'GAME_NOT_STARTED'
  | 'ALREADY_REACTED'
  | 'NOT_REACTED'
  | 'ALREADY_FOLLOWING'
  | 'NOT_FOLLOWING'
  | 'CANNOT_FOLLOW_SELF';

export class AppError extends GraphQLError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    extra: Record<string, unknown> = {},
  ) {
    super(message, { extensions: { code, ...extra } });
    this.name = 'AppError';
  }
}

export const badInput = (message: string, field?: string) => new AppError('BAD_USER_INPUT', message, field ? { field } : {});
export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} does not exist.`);
// Refused credentials are refused before any resolver runs, as HTTP 401 (Apollo reads
// extensions.http from errors thrown while building the context; formatError drops it after).
export const unauthenticated = (message = 'Sign in first: send "Authorization: Bearer <token>".') =>
  new AppError('UNAUTHENTICATED', message, { http: { status: 401 } });
export const forbidden = (message: string) => new AppError('FORBIDDEN', message);

/** The database could not answer in time (throttled, unreachable, 5xx): the client may retry. */
export class UnavailableError extends AppError {
  constructor(readonly causeName: string) {
    super('UNAVAILABLE', 'The database is unavailable or overloaded right now. Retry with backoff.', { retryable: true });
  }
}

const UNAVAILABLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'ServiceUnavailable',
  'InternalServerError',
  'LimitExceededException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'AbortError',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ECONNABORTED',
  'EAI_AGAIN',
]);

/** True for failures of the database's availability, as opposed to a rejected request. */
export function isUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const e = err as Error & { code?: string; $metadata?: { httpStatusCode?: number }; $fault?: string };
  if (UNAVAILABLE_NAMES.has(e.name)) return true;
  if (e.code && NETWORK_CODES.has(e.code)) return true;
  if ((e.$metadata?.httpStatusCode ?? 0) >= 500) return true;
  if (/socket hang up|ECONNREFUSED|ECONNRESET|timed? ?out/i.test(e.message)) return true;
  return false;
}
