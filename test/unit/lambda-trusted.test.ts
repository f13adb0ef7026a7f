// The Lambda entry with TRUSTED_DOCUMENTS=enforce, invoked as API Gateway's HTTP API invokes it and
// with no database (Ping makes no DynamoDB call): ids run over POST (plain or base64) and GET, the
// integration reading the event only after the id was replaced by its document; documents sent in
// full are refused as the HTTP server refuses them.
import { describe, expect, it } from 'vitest';
import manifest from '../../src/__generated__/trusted-documents.json' with { type: 'json' };
import { loadConfig } from '../../src/config.js';
import { createHandler } from '../../src/lambda.js';
import { createLogger } from '../../src/log.js';
import { SECRETS, graphql, invoke } from '../helpers/lambda.js';

const [pingId] = Object.entries(manifest as Record<string, string>).find(([, d]) => d.startsWith('query Ping'))!;

describe('Lambda handler with TRUSTED_DOCUMENTS=enforce', () => {
  const config = loadConfig({ AWS_REGION: 'us-east-1', TABLE_NAME: 'graphql-test', TRUSTED_DOCUMENTS: 'enforce', ...SECRETS });
  const handler = createHandler(config, { logger: createLogger({ silent: true }) });

  it('runs a known id sent in a POST body, plain or base64-encoded', async () => {
    for (const base64 of [false, true]) {
      const res = await invoke(handler, { body: JSON.stringify({ documentId: pingId }), base64 });
      expect([res.status, res.body.data]).toEqual([200, { ping: 'ok' }]);
    }
  });

  it('runs a known id sent as a GET parameter', async () => {
    const res = await invoke(handler, {
      method: 'GET',
      query: `documentId=${encodeURIComponent(pingId)}`,
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect([res.status, res.body.data]).toEqual([200, { ping: 'ok' }]);
  });

  it('refuses a document sent in full, and an unknown id, with their codes and 400', async () => {
    const full = await invoke(handler, { body: graphql('{ ping }') });
    expect([full.status, full.body.errors.map((e: any) => e.extensions.code)]).toEqual([400, ['TRUSTED_DOCUMENT_REQUIRED']]);
    const unknown = await invoke(handler, { body: JSON.stringify({ documentId: `sha256:${'0'.repeat(64)}` }) });
    expect([unknown.status, unknown.body.errors.map((e: any) => e.extensions.code)]).toEqual([400, ['TRUSTED_DOCUMENT_NOT_FOUND']]);
  });
});
