// The one policy for a reference whose item is missing (a game's creator, a player's user or game,
// a photo's owner, a reaction's user or photo). The schema makes these fields non-null because the
// writes never leave them dangling, so a missing item is broken data, never the client's mistake:
// it fails as an internal error (INTERNAL_SERVER_ERROR to the client, the detail to the log), and
// GraphQL nulls the nearest nullable parent. NOT_FOUND is kept for what a client names in its own
// arguments. (Lists whose entries point at a missing user, such as followers, leave those entries
// out instead: one broken follow must not hide a whole page.)

/** The referenced item is missing: an inconsistency in the table. */
export class DanglingReferenceError extends Error {
  constructor(what: string) {
    super(`${what} does not exist.`);
    this.name = 'DanglingReferenceError';
  }
}

/** The item a non-null field refers to; `describe` builds the message only when it is missing. */
export function referenced<T>(value: T | null | undefined, describe: () => string): T {
  if (value === null || value === undefined) throw new DanglingReferenceError(describe());
  return value;
}
