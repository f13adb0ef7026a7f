// A stream batch the delivery function keeps failing is given up by Lambda's event source past the
// mapping's maximum record age; its on-failure record (where the batch was, not its records) goes
// to the SQS destination, whose handler reads that range of DynamoDB Local's real stream again and
// sends RESYNC to the subscribers of the topics it touched, and to no one else. A range the stream
// no longer has cannot name its topics: then every subscription gets RESYNC, with a warning.
// @live queries: the given-up batch's records re-run the live queries they hit (a new revision
// only if the result changed); an unreadable batch re-runs every open live query.
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { type Client } from 'graphql-ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectionItems } from '../../src/data/connections/removal.js';
import { keys } from '../../src/data/keys.js';
import { createLogger, type Logger } from '../../src/log.js';
import { loadItems } from '../../src/ops/load.js';
import { eventually } from '../helpers/cluster.js';
import { connect, joinAsNewUser, seedGame, startServerless, subscribed, type ServerlessFlavour } from '../helpers/serverless.js';
import { freshUsername } from '../helpers/server.js';

let s: ServerlessFlavour;
/** Games whose records make the delivery function fail (a fault in the function, not in DynamoDB or its stream). */
const poisoned = new Set<string>();
/** Games whose records the delivery function acknowledges unhandled: a batch lost, as one given up and then trimmed would be. */
const swallowed = new Set<string>();
const warnings: { msg: string; fields?: Record<string, unknown> }[] = [];

beforeAll(async () => {
  const silent = createLogger({ silent: true });
  const logger: Logger = { ...silent, info: silent.info, error: silent.error, warn: (msg, fields) => void warnings.push({ msg, fields }) };
  s = await startServerless({
    logger,
    // Lambda: MaximumRecordAgeInSeconds 3600 with up to 10 retries; here 400 ms of retries.
    stream: { maxRetries: 10_000, maxRecordAgeMs: 400, retryDelayMs: 20 },
    wrapDeliver: (deliver) => async (event) => {
      const touches = (games: Set<string>) => event.Records.some((r) => [...games].some((g) => r.dynamodb?.Keys?.PK?.S === `GAME#${g}`));
      if (touches(poisoned)) throw new Error('injected: this batch keeps failing');
      if (touches(swallowed)) return { batchItemFailures: [] };
      return deliver(event);
    },
  });
});
afterAll(async () => {
  await s?.close();
});

const LOBBY = `subscription($id: ID!, $after: String) { gameLobby(gameId: $id, after: $after) { cursor kind player { user { username } } } }`;

function listen(c: Client, gameId: string, after?: string) {
  const heard: { kind: string; cursor: string; player: string | null }[] = [];
  c.subscribe(
    { query: LOBBY, variables: { id: gameId, after } },
    {
      next: (r: any) => heard.push({ ...r.data.gameLobby, player: r.data.gameLobby.player?.user.username ?? null }),
      error: (e) => heard.push({ kind: `error ${JSON.stringify(e)}`, cursor: '', player: null }),
      complete: () => undefined,
    },
  );
  return heard;
}

const seen = (heard: { player: string | null }[], who: string) => eventually(async () => heard.some((h) => h.player === who), who);

