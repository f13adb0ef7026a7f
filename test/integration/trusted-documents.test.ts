// TRUSTED_DOCUMENTS=enforce against a real server, a real graphql-ws client and the SDK: every SDK
// operation runs by its id over POST, GET and WebSocket, and any document sent in full is refused
// with TRUSTED_DOCUMENT_REQUIRED over each of them. Hostile ids: test/reliability/trusted-documents.test.ts.
import { randomUUID } from 'node:crypto';
import { buildSchema, Kind, parse, typeFromAST, type GraphQLInputType, type OperationDefinitionNode } from 'graphql';
import { getNamedType, isEnumType, isInputObjectType, isListType, isNonNullType, isScalarType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import manifest from '../../src/__generated__/trusted-documents.json' with { type: 'json' };
import { loadTypeDefs } from '../../src/schema.js';
import { createClient, isSdkError } from '../../sdk/src/index.js';
import { connect, feedsReach } from '../helpers/live.js';
import { freshUsername, startTestServer, type TestServer } from '../helpers/server.js';
import { getJson, postJson, REFUSALS, subscribeOnce } from '../helpers/trusted.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ env: { TRUSTED_DOCUMENTS: 'enforce' }, live: { streamPollMs: 50 } });
});
afterAll(() => s?.close());

const schema = buildSchema(loadTypeDefs());
const entries = Object.entries(manifest as Record<string, string>).map(([id, document]) => ({
  id,
  document,
  operation: parse(document).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!,
}));

// A value of the type that passes variable coercion; what the resolver then makes of it is its business.
function sample(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sample(type.ofType);
  if (isListType(type)) return [sample(type.ofType)];
  const named = getNamedType(type);
  if (isEnumType(named)) return named.getValues()[0]!.name;
  if (isInputObjectType(named)) {
    const fields = Object.values(named.getFields()).filter((f) => isNonNullType(f.type) && f.defaultValue === undefined);
    return Object.fromEntries(fields.map((f) => [f.name, sample(f.type)]));
  }
  if (isScalarType(named)) return { ID: randomUUID(), String: 'sample', Int: 1, Float: 1, Boolean: true }[named.name] ?? 'sample';
  throw new Error(`No sample for ${String(type)}`);
}

function variablesOf(op: OperationDefinitionNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const v of op.variableDefinitions ?? []) {
    const type = typeFromAST(schema, v.type) as GraphQLInputType;
    if (isNonNullType(type)) out[v.variable.name.value] = sample(type);
  }
  return out;
}

