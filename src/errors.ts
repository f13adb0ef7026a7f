// Errors a client can switch on: every one carries a stable extensions.code, and each kind of
// refusal has its own class with its one message, so a code is never spelled out at a call site.
// Here: the codes, the base class, and the errors of the data and its domains; request-errors.ts
// holds the refusals of a whole request (transport, node ids, trusted documents).
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
  | 'CANNOT_FOLLOW_SELF'
  | 'BAD_REQUEST'
  | 'BAD_NODE_ID'
  | 'TRUSTED_DOCUMENT_REQUIRED'
  | 'TRUSTED_DOCUMENT_NOT_FOUND'
  | 'TRUSTED_DOCUMENT_ID_INVALID'
  | 'TRUSTED_DOCUMENT_MISMATCH'
  | 'LIVE_QUERY_REQUIRES_WEBSOCKET';

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
// Refused credentials are refused before any resolver runs, as HTTP 401 (Apollo reads
// extensions.http from errors thrown while building the context; formatError drops it after).
export const unauthenticated = (message = 'Sign in first: send "Authorization: Bearer <token>".') =>
  new AppError('UNAUTHENTICATED', message, { http: { status: 401 } });
export const forbidden = (message: string) => new AppError('FORBIDDEN', message);

/** Something the request names (`what`, e.g. "The game 1f…") is not in the table. */
export class NotFoundError extends AppError {
  constructor(what: string) {
    super('NOT_FOUND', `${what} does not exist.`);
  }
}
export const notFound = (what: string) => new NotFoundError(what);

/** The database could not answer in time (throttled, unreachable, 5xx): the client may retry. */
export class UnavailableError extends AppError {
  constructor(readonly causeName: string) {
    super('UNAVAILABLE', 'The database is unavailable or overloaded right now. Retry with backoff.', { retryable: true });
  }
}

// Concurrency: a guarded write lost to concurrent writes; the client may simply retry.

/** A transaction was cancelled by a concurrent change no condition explains. The reasons are DynamoDB's, for the log only. */
export class TransactionConflictError extends AppError {
  /** DynamoDB's cancellation reasons are internals: formatError writes them to the log, never to the client. */
  constructor(readonly logDetail: { reasons: string[]; messages: string[] }) {
    super('CONFLICT', 'The change could not be applied because the data changed at the same time. Try again.');
  }
}

/** A transaction kept colliding with concurrent ones through every retry. */
export class ContentionError extends AppError {
  constructor() {
    super('CONFLICT', 'The change kept colliding with concurrent changes. Try again.', { retryable: true });
  }
}

// Users.

/** ALREADY_EXISTS on `field`: the username or the email (whatever its letter case) belongs to someone. */
export class UsernameTakenError extends AppError {
  constructor(username: string) {
    super('ALREADY_EXISTS', `The username ${username} is taken.`, { field: 'username' });
  }
}
export class EmailTakenError extends AppError {
  constructor(email: string) {
    super('ALREADY_EXISTS', `The email ${email} is already used by another user.`, { field: 'email' });
  }
}

// Games.

export class GameIdTakenError extends AppError {
  constructor(gameId: string) {
    super('CONFLICT', `A game with id ${gameId} already exists. Try again.`);
  }
}
export class AlreadyJoinedError extends AppError {
  constructor(gameId: string, username: string) {
    super('ALREADY_JOINED', `${username} is already a player of game ${gameId}.`);
  }
}
export class GameFullError extends AppError {
  constructor(gameId: string, people: number, capacity: number) {
    super('GAME_FULL', `Game ${gameId} already has ${people} of ${capacity} players.`);
  }
}
/** GAME_NOT_OPEN: the game has started (or ended); joining or starting it again is refused. */
export class GameStartedError extends AppError {
  constructor(gameId: string) {
    super('GAME_NOT_OPEN', `Game ${gameId} has already started.`);
  }
}
/** GAME_NOT_OPEN: not started, yet not listed as open (the labs' data has such games). */
export class GameClosedError extends AppError {
  constructor(gameId: string) {
    super('GAME_NOT_OPEN', `Game ${gameId} is not taking players.`);
  }
}
export class GameNotFullError extends AppError {
  constructor(gameId: string, people: unknown, capacity: number) {
    super('GAME_NOT_FULL', `Game ${gameId} has ${String(people)} of ${capacity} players; it starts when full.`);
  }
}
/** The join lost every retry to other joins moving the count. */
export class SeatCountKeptMovingError extends AppError {
  constructor() {
    super('CONFLICT', "The game's player count kept changing while you joined. Try again.", { retryable: true });
  }
}
export class GameChangedWhileStartingError extends AppError {
  constructor(gameId: string) {
    super('CONFLICT', `Game ${gameId} changed while starting. Try again.`);
  }
}
/** GAME_NOT_STARTED: results are recorded, and a game ended, only while it runs. */
export class GameNotStartedError extends AppError {
  constructor(gameId: string) {
    super('GAME_NOT_STARTED', `Game ${gameId} has not started yet.`);
  }
}
export class GameEndedError extends AppError {
  constructor(gameId: string, endTime: string) {
    super('GAME_NOT_STARTED', `Game ${gameId} ended at ${endTime}; results are recorded while a game runs.`);
  }
}
export class SharedMedalError extends AppError {
  constructor(gameId: string, medal: string, holders: readonly string[]) {
    super('CONFLICT', `${holders.join(' and ')} both hold ${medal} in game ${gameId}: record one of them again before ending the game.`, {
      medal,
      holders,
    });
  }
}
export class PodiumChangedError extends AppError {
  constructor(gameId: string) {
    super('CONFLICT', `The podium of game ${gameId} changed while it was ending. Try again.`);
  }
}

// Photos and reactions.

/** Every free millisecond tried was taken by the same owner's other uploads. */
export class UploadInstantTakenError extends AppError {
  constructor() {
    super('CONFLICT', 'Another photo was uploaded at the same instant. Try again.');
  }
}
export class AlreadyReactedError extends AppError {
  constructor(user: string, type: string) {
    super('ALREADY_REACTED', `${user} already reacted to this photo with ${type}.`, { type });
  }
}
export class NotReactedError extends AppError {
  constructor(user: string, type: string) {
    super('NOT_REACTED', `${user} has not reacted to this photo with ${type}.`, { type });
  }
}

// Follows.

export class CannotFollowSelfError extends AppError {
  constructor() {
    super('CANNOT_FOLLOW_SELF', 'You cannot follow or unfollow yourself.');
  }
}
export class AlreadyFollowingError extends AppError {
  constructor(followed: string) {
    super('ALREADY_FOLLOWING', `You already follow ${followed}.`);
  }
}
export class NotFollowingError extends AppError {
  constructor(followed: string) {
    super('NOT_FOLLOWING', `You do not follow ${followed}.`);
  }
}

/**
 * Not an error for clients: a signal a write's own caller catches and acts on (retry with other
 * values, or take the answer it carries). Deliberately not an AppError: one that escaped would be a
 * bug, and is then answered as INTERNAL_SERVER_ERROR and logged, never passed off as the client's.
 */
export abstract class InternalSignal extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
