// The one error every SDK call throws: a code a program can switch on, the server's message, the
// path of the failing field and every error of the response.
import { SERVER_ERROR_CODES, type ServerErrorCode } from '../__generated__/error-codes.js';
import type { CostReport } from './cost.js';

export type { ServerErrorCode };

/** Codes graphql-js and Apollo Server give before any resolver runs (see PUBLIC_CODES in the server's src/graphql/apollo.ts). */
export type RequestErrorCode =
  | 'GRAPHQL_PARSE_FAILED'
  | 'GRAPHQL_VALIDATION_FAILED'
  | 'BAD_REQUEST'
  | 'OPERATION_RESOLUTION_FAILURE'
  | 'PERSISTED_QUERY_NOT_FOUND'
  | 'PERSISTED_QUERY_NOT_SUPPORTED'
  | 'PERSISTED_QUERY_HASH_MISMATCH'
  | 'PERSISTED_QUERY_VERSION_UNSUPPORTED';

/** Failures found on the client's side of the wire: no answer, or an answer that is not GraphQL. */
export type ClientErrorCode = 'NETWORK_ERROR' | 'INVALID_RESPONSE' | 'UNKNOWN_ERROR';

/** Every code an SdkError can carry. ServerErrorCode is generated from the server's ErrorCode, so the two cannot drift. */
export type SdkErrorCode = ServerErrorCode | RequestErrorCode | ClientErrorCode;

// Records, so that a code added to either union fails type-checking here until it is listed; at
// run time the set tells the codes we know from ones a newer server invented.
const REQUEST_CODES: Record<RequestErrorCode, true> = {
  GRAPHQL_PARSE_FAILED: true,
  GRAPHQL_VALIDATION_FAILED: true,
  BAD_REQUEST: true,
  OPERATION_RESOLUTION_FAILURE: true,
  PERSISTED_QUERY_NOT_FOUND: true,
  PERSISTED_QUERY_NOT_SUPPORTED: true,
  PERSISTED_QUERY_HASH_MISMATCH: true,
  PERSISTED_QUERY_VERSION_UNSUPPORTED: true,
};
const CLIENT_CODES: Record<ClientErrorCode, true> = { NETWORK_ERROR: true, INVALID_RESPONSE: true, UNKNOWN_ERROR: true };
const KNOWN_CODES = new Set<string>([...SERVER_ERROR_CODES, ...Object.keys(REQUEST_CODES), ...Object.keys(CLIENT_CODES)]);

/** A code the SDK knows, or UNKNOWN_ERROR for a missing or newer one (the raw value stays in `errors`). */
export function toSdkErrorCode(code: unknown): SdkErrorCode {
  return typeof code === 'string' && KNOWN_CODES.has(code) ? (code as SdkErrorCode) : 'UNKNOWN_ERROR';
}

/** One entry of a response's `errors`, as the server formats it. */
export interface GraphQLErrorEntry {
  message: string;
  path?: ReadonlyArray<string | number>;
  locations?: ReadonlyArray<{ line: number; column: number }>;
  extensions?: { code?: string; [key: string]: unknown };
}

export interface SdkErrorInit {
  code: SdkErrorCode;
  message: string;
  operationName: string;
  errors?: readonly GraphQLErrorEntry[];
  data?: unknown;
  status?: number;
  cost?: CostReport | null;
  cause?: unknown;
}

/**
 * A failed call. `code` is the first error's code (a response rarely has more than one; all are in
 * `errors` and their codes in `codes`). When the server returned partial data alongside errors it
 * is in `data`, typed `unknown` because fields the schema calls non-null may be missing from it.
 */
export class SdkError extends Error {
  readonly code: SdkErrorCode;
  readonly codes: readonly SdkErrorCode[];
  readonly operationName: string;
  /** Where in the result the first error happened, like ['joinGame']. */
  readonly path: ReadonlyArray<string | number> | undefined;
  readonly errors: readonly GraphQLErrorEntry[];
  readonly data: unknown;
  /** The HTTP status, when an answer came. */
  readonly status: number | undefined;
  /** What the failed operation cost in DynamoDB: refusals are often not free. */
  readonly cost: CostReport | null;

  constructor(init: SdkErrorInit) {
    super(`${init.operationName}: ${init.code}: ${init.message}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'SdkError';
    this.code = init.code;
    this.errors = init.errors ?? [];
    this.codes = this.errors.length ? this.errors.map((e) => toSdkErrorCode(e.extensions?.code)) : [init.code];
    this.operationName = init.operationName;
    this.path = this.errors[0]?.path;
    this.data = init.data ?? null;
    this.status = init.status;
    this.cost = init.cost ?? null;
  }
}

/** True when `err` is an SdkError, and when codes are given, one with one of those codes. */
export function isSdkError(err: unknown, ...codes: SdkErrorCode[]): err is SdkError {
  return err instanceof SdkError && (codes.length === 0 || codes.includes(err.code));
}