describe('TRUSTED_DOCUMENTS=enforce', () => {
  it('refuses a document sent in full over POST, GET and WebSocket with TRUSTED_DOCUMENT_REQUIRED, the SDK’s own text included', async () => {
    const ping = entries.find((e) => e.operation.name?.value === 'Ping')!;
    for (const query of ['{ __typename }', ping.document]) {
      const post = await postJson(s, { query });
      expect([post.status, post.codes]).toEqual([400, ['TRUSTED_DOCUMENT_REQUIRED']]);
      const get = await getJson(s, { query });
      expect([get.status, get.codes]).toEqual([400, ['TRUSTED_DOCUMENT_REQUIRED']]);
    }
    const live = await connect(s);
    try {
      const sub = await live.subscribe('subscription { openGamesChanged { cursor kind } }');
      expect((await sub.failure()).map((e) => e.extensions?.code)).toEqual(['TRUSTED_DOCUMENT_REQUIRED']);
    } finally {
      await live.close();
    }
  });

  it('never registers an automatic persisted query: the hash with its query is refused, and the hash alone then finds nothing', async () => {
    const query = '{ __typename }';
    const sha256Hash = (await import('node:crypto')).createHash('sha256').update(query).digest('hex');
    const extensions = { persistedQuery: { version: 1, sha256Hash } };
    const register = await postJson(s, { query, extensions });
    expect([register.status, register.codes]).toEqual([400, ['TRUSTED_DOCUMENT_REQUIRED']]);
    const replay = await postJson(s, { extensions });
    expect([replay.status, replay.codes]).toEqual([400, ['TRUSTED_DOCUMENT_REQUIRED']]);
  });

  it('runs every SDK operation by id: queries and mutations over POST, subscriptions and @live queries over WebSocket', async () => {
    const as = freshUsername('t');
    const token = await s.token(as);
    const live = await connect(s, { token });
    try {
      for (const { id, operation } of entries) {
        const name = operation.name!.value;
        const variables = variablesOf(operation);
        const isLiveQuery = (operation.directives ?? []).some((d) => d.name.value === 'live');
        if (operation.operation !== 'subscription' && !isLiveQuery) {
          const res = await postJson(s, { documentId: id, variables }, token);
          // `data` present (even null) means it executed: a request refused before execution has none.
          expect([name, 'data' in res.body, res.codes.filter((c) => REFUSALS.includes(c))]).toEqual([name, true, []]);
          continue;
        }
        const held = () => (isLiveQuery ? s.live!.queries.count() : s.live!.hub.feeds());
        const before = held();
        const outcome = await subscribeOnce(live.client, { query: '', extensions: { documentId: id }, variables }, () => held() > before);
        // Either it is live now, or its resolver refused these sample arguments: both mean it ran.
        expect([name, outcome.codes.filter((c) => REFUSALS.includes(c))]).toEqual([name, []]);
        await outcome.close();
        const deadline = Date.now() + 10_000;
        while (held() !== before) {
          if (Date.now() > deadline) throw new Error(`${name} was still held 10 s after it was closed.`);
          await new Promise((r) => setImmediate(r));
        }
      }
    } finally {
      await live.close();
    }
  });

  it('runs a known id over GET (documentId and variables as query parameters)', async () => {
    const user = entries.find((e) => e.operation.name?.value === 'User')!;
    const res = await getJson(s, { documentId: user.id, variables: JSON.stringify({ username: 'nobody_here' }) });
    expect([res.status, res.body]).toEqual([200, { data: { user: null }, extensions: expect.anything() }]);
  });

  it('lets the SDK with trustedDocuments run a query, a mutation refused with its typed code, and a subscription', async () => {
    const [ana, ben] = [freshUsername('a'), freshUsername('b')];
    const client = (username: string, token: string) =>
      createClient({ url: `${s.url}/graphql`, token, trustedDocuments: true, live: { webSocketImpl: WebSocket } });
    const [anaClient, benClient] = [client(ana, await s.token(ana)), client(ben, await s.token(ben))];
    try {
      for (const [c, username] of [
        [anaClient, ana],
        [benClient, ben],
      ] as const) {
        await c.createUser({ input: { username, name: username, email: `${username}@example.com` } });
      }
      expect((await anaClient.user({ username: ben })).data.user?.username).toBe(ben);
      const game = (await anaClient.createGame({ input: { map: `Map ${randomUUID().slice(0, 8)}` } })).data.createGame;
      const before = s.live!.hub.feeds();
      const lobby = anaClient.gameLobby({ gameId: game.id });
      await feedsReach(s, before + 1);
      await benClient.joinGame({ gameId: game.id });
      // The creator's own seat may come first (it was written with the game), and so may a RESYNC
      // (an ordinary event: a loaded stream reader can make the server ask clients to re-read).
      let event = (await lobby.next()).value;
      while (event?.kind === 'RESYNC' || event?.player?.user.username === ana) event = (await lobby.next()).value;
      expect([event?.kind, event?.player?.user.username]).toEqual(['PLAYER_JOINED', ben]);
      const again = await benClient.joinGame({ gameId: game.id }).catch((e: unknown) => e);
      expect(isSdkError(again, 'ALREADY_JOINED')).toBe(true);
      await lobby.close();
    } finally {
      await anaClient.close();
      await benClient.close();
    }
  });
});