it('sends RESYNC for a batch given up past the retry age to the subscribers of the topics it touched, and nothing to the others', async () => {
  const [touched, untouched] = [await seedGame(s), await seedGame(s)];
  const a = await connect(s);
  const b = await connect(s);
  const heardA = listen(a.client, touched);
  const heardB = listen(b.client, untouched);
  await subscribed(s, [`game:${touched}`], 1);
  await subscribed(s, [`game:${untouched}`], 1);
  const before = await joinAsNewUser(s, touched);
  await seen(heardA, before);

  poisoned.add(touched);
  const lost = await joinAsNewUser(s, touched);
  await s.stream.passed(keys.player(touched, lost).PK, keys.player(touched, lost).SK); // handled: given up
  await s.failures.settled();
  poisoned.delete(touched);
  expect(s.failures.records).toHaveLength(1);
  expect(s.failures.records[0]).toMatchObject({
    requestContext: { condition: 'RecordAgeExceeded' },
    DDBStreamBatchInfo: { shardId: expect.stringMatching(/^shardId-/), streamArn: expect.stringContaining(s.tableName) },
  });
  expect(s.failures.dead).toEqual([]);
  expect(warnings.some((w) => w.msg.startsWith('stream batch given up') && w.fields?.topics === 1)).toBe(true);

  // Markers written after the RESYNC: whatever the failure sent each client has arrived before them.
  const [markB, markA] = [await joinAsNewUser(s, untouched), await joinAsNewUser(s, touched)];
  await seen(heardB, markB);
  await seen(heardA, markA);
  expect(heardA.map((h) => [h.kind, h.player])).toEqual([
    ['PLAYER_JOINED', before],
    ['RESYNC', null],
    ['PLAYER_JOINED', markA],
  ]);
  expect(heardB.map((h) => [h.kind, h.player])).toEqual([['PLAYER_JOINED', markB]]);

  // A client resuming from before the gap gets RESYNC from the replay window, not the events after it alone.
  const c = await connect(s);
  const resumed = listen(c.client, touched, heardA[0]!.cursor);
  await seen(resumed, markA);
  expect(resumed.map((h) => [h.kind, h.player])).toEqual([
    ['RESYNC', null],
    ['PLAYER_JOINED', markA],
  ]);
  expect(resumed[0]!.cursor).toBe(heardA[1]!.cursor);
  for (const x of [a, b, c]) await x.client.dispose();
  for (const x of [a, b, c]) await eventually(async () => (await connectionItems(s.db, x.connectionId)).length === 0, 'the $disconnect');
});

it('sends RESYNC to every subscription, with a warning, when the stream no longer has the batch given up', async () => {
  const [g1, g2] = [await seedGame(s), await seedGame(s)];
  const a = await connect(s);
  const b = await connect(s);
  const heardA = listen(a.client, g1);
  const heardB = listen(b.client, g2);
  await subscribed(s, [`game:${g1}`], 1);
  await subscribed(s, [`game:${g2}`], 1);
  const streamArn = (await s.clients.raw.send(new DescribeTableCommand({ TableName: s.tableName }))).Table!.LatestStreamArn!;
  // A shard the stream no longer has (AWS deletes a shard 24 h after it closes: its records are past the retention).
  const trimmed = { dynamodb: { SequenceNumber: '100000000000000000001', ApproximateCreationDateTime: 1_700_000_000 } };
  s.failures.giveUp([trimmed], 'shardId-00000001700000000000-00000000', streamArn, 'RecordAgeExceeded', 11);
  await s.failures.settled();
  expect(s.failures.dead).toEqual([]);
  expect(warnings.some((w) => w.msg.includes('no longer in the stream') && (w.fields?.topics as number) >= 2)).toBe(true);
  const [markA, markB] = [await joinAsNewUser(s, g1), await joinAsNewUser(s, g2)];
  await seen(heardA, markA);
  await seen(heardB, markB);
  expect(heardA.map((h) => [h.kind, h.player])).toEqual([
    ['RESYNC', null],
    ['PLAYER_JOINED', markA],
  ]);
  expect(heardB.map((h) => [h.kind, h.player])).toEqual([
    ['RESYNC', null],
    ['PLAYER_JOINED', markB],
  ]);
  await a.client.dispose();
  await b.client.dispose();
});

const LIVE_LOBBY = `query Lobby($id: ID!) @live { game(id: $id) { id players(first: 100) { edges { node { user { username } } } } } }`;
type LiveResult = { data?: any; errors?: unknown[]; extensions?: { live?: { revision: number } } };

/** A @live lobby over its own connection, as a user with a token. */
async function liveLobby(gameId: string) {
  const username = freshUsername('v');
  await loadItems(s.clients.doc, s.tableName, [{ ...keys.user(username), username, name: username, email: `${username}@example.com` }]);
  const { client: c, connectionId } = await connect(s, await s.token(username));
  const heard: LiveResult[] = [];
  c.subscribe(
    { query: LIVE_LOBBY, variables: { id: gameId } },
    { next: (r) => heard.push(r as LiveResult), error: (e) => heard.push({ errors: [e] }), complete: () => undefined },
  );
  await eventually(async () => heard.length >= 1, 'revision 1');
  // The subscribe's check run done: every revision after is the delivery or the on-failure function's.
  await eventually(async () => (await connectionItems(s.db, connectionId)).some((it) => it.kind === 'live'), 'the live query item');
  await s.gateway.settled();
  return { client: c, heard };
}

