// The SDK and the trusted-documents manifest, without a server: the text it sends for each of its
// operations is the manifest's byte for byte, each id is the SHA-256 of that text, and with
// `trustedDocuments` it sends the id alone (over HTTP, and in a graphql-ws subscribe's extensions).
import { createHash } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse, print } from 'graphql';
import { describe, expect, expectTypeOf, it } from 'vitest';
import manifest from '../../src/__generated__/trusted-documents.json' with { type: 'json' };
import type { CostReport as ServerCostReport } from '../../src/data/dynamo/cost.js';
import type { ErrorCode } from '../../src/errors.js';
import {
  createClient,
  operationDocuments,
  payloadFor,
  trustedDocuments,
  type CostReport,
  type ServerErrorCode,
} from '../../sdk/src/index.js';

const URL_ = 'http://sdk.test/graphql';
const sha256 = (text: string) => `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;

function recordingFetch() {
  const bodies: Record<string, unknown>[] = [];
  const fetch = (async (_url: string, init: RequestInit) => {
    bodies.push(JSON.parse(String(init.body)) as Record<string, unknown>);
    return new Response(JSON.stringify({ data: {} }), { status: 200 });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, bodies };
}

describe('the manifest', () => {
  it('keys every document by the SHA-256 of its text, and that text is what graphql-js prints of it', () => {
    const entries = Object.entries(manifest as Record<string, string>);
    expect(entries.length).toBe(Object.keys(operationDocuments).length);
    for (const [id, document] of entries) {
      expect(id).toBe(sha256(document));
      expect(print(parse(document))).toBe(document); // normalised: whitespace in sdk/operations cannot move it
    }
    expect(Object.fromEntries(Object.values(trustedDocuments).map((d) => [d.id, d.document]))).toEqual(manifest);
  });
});

describe('createClient', () => {
  it('sends every SDK operation as its manifest text, or with trustedDocuments as its id alone', async () => {
    const plain = recordingFetch();
    const trusted = recordingFetch();
    const clients = [
      createClient({ url: URL_, fetch: plain.fetch }),
      createClient({ url: URL_, fetch: trusted.fetch, trustedDocuments: true }),
    ];
    for (const [name, doc] of Object.entries(operationDocuments)) {
      const op = doc.definitions[0]!;
      if (op.kind !== 'OperationDefinition' || op.operation === 'subscription') continue;
      for (const client of clients) await client.request(doc as TypedDocumentNode<unknown, Record<string, unknown>>, {});
      const entry = trustedDocuments[op.name!.value as keyof typeof trustedDocuments];
      expect([name, plain.bodies.at(-1)!.query]).toEqual([name, entry.document]);
      expect([name, trusted.bodies.at(-1)]).toEqual([name, { documentId: entry.id, operationName: op.name!.value, variables: {} }]);
    }
  });

  it('sends a document of its own in full even with trustedDocuments: the server decides', async () => {
    const { fetch, bodies } = recordingFetch();
    await createClient({ url: URL_, fetch, trustedDocuments: true }).request(parse('query Mine { ping }'));
    expect(bodies).toEqual([{ query: 'query Mine {\n  ping\n}', operationName: 'Mine', variables: {} }]);
  });

  it('puts a subscription id in extensions with an empty query, graphql-ws requiring a string there', () => {
    const req = { query: 'subscription X { x }', operationName: 'X', field: 'x', documentId: 'sha256:ab' };
    expect(payloadFor(req, { after: 'c1' })).toEqual({
      query: '',
      operationName: 'X',
      variables: { after: 'c1' },
      extensions: { documentId: 'sha256:ab' },
    });
    expect(payloadFor({ ...req, documentId: undefined }, {})).toEqual({ query: req.query, operationName: 'X', variables: {} });
  });
});

describe('what the SDK copies from the server', () => {
  it('has exactly the server’s error codes and cost report shape', () => {
    expectTypeOf<ServerErrorCode>().toEqualTypeOf<ErrorCode>();
    expectTypeOf<CostReport>().toEqualTypeOf<ServerCostReport>();
  });
});
