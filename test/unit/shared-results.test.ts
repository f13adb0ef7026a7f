// The delivery function's shared results (src/serverless/shared-results.ts): subscribers of one
// event share a run only when their messages would be byte for byte the same, which each
// subscriber's own run (no sharing) is the reference for.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GraphQLID, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString, type GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { Viewer } from '../../src/auth.js';
import { loadConfig } from '../../src/config.js';
import { cursorKeys } from '../../src/data/dynamo/cursor.js';
import type { Context } from '../../src/graphql/context.js';
import type { Delivery } from '../../src/live/feed.js';
import { eventMessage, type Executor } from '../../src/serverless/execute.js';
import { SharedResults } from '../../src/serverless/shared-results.js';

let runs = 0;
const Event = new GraphQLObjectType<Delivery, Context>({
  name: 'Event',
  fields: {
    position: { type: GraphQLString, resolve: (d) => ((runs += 1), d.position) },
    seenBy: { type: GraphQLString, resolve: (_, __, ctx) => ctx.viewer?.username ?? 'nobody' },
  },
});
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
  subscription: new GraphQLObjectType<Delivery, Context>({
    name: 'Subscription',
    fields: { event: { type: Event, args: { id: { type: new GraphQLNonNull(GraphQLID) } }, resolve: (d) => d } },
  }),
});
const config = loadConfig({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:1', TABLE_NAME: 'unused', LOG_LEVEL: 'error' });
const executor: Executor = {
  schema,
  // The context's client is never called: these resolvers read only the event and the viewer.
  contextDeps: {
    client: DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: 'http://127.0.0.1:1', region: 'local' })),
    tableName: 't',
    cursorKeys: cursorKeys('secret'),
    games: config.games,
  },
  formatError: (e: GraphQLError) => e.toJSON(),
};
const d: Delivery = { position: 'p1', index: 0, event: { kind: 'RESYNC' }, entry: null };
const viewer = (username: string): Viewer => ({ username, role: null });
const subscriber = (id: string, document: string, v: Viewer | null, variables: Record<string, unknown> = { id: 'g' }) => ({
  subscriptionId: id,
  document,
  variables,
  operationName: null,
  viewer: v,
});

describe('SharedResults', () => {
  it('runs an operation that never reads the viewer once for every viewer, with the messages each own run makes', async () => {
    const doc = 'subscription($id: ID!) { event(id: $id) { position } }';
    const subs = [subscriber('1', doc, viewer('ann')), subscriber('2', doc, viewer('bob')), subscriber('3', doc, null)];
    const own = await Promise.all(subs.map((s) => eventMessage(executor, s, d)));
    runs = 0;
    const shared = new SharedResults();
    const got = await Promise.all(subs.map((s) => eventMessage(executor, s, d, shared)));
    expect(got).toEqual(own);
    expect(runs).toBe(1);
    // Other variables are another operation.
    await eventMessage(executor, subscriber('4', doc, viewer('ann'), { id: 'h' }), d, shared);
    expect(runs).toBe(2);
  });

  it('runs an operation that reads the viewer once per viewer: each gets its own result', async () => {
    const doc = 'subscription($id: ID!) { event(id: $id) { position seenBy } }';
    const subs = [
      subscriber('1', doc, viewer('ann')),
      subscriber('2', doc, viewer('bob')),
      subscriber('3', doc, viewer('ann')),
      subscriber('4', doc, null),
    ];
    const own = await Promise.all(subs.map((s) => eventMessage(executor, s, d)));
    runs = 0;
    const shared = new SharedResults();
    const got = await Promise.all(subs.map((s) => eventMessage(executor, s, d, shared)));
    expect(got).toEqual(own);
    expect(got.map((m) => (JSON.parse(m) as { payload: { data: { event: { seenBy: string } } } }).payload.data.event.seenBy)).toEqual([
      'ann',
      'bob',
      'ann',
      'nobody',
    ]);
    expect(runs).toBe(3);
  });
});
