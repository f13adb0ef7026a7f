// Hostile and mistaken ids under each TRUSTED_DOCUMENTS mode: each gets its own code and a 400
// over HTTP (POST and GET) and the subscribe's `error` over WebSocket, before anything is parsed;
// `log` runs unknown documents, logs each (info) and counts it, and never counts the SDK's own.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import manifest from '../../src/__generated__/trusted-documents.json' with { type: 'json' };
import { createLogger } from '../../src/log.js';
import { connect } from '../helpers/live.js';
import { parseExposition } from '../helpers/prometheus.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { getJson, postJson, subscribeOnce } from '../helpers/trusted.js';

const documents = Object.entries(manifest as Record<string, string>);
const [pingId, pingDocument] = documents.find(([, d]) => d.startsWith('query Ping'))!;
const lobbyId = documents.find(([, d]) => d.startsWith('subscription GameLobby'))![0];
const UNKNOWN = `sha256:${'0'.repeat(64)}`;
const MALFORMED: unknown[] = [`sha256:${'A'.repeat(64)}`, `sha256:${'0'.repeat(63)}`, `md5:${'0'.repeat(32)}`, 'Ping', 42, null, {}];

describe('TRUSTED_DOCUMENTS=enforce, hostile ids', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ env: { TRUSTED_DOCUMENTS: 'enforce' }, live: {} });
  });
  afterAll(() => s?.close());

  it('answers an unknown id with TRUSTED_DOCUMENT_NOT_FOUND over POST, GET and WebSocket', async () => {
    expect(await codes(postJson(s, { documentId: UNKNOWN }))).toEqual([400, ['TRUSTED_DOCUMENT_NOT_FOUND']]);
    expect(await codes(getJson(s, { documentId: UNKNOWN }))).toEqual([400, ['TRUSTED_DOCUMENT_NOT_FOUND']]);
    expect(await overWs(s, { query: '', extensions: { documentId: UNKNOWN } })).toEqual(['TRUSTED_DOCUMENT_NOT_FOUND']);
  });

  it('answers a malformed id with TRUSTED_DOCUMENT_ID_INVALID, whatever its type', async () => {
    for (const documentId of MALFORMED) {
      expect([documentId, ...(await codes(postJson(s, { documentId })))]).toEqual([documentId, 400, ['TRUSTED_DOCUMENT_ID_INVALID']]);
      expect([documentId, await overWs(s, { query: '', extensions: { documentId } })]).toEqual([
        documentId,
        ['TRUSTED_DOCUMENT_ID_INVALID'],
      ]);
    }
    expect(await codes(getJson(s, { documentId: 'sha256:nope' }))).toEqual([400, ['TRUSTED_DOCUMENT_ID_INVALID']]);
  });

  it('refuses an id sent with a different query (TRUSTED_DOCUMENT_MISMATCH), and runs one sent with its own text', async () => {
    const other = '{ __typename }';
    expect(await codes(postJson(s, { documentId: pingId, query: other }))).toEqual([400, ['TRUSTED_DOCUMENT_MISMATCH']]);
    expect(await codes(getJson(s, { documentId: pingId, query: other }))).toEqual([400, ['TRUSTED_DOCUMENT_MISMATCH']]);
    const lobby = `subscription { gameLobby(gameId: "x") { cursor } }`;
    expect(await overWs(s, { query: lobby, extensions: { documentId: lobbyId } })).toEqual(['TRUSTED_DOCUMENT_MISMATCH']);
    const same = await postJson(s, { documentId: pingId, query: pingDocument });
    expect([same.status, same.body.data]).toEqual([200, { ping: expect.any(String) }]);
  });

  it('refuses the empty document without an id with TRUSTED_DOCUMENT_REQUIRED, over HTTP and WebSocket', async () => {
    expect(await codes(postJson(s, {}))).toEqual([400, ['TRUSTED_DOCUMENT_REQUIRED']]);
    expect(await overWs(s, { query: '' })).toEqual(['TRUSTED_DOCUMENT_REQUIRED']);
  });
});

describe('TRUSTED_DOCUMENTS=off', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ env: { TRUSTED_DOCUMENTS: 'off' } });
  });
  afterAll(() => s?.close());

  it('runs any document, resolves known ids, and still refuses unknown or malformed ones', async () => {
    expect((await postJson(s, { query: '{ __typename }' })).body.data).toEqual({ __typename: 'Query' });
    expect((await postJson(s, { documentId: pingId })).body.data).toEqual({ ping: expect.any(String) });
    expect(await codes(postJson(s, { documentId: UNKNOWN }))).toEqual([400, ['TRUSTED_DOCUMENT_NOT_FOUND']]);
    expect(await codes(postJson(s, { documentId: 'x' }))).toEqual([400, ['TRUSTED_DOCUMENT_ID_INVALID']]);
  });
});

describe('TRUSTED_DOCUMENTS=log', () => {
  let s: TestServer;
  const lines: Record<string, any>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  beforeAll(async () => {
    s = await startTestServer({ env: { TRUSTED_DOCUMENTS: 'log' }, metrics: true, logger: createLogger({ destination }) });
  });
  afterAll(() => s?.close());

  const counted = async () =>
    parseExposition(await (await fetch(`${s.url}/metrics`)).text()).sum('graphql_untrusted_documents_total', { mode: 'log' });

  it('runs an unknown document, logs it at info with its hash and counts it; the SDK’s text and ids are neither', async () => {
    const before = await counted();
    const unknown = await postJson(s, { query: 'query Mine { __typename }', operationName: 'Mine' });
    expect(unknown.body.data).toEqual({ __typename: 'Query' });
    expect(await counted()).toBe(before + 1);
    expect(lines.filter((l) => l.msg === 'untrusted document')).toEqual([
      expect.objectContaining({ level: 'info', operationName: 'Mine', documentId: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) }),
    ]);
    expect((await postJson(s, { query: pingDocument })).body.data).toEqual({ ping: expect.any(String) });
    expect((await postJson(s, { documentId: pingId })).body.data).toEqual({ ping: expect.any(String) });
    // A marker after the last request: another unknown document, counted, so the two before it were not.
    await postJson(s, { query: '{ marker: __typename }' });
    expect(await counted()).toBe(before + 2);
    expect(lines.filter((l) => l.msg === 'untrusted document')).toHaveLength(2);
  });
});

async function codes(answer: Promise<{ status: number; codes: string[] }>): Promise<[number, string[]]> {
  const a = await answer;
  return [a.status, a.codes];
}

async function overWs(s: TestServer, payload: { query: string; extensions?: Record<string, unknown> }): Promise<string[]> {
  const live = await connect(s);
  try {
    const outcome = await subscribeOnce(live.client, payload, () => false);
    return outcome.codes;
  } finally {
    await live.close();
  }
}