/** Each revision as [revision, its players sorted]. */
const revisionsOf = (heard: LiveResult[]) =>
  heard.map((r) => [
    r.extensions?.live?.revision,
    ((r.data?.game?.players?.edges ?? []) as { node: { user: { username: string } } }[]).map((e) => e.node.user.username).sort(),
  ]);
const shows = (heard: LiveResult[], who: string) =>
  eventually(async () => JSON.stringify(revisionsOf(heard).at(-1)?.[1] ?? []).includes(JSON.stringify(who)), who);

it('re-runs the live queries a given-up batch touched: a new revision with the join it lost; nothing for a live query of another game', async () => {
  const [touched, untouched] = [await seedGame(s), await seedGame(s)];
  const a = await liveLobby(touched);
  const b = await liveLobby(untouched);
  poisoned.add(touched);
  const lost = await joinAsNewUser(s, touched);
  await s.stream.passed(keys.player(touched, lost).PK, keys.player(touched, lost).SK); // handled: given up
  await s.failures.settled();
  poisoned.delete(touched);
  expect(s.failures.dead).toEqual([]);
  // Written after the on-failure handler settled: whatever it posted has arrived before them.
  const [markB, markA] = [await joinAsNewUser(s, untouched), await joinAsNewUser(s, touched)];
  await shows(b.heard, markB);
  await shows(a.heard, markA);
  expect(revisionsOf(a.heard)).toEqual([
    [1, []],
    [2, [lost]],
    [3, [lost, markA].sort()],
  ]);
  expect(revisionsOf(b.heard)).toEqual([
    [1, []],
    [2, [markB]],
  ]);
  await a.client.dispose();
  await b.client.dispose();
});

it('re-runs every open live query, with a warning, when the stream no longer has the batch given up: a changed result posts a new revision, an unchanged one nothing', async () => {
  const [changed, unchanged] = [await seedGame(s), await seedGame(s)];
  const a = await liveLobby(changed);
  const b = await liveLobby(unchanged);
  swallowed.add(changed);
  const lost = await joinAsNewUser(s, changed);
  await s.stream.passed(keys.player(changed, lost).PK, keys.player(changed, lost).SK); // acknowledged, never delivered
  swallowed.delete(changed);
  const streamArn = (await s.clients.raw.send(new DescribeTableCommand({ TableName: s.tableName }))).Table!.LatestStreamArn!;
  const trimmed = { dynamodb: { SequenceNumber: '100000000000000000002', ApproximateCreationDateTime: 1_700_000_000 } };
  s.failures.giveUp([trimmed], 'shardId-00000001700000000000-00000001', streamArn, 'RecordAgeExceeded', 11);
  await s.failures.settled();
  expect(s.failures.dead).toEqual([]);
  expect(warnings.some((w) => w.msg.includes('every live query re-runs') && (w.fields?.liveQueries as number) >= 2)).toBe(true);
  const [markB, markA] = [await joinAsNewUser(s, unchanged), await joinAsNewUser(s, changed)];
  await shows(b.heard, markB);
  await shows(a.heard, markA);
  expect(revisionsOf(a.heard)).toEqual([
    [1, []],
    [2, [lost]],
    [3, [lost, markA].sort()],
  ]);
  expect(revisionsOf(b.heard)).toEqual([
    [1, []],
    [2, [markB]],
  ]);
  await a.client.dispose();
  await b.client.dispose();
});

it('sends a given-up batch’s RESYNC once when SQS delivers its message twice', async () => {
  const gameId = await seedGame(s);
  const a = await connect(s);
  const heard = listen(a.client, gameId);
  await subscribed(s, [`game:${gameId}`], 1);
  poisoned.add(gameId);
  const lost = await joinAsNewUser(s, gameId);
  await s.stream.passed(keys.player(gameId, lost).PK, keys.player(gameId, lost).SK); // handled: given up
  await s.failures.settled();
  poisoned.delete(gameId);
  await eventually(async () => heard.some((h) => h.kind === 'RESYNC'), 'the RESYNC');
  const record = s.failures.records.at(-1)!;
  expect(record.DDBStreamBatchInfo.batchSize).toBeGreaterThan(0);
  s.failures.redeliver(record);
  await s.failures.settled();
  expect(s.failures.dead).toEqual([]);
  const mark = await joinAsNewUser(s, gameId);
  await seen(heard, mark);
  expect(heard.map((h) => [h.kind, h.player])).toEqual([
    ['RESYNC', null],
    ['PLAYER_JOINED', mark],
  ]);
  await a.client.dispose();
});
