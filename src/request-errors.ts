// Refusals of a request as a whole, before any resolver runs: the wrong transport for the
// operation, a node id this API never gave out, and the trusted-documents check. Codes and the
// AppError base are in errors.ts.
import { AppError } from './errors.js';

/** An operation sent over the wrong transport: WebSocket serves subscriptions only. */
export class QueryOverWebSocketError extends AppError {
  constructor() {
    super('BAD_REQUEST', 'Only subscriptions are served over WebSocket; send queries and mutations with HTTP POST.');
  }
}

/** The other way round: a subscription needs a long-lived connection, so HTTP refuses it (400) before it runs. */
export class SubscriptionOverHttpError extends AppError {
  constructor() {
    super('BAD_REQUEST', 'Subscriptions are served over WebSocket (graphql-ws) at /graphql, not over HTTP: open a WebSocket.', {
      http: { status: 400 },
    });
  }
}

/** An id given to node(id:) or nodes(ids:) that no object of this API carries: malformed, or of an unknown type. */
export class BadNodeIdError extends AppError {
  constructor(preview: string, reason: string) {
    super('BAD_NODE_ID', `${preview} is not an id this API gives out: ${reason}.`);
  }
}

/**
 * A request refused by the trusted-documents check (src/graphql/trusted.ts) before anything is
 * parsed: over HTTP a 400 with this code, over WebSocket the subscribe's `error` message.
 */
export class TrustedDocumentError extends AppError {
  constructor(
    code: 'TRUSTED_DOCUMENT_REQUIRED' | 'TRUSTED_DOCUMENT_NOT_FOUND' | 'TRUSTED_DOCUMENT_ID_INVALID' | 'TRUSTED_DOCUMENT_MISMATCH',
    message: string,
  ) {
    super(code, message);
  }
}

/** A `query … @live` sent over HTTP: it is kept current over a WebSocket only, so it is refused rather than answered once. */
export class LiveQueryOverHttpError extends AppError {
  constructor() {
    super(
      'LIVE_QUERY_REQUIRES_WEBSOCKET',
      'A @live query is served over WebSocket (graphql-ws) at /graphql; send it there, or drop @live.',
      {
        http: { status: 400 },
      },
    );
  }
}
