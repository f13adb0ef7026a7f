// The one way from a request to an operation or its refusal (src/graphql/operation.ts), without a
// transport: the order of the checks and which transport serves which operation. The answers
// themselves are compared with HTTP's in test/reliability/hostile-ws.test.ts.
import { createHash } from 'node:crypto';
import { buildSchema, type GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { prepareOperation, type OperationRequest, type Transport } from '../../src/graphql/operation.js';
import { loadTypeDefs } from '../../src/schema.js';

const schema = buildSchema(loadTypeDefs());

function refusal(request: OperationRequest, transport: Transport = 'websocket') {
  const out = prepareOperation(schema, request, transport);
  if (!('refused' in out)) return 'admitted';
  return out.refused.map((e: GraphQLError) => ({ code: e.extensions.code, limit: e.extensions.limit, message: e.message }));
}

describe('prepareOperation', () => {
  it('admits a subscription over WebSocket and a query over HTTP, and resolves the named operation', () => {
    expect(refusal({ query: `subscription { openGamesChanged { kind } }` })).toBe('admitted');
    expect(refusal({ query: `{ ping }` }, 'http')).toBe('admitted');
    const out = prepareOperation(
      schema,
      { query: `query Q { ping } subscription S { openGamesChanged { kind } }`, operationName: 'S' },
      'websocket',
    );
    expect('prepared' in out && out.prepared.operation.name?.value).toBe('S');
  });

  it('admits a persisted query whose hash is its document, as Apollo does', () => {
    const query = `subscription { openGamesChanged { kind } }`;
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    expect(refusal({ query, extensions: { persistedQuery: { version: 1, sha256Hash } } })).toBe('admitted');
    expect(refusal({ query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256Hash.replace(/^./, '0') } } })).toMatchObject([
      { code: 'PERSISTED_QUERY_HASH_MISMATCH' },
    ]);
  });

  it('refuses each operation type on the transport that does not serve it', () => {
    expect(refusal({ query: `{ ping }` })).toEqual([
      {
        code: 'BAD_REQUEST',
        limit: undefined,
        message: 'Only subscriptions are served over WebSocket; send queries and mutations with HTTP POST.',
      },
    ]);
    expect(refusal({ query: `subscription { openGamesChanged { kind } }` }, 'http')).toMatchObject([{ code: 'BAD_REQUEST' }]);
  });

  it('never picks the first of several operations: without operationName it is OPERATION_RESOLUTION_FAILURE', () => {
    expect(refusal({ query: `subscription A { openGamesChanged { kind } } subscription B { openGamesChanged { kind } }` })).toEqual([
      {
        code: 'OPERATION_RESOLUTION_FAILURE',
        limit: undefined,
        message: 'Must provide operation name if query contains multiple operations.',
      },
    ]);
    expect(refusal({ query: `subscription A { openGamesChanged { kind } }`, operationName: 'B' })).toEqual([
      { code: 'OPERATION_RESOLUTION_FAILURE', limit: undefined, message: 'Unknown operation named "B".' },
    ]);
  });

  it('checks in order: document, limits, variables, then transport, so a document wrong in itself is refused alike everywhere', () => {
    // Over the depth limit and with a bad variable: the limit speaks first.
    const deep = `query($n: Int) { openGames(first: $n) { edges { node { players { edges { node { user { followers { edges { node { followers { edges { node { followers { edges { node { username } } } } } } } } } } } } } } } } }`;
    expect(refusal({ query: deep, variables: { n: 'x' } }, 'http')).toMatchObject([{ code: 'BAD_USER_INPUT', limit: 'maxDepth' }]);
    // A bad variable in a query over WebSocket is the variable's fault before the transport's.
    expect(refusal({ query: `query($n: Int) { openGames(first: $n) { edges { cursor } } }`, variables: { n: 'x' } })).toEqual([
      {
        code: 'BAD_USER_INPUT',
        limit: undefined,
        message: 'Variable "$n" got invalid value "x"; Int cannot represent non-integer value: "x"',
      },
    ]);
    expect(refusal({ query: '' })).toMatchObject([{ code: 'BAD_REQUEST' }]);
    expect(refusal({ query: `subscription {` })).toMatchObject([{ code: 'GRAPHQL_PARSE_FAILED' }]);
    expect(refusal({ query: `subscription { openGamesChanged { nope } }` })).toMatchObject([{ code: 'GRAPHQL_VALIDATION_FAILED' }]);
  });
});
