// Mixed concurrent load over both apps, then an invariant check over the whole table: every
// counter equals the items it counts, no game passes 50 players, and every answer was data or a
// domain code a client can act on (never INTERNAL_SERVER_ERROR).
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newFollowItem } from '../../src/data/follows/follows.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { closeAndDrop, invariantViolations, pool } from './support.js';
import { DOMAIN_CODES, operations, scopeOf, seedWorld, type World } from './workload.js';

let s: TestServer;
let world: World;
beforeAll(async () => {
  s = await startTestServer({ reportCost: false });
  // 80 users racing for the last seats of games that already hold 45 players.
  world = await seedWorld(s.clients.doc, s.tableName, { users: 80, games: 2, photos: 4, seated: 45 });
});
afterAll(() => closeAndDrop(s));

const OPERATIONS = 300;
const IN_FLIGHT = 24;

describe('mixed load', () => {
  it(`runs ${OPERATIONS} racing joins, starts, follows, unfollows, reactions and removals and leaves every counter equal to its items`, async () => {
    const next = operations(world, 20_261_121);
    const ops = Array.from({ length: OPERATIONS }, next);
    const results = await pool(
      IN_FLIGHT,
      ops.map((op) => () => s.execute(op.query, { variables: op.variables, as: op.as })),
    );

    const outcomes: Record<string, Record<string, number>> = {};
    const unexpected: unknown[] = [];
    results.forEach((res, i) => {
      const op = ops[i]!;
      const codes = (res.errors ?? []).map((e) => String(e.extensions?.code));
      const outcome = codes.length ? codes.join(',') : 'ok';
      (outcomes[op.name] ??= {})[outcome] = (outcomes[op.name]?.[outcome] ?? 0) + 1;
      if (res.status !== 200 || codes.some((c) => !DOMAIN_CODES.has(c))) unexpected.push({ op, status: res.status, errors: res.errors });
    });
    expect(unexpected).toEqual([]);
    // The load did what it is for: every kind of write landed, and games filled up (joins were
    // then refused as full, or as started once the creator started the full game).
    for (const name of ['follow', 'unfollow', 'react', 'unreact', 'join'])
      expect(outcomes[name]?.ok ?? 0, `${name}: ${JSON.stringify(outcomes)}`).toBeGreaterThan(0);
    expect((outcomes.join?.GAME_FULL ?? 0) + (outcomes.join?.GAME_NOT_OPEN ?? 0), JSON.stringify(outcomes.join)).toBeGreaterThan(0);

    expect(await invariantViolations(s.clients.doc, s.tableName, scopeOf(world))).toEqual([]);
  }, 120_000);
});

describe('the invariant check', () => {
  it('reports a counter that disagrees with its items, so a pass above means something', async () => {
    const [a, b] = world.users.slice(70, 72) as [string, string];
    // A follow item written without moving either counter: what a half-applied follow leaves.
    await s.clients.doc.send(new PutCommand({ TableName: s.tableName, Item: newFollowItem(a, b, '2024-01-01T00:00:00.000') }));
    expect(await invariantViolations(s.clients.doc, s.tableName, { users: [a, b], games: [], photos: [] })).toEqual([
      `user ${a}: followers = 0 but 1 follow items`,
      `user ${b}: following = 0 but 1 follow items`,
    ]);
  });
});
