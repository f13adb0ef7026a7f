// OpenTelemetry traces as a collector receives them: real OTLP/HTTP exports to a receiver in this
// test, one span per GraphQL operation and one child span per DynamoDB call, with its capacity.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config.js';
import { acquireLease } from '../../src/data/live/lease.js';
import { backgroundDb } from '../../src/live/db.js';
import { createLogger } from '../../src/log.js';
import { traceBackgroundCalls } from '../../src/observe/background.js';
import { startTracing } from '../../src/observe/start-tracing.js';
import type { Tracing } from '../../src/observe/trace-types.js';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlp-receiver.js';
import { expectNoErrors, startTestServer, type TestServer } from '../helpers/server.js';

let receiver: OtlpReceiver;
let tracing: Tracing;
let s: TestServer;
const lines: Record<string, any>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(JSON.parse(l));
    done();
  },
});
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  // The standard variables, read the way the server reads them.
  const config = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'graphql-under-test' });
  tracing = await startTracing(config.observability.tracing!);
  s = await startTestServer({ seed: ['game'], tracing, logger: createLogger({ destination: sink }) });
});
afterAll(async () => {
  await s.close();
  await tracing.shutdown();
  await receiver.close();
});

const GAME = 'c9c3917e-30f3-4ba4-82c4-2e9a0e4d1cfd';

describe('OTLP traces', () => {
  it('exports one span per DynamoDB call of a nested query, under the operation span, with consumed capacity', async () => {
    const res = await s.execute(
      `query GameWithPlayers { game(id: "${GAME}") { id players(first: 50) { edges { node { user { name games(first: 2) { edges { node { kills } } } } } } } } }`,
    );
    expectNoErrors(res);
    const wire = res.calls.map((c) => c.command);
    expect(wire.length).toBeGreaterThanOrEqual(3);
    await tracing.flush();

    const op = receiver.spans.find((sp) => sp.name === 'query GameWithPlayers');
    expect(op).toBeDefined();
    expect(op!.kind).toBe(2); // SERVER
    expect(op!.serviceName).toBe('graphql-under-test');
    expect(op!.attributes).toMatchObject({
      'graphql.operation.name': 'GameWithPlayers',
      'graphql.operation.type': 'query',
      'graphql.outcome': 'ok',
    });

    const calls = receiver.spans.filter((sp) => sp.parentSpanId === op!.spanId);
    expect(calls.map((c) => c.name.replace('DynamoDB.', '')).sort()).toEqual([...wire].sort());
    for (const c of calls) {
      expect(c.traceId).toBe(op!.traceId);
      expect(c.kind).toBe(3); // CLIENT
      expect(c.attributes).toMatchObject({
        'rpc.system': 'aws-api',
        'rpc.service': 'DynamoDB',
        'db.system': 'dynamodb',
        'dynamodb.attempts': 1,
        'dynamodb.source': 'request',
      });
      expect(c.attributes['dynamodb.consumed_read_capacity_units']).toBeGreaterThan(0);
      expect(c.attributes['aws.dynamodb.consumed_capacity']).toEqual([expect.stringContaining('"CapacityUnits"')]);
      expect(c.startNs).toBeGreaterThanOrEqual(op!.startNs);
      expect(c.endNs).toBeLessThanOrEqual(op!.endNs);
    }
    // The players' games come from InvertedIndex, the index is an attribute of those spans.
    expect(calls.some((c) => c.attributes['aws.dynamodb.index_name'] === 'InvertedIndex')).toBe(true);
    expect(receiver.contentTypes.every((t) => t.startsWith('application/json'))).toBe(true);
  });

  it('exports a background call (the stream lease) as a span of its own, labelled with its source', async () => {
    traceBackgroundCalls(tracing);
    try {
      expect(await acquireLease(backgroundDb(s.clients.doc, s.tableName, 'lease'), 'tracing-test', Date.now(), 10_000)).toBe(true);
    } finally {
      traceBackgroundCalls(undefined);
    }
    await tracing.flush();
    const lease = receiver.spans.filter((sp) => sp.attributes['dynamodb.source'] === 'lease');
    expect(lease.map((sp) => sp.name)).toEqual(['DynamoDB.PutItem']);
    expect(lease[0]!.parentSpanId).toBeUndefined();
    expect(lease[0]!.kind).toBe(3); // CLIENT
    expect(lease[0]!.attributes['dynamodb.consumed_write_capacity_units']).toBeGreaterThan(0);
  });

  it("continues the caller's trace from a W3C traceparent header", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parent = '00f067aa0ba902b7';
    const res = await s.execute(`query Traced { game(id: "${GAME}") { id } }`, { headers: { traceparent: `00-${traceId}-${parent}-01` } });
    expectNoErrors(res);
    await tracing.flush();
    const op = receiver.spans.find((sp) => sp.name === 'query Traced');
    expect(op).toMatchObject({ traceId, parentSpanId: parent });
  });
});

describe('the request log line', () => {
  it('is one JSON line with operation, outcome, DynamoDB calls and capacity, duration and the trace id', async () => {
    const res = await s.execute(`query Logged { game(id: "${GAME}") { id players(first: 5) { edges { node { user { name } } } } } }`);
    expectNoErrors(res);
    await tracing.flush();
    const logged = lines.filter((l) => l.msg === 'request' && l.operation === 'Logged');
    expect(logged).toHaveLength(1);
    const op = receiver.spans.find((sp) => sp.name === 'query Logged');
    expect(logged[0]).toMatchObject({
      level: 'info',
      type: 'query',
      outcome: 'ok',
      calls: res.calls.length,
      byCommand: { Query: 1, BatchGetItem: 1 },
      traceId: op!.traceId,
    });
    expect(logged[0]!.rcu).toBeGreaterThan(0);
    expect(logged[0]!.ms).toBeGreaterThan(0);
    expect(Date.parse(logged[0]!.time)).not.toBeNaN();
  });
});
