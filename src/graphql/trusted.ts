// Trusted documents (README "Trusted documents"): the documents this server was built to answer,
// from the SDK's operations (src/__generated__/trusted-documents.json, written by `npm run codegen`),
// each known by the GraphQL-over-HTTP draft's documentId, "sha256:<hex>" of its text. Transport-free:
// HTTP (POST body, GET parameter), Lambda and graphql-ws (extensions.documentId) all ask resolve().
import { createHash } from 'node:crypto';
import type { TrustedDocumentsMode } from '../config.js';
import { TrustedDocumentError } from '../request-errors.js';
import type { Logger } from '../log.js';
import { recordUntrustedDocument } from '../observe/metrics.js';
import manifest from '../__generated__/trusted-documents.json' with { type: 'json' };

const ID = /^sha256:[0-9a-f]{64}$/;

/** What a request carries: a `documentId` (HTTP), or `extensions.documentId` (graphql-ws), and/or a `query`. */
export interface DocumentRequest {
  query?: unknown;
  documentId?: unknown;
  operationName?: unknown;
  extensions?: unknown;
}

/** The document to run (`documentId` set when it came from the manifest), or why the request is refused. */
export type Resolution = { query: string | undefined; documentId?: string } | { refused: TrustedDocumentError };

export interface TrustedDocuments {
  readonly mode: TrustedDocumentsMode;
  resolve(request: DocumentRequest): Resolution;
}

export interface TrustedDocumentsOptions {
  mode: TrustedDocumentsMode;
  logger: Logger;
  /** id → document; the generated manifest by default. */
  documents?: Readonly<Record<string, string>>;
}

export function createTrustedDocuments(opts: TrustedDocumentsOptions): TrustedDocuments {
  const documents = new Map(Object.entries(opts.documents ?? (manifest as Record<string, string>)));
  const { mode, logger } = opts;
  return {
    mode,
    resolve(request) {
      const id = documentIdOf(request);
      const query = typeof request.query === 'string' ? request.query : undefined;
      if (id !== undefined) {
        if (typeof id !== 'string' || !ID.test(id)) {
          return refuse('TRUSTED_DOCUMENT_ID_INVALID', 'documentId must be "sha256:" followed by 64 lowercase hex digits.');
        }
        const document = documents.get(id);
        if (document === undefined) return refuse('TRUSTED_DOCUMENT_NOT_FOUND', `No trusted document has the id ${id}.`);
        // A query beside the id may only repeat the document: anything else would run one and log the other.
        if (query !== undefined && query !== '' && query !== document) {
          return refuse('TRUSTED_DOCUMENT_MISMATCH', `The query sent with documentId ${id} is not that document: send one or the other.`);
        }
        return { query: document, documentId: id };
      }
      if (mode === 'off') return { query };
      // Hashing the text as sent: the SDK sends the manifest's text byte for byte, so its documents are known.
      const hash = query ? `sha256:${createHash('sha256').update(query, 'utf8').digest('hex')}` : undefined;
      if (mode === 'enforce') {
        if (hash === undefined || !documents.has(hash)) recordUntrustedDocument('enforce');
        return refuse(
          'TRUSTED_DOCUMENT_REQUIRED',
          'This server runs trusted documents only: send {"documentId": "sha256:<hex>"} instead of a query (README "Trusted documents").',
        );
      }
      if (hash !== undefined && !documents.has(hash)) {
        recordUntrustedDocument('log');
        logger.info('untrusted document', {
          documentId: hash,
          operationName: typeof request.operationName === 'string' ? request.operationName : null,
        });
      }
      return { query };
    },
  };
}

// The draft puts the id at the top level; graphql-ws's subscribe has no room there, so it travels in extensions.
function documentIdOf(request: DocumentRequest): unknown {
  if (request.documentId !== undefined) return request.documentId;
  const ext = request.extensions;
  return typeof ext === 'object' && ext !== null ? (ext as { documentId?: unknown }).documentId : undefined;
}

function refuse(code: ConstructorParameters<typeof TrustedDocumentError>[0], message: string): Resolution {
  return { refused: new TrustedDocumentError(code, message) };
}
