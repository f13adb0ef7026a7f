// TRUSTED_DOCUMENTS: its setting (defaults, refusal of a bad value) and what the transport-free
// resolver decides for each kind of request in each mode, before any transport is involved.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createTrustedDocuments } from '../../src/graphql/trusted.js';
import { parseGraphQLRequest } from '../../src/http/preflight.js';
import { LIMITS } from '../../src/graphql/limits/limits.js';
import { createLogger } from '../../src/log.js';

const AWS = { AWS_REGION: 'us-east-1', AUTH_SECRET: 's'.repeat(32), CURSOR_SECRET: 'c'.repeat(32) };
const DOC = 'query Ping {\n  ping\n}';
const ID = 'sha256:2a1f1b3f4e6c1d5a3b7c9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d';
const resolver = (mode: 'off' | 'log' | 'enforce') =>
  createTrustedDocuments({ mode, logger: createLogger({ silent: true }), documents: { [ID]: DOC } });

describe('TRUSTED_DOCUMENTS', () => {
  it('defaults to off on a local database and to log elsewhere, and refuses anything but off, log or enforce', () => {
    expect(loadConfig({}).graphql.trustedDocuments).toBe('off');
    expect(loadConfig(AWS).graphql.trustedDocuments).toBe('log');
    expect(loadConfig({ ...AWS, TRUSTED_DOCUMENTS: 'ENFORCE' }).graphql.trustedDocuments).toBe('enforce');
    expect(() => loadConfig({ TRUSTED_DOCUMENTS: 'strict' })).toThrow(ConfigError);
    expect(() => loadConfig({ TRUSTED_DOCUMENTS: 'strict' })).toThrow(/TRUSTED_DOCUMENTS must be one of off, log, enforce, got "strict"/);
  });
});

describe('createTrustedDocuments', () => {
  const code = (r: ReturnType<ReturnType<typeof resolver>['resolve']>) => ('refused' in r ? r.refused.code : 'runs');

  it('resolves a known id in every mode, from the top level (HTTP) or from extensions (graphql-ws)', () => {
    for (const mode of ['off', 'log', 'enforce'] as const) {
      expect(resolver(mode).resolve({ documentId: ID })).toEqual({ query: DOC, documentId: ID });
      expect(resolver(mode).resolve({ query: '', extensions: { documentId: ID } })).toEqual({ query: DOC, documentId: ID });
      expect(resolver(mode).resolve({ query: DOC, documentId: ID })).toEqual({ query: DOC, documentId: ID });
    }
  });

  it('gives each refusal its code', () => {
    const r = resolver('enforce');
    expect(code(r.resolve({ query: '{ ping }' }))).toBe('TRUSTED_DOCUMENT_REQUIRED');
    expect(code(r.resolve({ query: DOC }))).toBe('TRUSTED_DOCUMENT_REQUIRED');
    expect(code(r.resolve({}))).toBe('TRUSTED_DOCUMENT_REQUIRED');
    expect(code(r.resolve({ documentId: `sha256:${'f'.repeat(64)}` }))).toBe('TRUSTED_DOCUMENT_NOT_FOUND');
    expect(code(r.resolve({ documentId: ID.toUpperCase() }))).toBe('TRUSTED_DOCUMENT_ID_INVALID');
    expect(code(r.resolve({ documentId: ID, query: '{ ping }' }))).toBe('TRUSTED_DOCUMENT_MISMATCH');
  });

  it('lets any document through in off and log', () => {
    for (const mode of ['off', 'log'] as const) expect(resolver(mode).resolve({ query: '{ ping }' })).toEqual({ query: '{ ping }' });
  });
});

describe('a resolved document and the preflight limits', () => {
  it('holds the document an id stands for to the token limit, as if it had been sent', () => {
    const huge = `query Huge { ${Array.from({ length: LIMITS.maxTokens }, (_, i) => `a${i}: ping`).join(' ')} }`;
    const id = `sha256:${'e'.repeat(64)}`;
    const trusted = createTrustedDocuments({
      mode: 'enforce',
      logger: createLogger({ silent: true }),
      documents: { [id]: huge, [ID]: DOC },
    });
    const post = (body: unknown) =>
      parseGraphQLRequest({
        method: 'POST',
        contentType: 'application/json',
        raw: Buffer.from(JSON.stringify(body)),
        searchQuery: null,
        maxBodyBytes: 100_000,
        trusted,
      });
    const refused = post({ documentId: id });
    expect('answer' in refused && [refused.answer.status, JSON.parse(refused.answer.body).errors[0].extensions]).toEqual([
      400,
      { code: 'BAD_USER_INPUT', limit: 'maxTokens', value: expect.any(Number), max: LIMITS.maxTokens },
    ]);
    expect(post({ documentId: ID, variables: {} })).toEqual({ body: { query: DOC, variables: {} }, documentId: ID });
  });
});
