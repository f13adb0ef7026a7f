// A game partition larger than one read (seeded directly: the API seats at most 50) still pages
// exactly, and its first page costs the floor: one Query, one BatchGetItem.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadItems } from '../../src/ops/load.js';
import { countCalls, expectNoErrors, startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
const id = randomUUID();
const players = Array.from({ length: 150 }, (_, i) => `big_${String(i).padStart(3, '0')}`);
beforeAll(async () => {
  s = await startTestServer();
  await loadItems(s.clients.doc, s.tableName, [
    {
      PK: `GAME#${id}`,
      SK: `#METADATA#${id}`,
      game_id: id,
      map: 'Big Map',
      create_time: '2026-01-01T00:00:00',
      people: 150,
      creator: players[0],
    },
    ...players.map((u) => ({ PK: `GAME#${id}`, SK: `USER#${u}`, game_id: id, username: u })),
    ...players.map((u) => ({ PK: `USER#${u}`, SK: `#METADATA#${u}`, username: u, name: `Name ${u}`, email: `${u}@example.com` })),
  ]);
});
afterAll(() => s.close());

const PAGE = `query($id: ID!, $after: String) { game(id: $id) { players(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { user { name } } } } } }`;

it('pages 150 players as 100 + 50, the first page in one Query and one BatchGetItem', async () => {
  const first = await s.execute(PAGE, { variables: { id } });
  expectNoErrors(first);
  const p1 = first.data!.game.players;
  expect(p1.edges).toHaveLength(100);
  expect(p1.edges[0].node.user.name).toBe('Name big_000');
  expect(p1.pageInfo.hasNextPage).toBe(true);
  expect(countCalls(first.calls)).toEqual({ Query: 1, BatchGetItem: 1 });

  const second = await s.execute(PAGE, { variables: { id, after: p1.pageInfo.endCursor } });
  expectNoErrors(second);
  const p2 = second.data!.game.players;
  expect(p2.edges.map((e: any) => e.node.user.name)).toEqual(players.slice(100).map((u) => `Name ${u}`));
  expect(p2.pageInfo.hasNextPage).toBe(false);
  // A later page reads the game by key beside the page's Query (not the game's partition again), then the users: 2 waves.
  expect(second.extensions!.dynamodb).toMatchObject({ calls: { BatchGetItem: 2, Query: 1 }, totalCalls: 3, waves: 2 });
  const pageQuery = second.calls.find((c) => c.command === 'Query')!.body;
  expect(pageQuery.KeyConditionExpression).toContain('begins_with');
  expect(pageQuery.Limit).toBe(101);
});
