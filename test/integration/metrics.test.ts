// Prometheus metrics as an operator scrapes them: GET /metrics after a few operations shows their
// names, outcomes, DynamoDB calls and capacity by index, batch sizes and limit refusals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallRecord } from '../../src/data/dynamo/cost.js';
import { createReadyCheck } from '../../src/data/dynamo/ready.js';
import { TABLE } from '../../src/data/table.js';
import { recordBackgroundCall } from '../../src/observe/background.js';
import { OperationNames } from '../../src/observe/names.js';
import { ensureTable } from '../../src/ops/admin.js';
import { isTableEmpty, loadItems } from '../../src/ops/load.js';
import { parseExposition, type Exposition } from '../helpers/prometheus.js';
import { expectNoErrors, startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ seed: ['game'], metrics: true });
});
afterAll(() => s.close());

const GAME = 'c9c3917e-30f3-4ba4-82c4-2e9a0e4d1cfd';

async function scrape(): Promise<Exposition> {
  const res = await fetch(`${s.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}

describe('GET /metrics', () => {
  it('counts operations by name, type and outcome, with their DynamoDB calls and capacity', async () => {
    const before = await scrape();
    const game = await s.execute(
      `query GamePlayers { game(id: "${GAME}") { id players(first: 50) { edges { node { user { name } } } } } }`,
    );
    expectNoErrors(game);
    const games = await s.execute(
      `query PlayerGames { user(username: "smithshannon") { games(first: 5) { edges { node { game { id } } } } } }`,
    );
    expectNoErrors(games);
    const refused = await s.execute(`mutation Join { joinGame(gameId: "${GAME}") { kills } }`);
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const m = await scrape();
    const delta = (name: string, labels: Record<string, string>) => m.sum(name, labels) - before.sum(name, labels);
    expect(delta('graphql_requests_total', { operation: 'GamePlayers', type: 'query', outcome: 'ok' })).toBe(1);
    expect(delta('graphql_requests_total', { operation: 'PlayerGames', type: 'query', outcome: 'ok' })).toBe(1);
    expect(delta('graphql_requests_total', { operation: 'Join', type: 'mutation', outcome: 'UNAUTHENTICATED' })).toBe(1);
    expect(delta('graphql_request_duration_seconds_count', { operation: 'GamePlayers' })).toBe(1);
    expect(m.types.get('graphql_request_duration_seconds')).toBe('histogram');

    // GamePlayers: Query on the table, then one BatchGetItem of 50 users; PlayerGames: Query InvertedIndex.
    expect(delta('dynamodb_calls_total', { command: 'Query', index: 'table' })).toBeGreaterThanOrEqual(1);
    expect(delta('dynamodb_calls_total', { command: 'Query', index: 'InvertedIndex' })).toBe(1);
    expect(delta('dynamodb_calls_total', { command: 'BatchGetItem', index: 'table' })).toBeGreaterThanOrEqual(2);
    expect(delta('dynamodb_consumed_read_capacity_units_total', { command: 'Query', index: 'InvertedIndex' })).toBeGreaterThan(0);
    expect(delta('dynamodb_consumed_read_capacity_units_total', { command: 'BatchGetItem' })).toBeGreaterThan(0);
    expect(delta('dynamodb_batch_get_keys_bucket', { le: '25' })).toBeLessThan(delta('dynamodb_batch_get_keys_count', {}));
    expect(delta('dynamodb_batch_get_keys_sum', {})).toBeGreaterThanOrEqual(50);
    expect(m.sum('process_cpu_seconds_total')).toBeGreaterThan(0);
  });

  it('counts limit refusals by limit', async () => {
    const before = await scrape();
    let inner = 'username';
    for (let i = 0; i < 4; i++) inner = `followers(first: 1) { edges { node { ${inner} } } }`;
    const res = await s.execute(`query TooDeep { user(username: "abc") { ${inner} } }`);
    expect(res.errors?.[0]?.extensions?.limit).toBe('maxDepth');
    const m = await scrape();
    expect(
      m.sum('graphql_limit_refusals_total', { limit: 'maxDepth' }) - before.sum('graphql_limit_refusals_total', { limit: 'maxDepth' }),
    ).toBe(1);
    expect(m.sum('graphql_requests_total', { operation: 'TooDeep', outcome: 'BAD_USER_INPUT' })).toBe(1);
  });

  it('keeps operation-name labels bounded: past the first names seen, new ones count as "other"', async () => {
    const names = new OperationNames(2);
    expect([names.label('A'), names.label('B'), names.label('C'), names.label('A'), names.label(undefined)]).toEqual([
      'A',
      'B',
      'other',
      'A',
      'anonymous',
    ]);
  });
});

describe('background calls', () => {
  it("meters the start-up table check, bulk loads and /readyz's probe under their own sources, not as requests", async () => {
    const seen: CallRecord[] = [];
    const onCall = (c: CallRecord) => seen.push(c);
    await ensureTable(s.clients.raw, s.tableName, { onCall });
    expect(await isTableEmpty(s.clients.doc, s.tableName, onCall)).toBe(false);
    await loadItems(s.clients.doc, s.tableName, [{ PK: 'BG#1', SK: 'BG#1' }], onCall);
    expect(await createReadyCheck(s.clients.raw, s.tableName, { onCall })()).toBe(true);
    expect(seen.map((c) => `${c.source} ${c.command}`)).toEqual([
      'admin DescribeTable', // exists, usable
      'admin DescribeTable',
      'admin DescribeTimeToLive',
      ...TABLE.indexes.map(() => 'admin DescribeTable'), // each index found in place
      'admin Scan',
      'admin BatchWriteItem',
      'probe DescribeTable',
    ]);
    expect(seen.find((c) => c.command === 'BatchWriteItem')!.wcu).toBeGreaterThan(0);

    // The probe's call reaches /metrics with its label, beside the requests'.
    const before = await scrape();
    recordBackgroundCall(seen.at(-1)!);
    const m = await scrape();
    const probes = (x: Exposition) => x.sum('dynamodb_calls_total', { source: 'probe', command: 'DescribeTable' });
    expect(probes(m) - probes(before)).toBe(1);
    expect(m.sum('dynamodb_calls_total', { source: 'request' })).toBeGreaterThan(0);
  });
});

describe('the exposition reader', () => {
  it('rejects a sample without # HELP and # TYPE', () => {
    expect(() => parseExposition('x_total 1\n')).toThrow(/no # HELP/);
  });
});
