// What both entries (the HTTP server and the Lambda handler) answer before Apollo runs: probes,
// unknown paths and methods, and request bodies Apollo would refuse with a bare message or parse
// at a cost. Pure, so the two entries cannot drift apart.
import type { TrustedDocuments } from '../graphql/trusted.js';
import { documentTooLarge } from '../graphql/limits/tokens.js';
import { recordLimitRefusal } from '../observe/metrics.js';

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(body),
});

export const errorAnswer = (status: number, code: string, message: string, extensions: Record<string, unknown> = {}): Answer =>
  json(status, { errors: [{ message, extensions: { code, ...extensions } }] });

/** Probes, 404 and 405; undefined when the request is for GraphQL. */
export async function routeAnswer(path: string, method: string, checkReady: () => Promise<boolean>): Promise<Answer | undefined> {
  if (path === '/healthz') return json(200, { status: 'ok' });
  if (path === '/readyz') {
    const ready = await checkReady().catch(() => false);
    return json(ready ? 200 : 503, { status: ready ? 'ready' : 'database unreachable' });
  }
  if (path !== '/graphql') return json(404, { error: 'Not found. GraphQL is served at /graphql.' });
  if (method !== 'GET' && method !== 'POST') return { status: 405, headers: { allow: 'GET, POST' }, body: '' };
  return undefined;
}

export interface GraphQLRequestIn {
  method: string;
  contentType: string;
  /** The raw body of a POST, or 'too-large' when it passed the limit while being read. */
  raw: Buffer | 'too-large' | undefined;
  /** The `query` search parameter of a GET. */
  searchQuery: string | null;
  /** The `documentId` search parameter of a GET. */
  searchDocumentId?: string | null;
  maxBodyBytes: number;
  /** Resolves ids to documents and refuses what TRUSTED_DOCUMENTS refuses; absent, any document goes on. */
  trusted?: TrustedDocuments;
}

export interface ParsedGraphQLRequest {
  /** What Apollo gets as the body: for a POST carrying a documentId, `query` is that document. */
  body: unknown;
  /** Set when the request carried a trusted document's id. */
  documentId?: string;
  /** Set when a GET carried a documentId: the document, for the caller to put in `query` instead. */
  getQuery?: string;
}

/** Parses a GraphQL request's body, or answers it: too large, not JSON, batched, an untrusted document, or too many tokens. */
export function parseGraphQLRequest(req: GraphQLRequestIn): { answer: Answer } | ParsedGraphQLRequest {
  let body: unknown = undefined;
  if (req.method === 'POST') {
    if (req.raw === 'too-large' || (req.raw?.length ?? 0) > req.maxBodyBytes) {
      recordLimitRefusal('maxBodyBytes');
      return {
        answer: errorAnswer(413, 'BAD_USER_INPUT', `The request body is larger than the limit of ${req.maxBodyBytes} bytes.`, {
          limit: 'maxBodyBytes',
          max: req.maxBodyBytes,
        }),
      };
    }
    const raw = req.raw ?? Buffer.alloc(0);
    const type = req.contentType.toLowerCase();
    if (type.startsWith('application/json') || type.startsWith('application/graphql-response+json')) {
      try {
        body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
      } catch {
        return { answer: errorAnswer(400, 'BAD_USER_INPUT', 'The request body is not valid JSON.') };
      }
      if (Array.isArray(body)) {
        return {
          answer: errorAnswer(
            400,
            'BAD_USER_INPUT',
            'Batched requests are not accepted: send one operation per request (limit: 1 operation per request).',
            {
              limit: 'maxOperationsPerRequest',
              value: body.length,
              max: 1,
            },
          ),
        };
      }
      if (body === null || typeof body !== 'object')
        return { answer: errorAnswer(400, 'BAD_USER_INPUT', 'The request body must be a JSON object with a "query".') };
    } else {
      // Apollo refuses other content types itself (CSRF prevention); it gets the text to say so.
      body = raw.toString('utf8');
    }
  }
  let getQuery: string | undefined;
  let documentId: string | undefined;
  // A POST that is not JSON is Apollo's to refuse (CSRF prevention); every other request is checked.
  if (req.trusted && (req.method !== 'POST' || isRecord(body))) {
    const asked =
      req.method === 'POST'
        ? (body as Record<string, unknown>)
        : { query: req.searchQuery ?? undefined, documentId: req.searchDocumentId ?? undefined };
    const resolved = req.trusted.resolve(asked);
    if ('refused' in resolved) {
      const { code, message } = resolved.refused;
      return { answer: errorAnswer(400, code, message) };
    }
    if (resolved.documentId !== undefined) {
      documentId = resolved.documentId;
      if (req.method === 'POST') {
        const { documentId: _id, ...rest } = body as Record<string, unknown>;
        body = { ...rest, query: resolved.query };
      } else getQuery = resolved.query;
    }
  }
  // The limits hold for a document from the manifest as for any other.
  const tooLarge = documentTooLarge(
    req.method === 'POST' ? (body as { query?: unknown } | undefined)?.query : (getQuery ?? req.searchQuery),
  );
  if (tooLarge) {
    // The refusal WebSocket gives the same document (limit, value, max), less the HTTP status it names.
    const { code: _code, http: _http, ...extensions } = tooLarge.extensions;
    return { answer: errorAnswer(400, 'BAD_USER_INPUT', tooLarge.message, extensions) };
  }
  return documentId === undefined ? { body } : { body, documentId, ...(getQuery === undefined ? {} : { getQuery }) };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
