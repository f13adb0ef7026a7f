// @live queries against DynamoDB Local's real stream, through a real graphql-ws client: the result
// follows every writer (the API, the lab's own transaction from outside, expiry with no write),
// and a write nobody read costs no run.
import { BatchWriteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, streamCaughtUp, type LiveClient } from '../helpers/live.js';
import { labJoinCommand } from '../helpers/labs.js';
import { parseExposition } from '../helpers/prometheus.js';
import { errorCodes, expectNoErrors, startTestServer, type TestServer } from '../helpers/server.js';
import { freshMap, seedGame, seedUsers } from './games-seed.js';

let s: TestServer;
let anon: LiveClient;
beforeAll(async () => {
  // No expiry sweep: a game that expires must leave a live result with no write to the table.
  s = await startTestServer({ live: { streamPollMs: 50, liveQueryThrottleMs: 100, expireSweepMs: 0 }, metrics: true });
  anon = await connect(s);
});
afterAll(async () => {
  await anon?.close();
  await s?.close();
});

const LOBBY = `query Lobby($id: ID!) @live {
  game(id: $id) { id playerCount players(first: 100) { edges { cursor node { user { username } } } pageInfo { endCursor hasNextPage } } }
}`;
const OPEN = `query Open($map: String) @live { openGames(map: $map) { edges { node { id playerCount } } } }`;
const JOIN = `mutation($id: ID!) { joinGame(gameId: $id) { user { username } } }`;

const usernames = (r: { data?: Record<string, any> | null }) =>
  (r.data!.game.players.edges as { node: { user: { username: string } } }[]).map((e) => e.node.user.username).sort();
const revision = (r: { extensions?: unknown }) => (r.extensions as { live: { revision: number } }).live.revision;
const stats = () => s.live!.queries.stats();

/** The lab's join_game.py, from outside the server: put the player, count them on the game. */
async function labJoin(gameId: string, username: string) {
  await s.clients.doc.send(labJoinCommand(s.tableName, gameId, username));
}

describe('@live queries', () => {
  it('keep a lobby current: a join through the API and the lab’s transaction from outside each give a new revision', async () => {
    const [creator, ana, bob] = await seedUsers(s, 3);
    const id = await seedGame(s, { map: freshMap(), players: [creator!] });
    await streamCaughtUp(s);
    const live = await anon.subscribe(LOBBY, { id });
    const first = await live.next();
    expect(revision(first)).toBe(1);
    expect(usernames(first)).toEqual([creator]);

    expectNoErrors(await s.execute(JOIN, { variables: { id }, as: ana }));
    const second = await live.next();
    expect(revision(second)).toBe(2);
    expect(second.data!.game.playerCount).toBe(2);
    expect(usernames(second)).toEqual([creator, ana].sort());

    await labJoin(id, bob!);
    let third = await live.next();
    // The player's item and the game's count are two records: the count may come in a run of its own.
    while (third.data!.game.playerCount !== 3 || usernames(third).length !== 3) third = await live.next();
    expect(usernames(third)).toEqual([creator, ana, bob].sort());
    // Equal pages carry equal cursors: the creator's edge cursor did not change between runs.
    const cursorOf = (r: typeof first, u: string) =>
      (r.data!.game.players.edges as { cursor: string; node: { user: { username: string } } }[]).find((e) => e.node.user.username === u)!
        .cursor;
    expect(cursorOf(third, creator!)).toBe(cursorOf(first, creator!));
    await live.close();
  });

  it('never run for a write to items no live query read (proved by a marker written after it)', async () => {
    const [creator, other, marker] = await seedUsers(s, 3);
    const id = await seedGame(s, { map: freshMap(), players: [creator!] });
    const elsewhere = await seedGame(s, { map: freshMap(), players: [other!] });
    await streamCaughtUp(s);
    const live = await anon.subscribe(LOBBY, { id });
    expect(revision(await live.next())).toBe(1);
    const before = stats();
    // Unrelated: another game's partition, a user nobody read, an item of no entity at all.
    await labJoin(elsewhere, creator!);
    await s.clients.doc.send(new PutCommand({ TableName: s.tableName, Item: { PK: 'TEST#unrelated', SK: 'x' } }));
    // The marker: a write this lobby did read (its partition), committed after the others.
    await labJoin(id, marker!);
    let after = await live.next();
    while (usernames(after).length !== 2) after = await live.next();
    // Only the marker's two records (player item, game count) matched; nothing before them did.
    expect(stats().matched - before.matched).toBe(2);
    await live.close();
  });

  it('coalesce a burst: 20 players joining at once cost a few runs, and the last result has all of them', async () => {
    const players = await seedUsers(s, 21);
    const id = await seedGame(s, { map: freshMap(), players: [players[0]!] });
    await streamCaughtUp(s);
    const live = await anon.subscribe(LOBBY, { id });
    await live.next();
    const before = stats();
    await s.clients.doc.send(
      new BatchWriteCommand({
        RequestItems: {
          [s.tableName]: players
            .slice(1)
            .map((u) => ({ PutRequest: { Item: { PK: `GAME#${id}`, SK: `USER#${u}`, game_id: id, username: u } } })),
        },
      }),
    );
    let last = await live.next();
    while (usernames(last).length !== 21) last = await live.next();
    expect(usernames(last)).toEqual([...players].sort());
    const runs = stats().runs - before.runs;
    expect(stats().matched - before.matched).toBeGreaterThanOrEqual(20);
    expect(runs).toBeGreaterThanOrEqual(1);
    expect(runs).toBeLessThan(10);
    await live.close();
  });

  it('drop an open game from a live open-games list when its expiry passes, with no write to the table', async () => {
    const map = freshMap();
    const [creator] = await seedUsers(s, 1);
    const id = await seedGame(s, { map, players: [creator!] });
    // Expires in two seconds; DynamoDB Local's TTL never deletes a game (it lacks email) and the sweep is off.
    const expiresAt = Math.floor(Date.now() / 1000) + 2;
    await s.clients.doc.send(
      new PutCommand({
        TableName: s.tableName,
        Item: {
          PK: `GAME#${id}`,
          SK: `#METADATA#${id}`,
          game_id: id,
          map,
          create_time: '2024-05-01T10:00:00',
          open_timestamp: '2024-05-01T10:00:00',
          people: 1,
          creator,
          expires_at: expiresAt,
        },
      }),
    );
    await streamCaughtUp(s);
    const live = await anon.subscribe(OPEN, { map });
    const first = await live.next();
    expect(first.data!.openGames.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([id]);
    const matched = stats().matched;
    const second = await live.next(10_000);
    expect(second.data!.openGames.edges).toEqual([]);
    expect(revision(second)).toBe(2);
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt * 1000);
    expect(stats().matched).toBe(matched); // no record caused it
    await live.close();
  });

  it('run every open live query once after a gap in the stream (as subscriptions get RESYNC), sending nothing unchanged', async () => {
    const [creator, ana] = await seedUsers(s, 2);
    const id = await seedGame(s, { map: freshMap(), players: [creator!] });
    await streamCaughtUp(s);
    const live = await anon.subscribe(LOBBY, { id });
    expect(revision(await live.next())).toBe(1);
    const open = s.live!.queries.count();
    const runs = stats().runs;
    // What the stream reader reports when records were lost (a restart, trimmed data).
    s.live!.bus.gap('test: records lost');
    const deadline = Date.now() + 10_000;
    while (stats().runs - runs < open || !s.live!.queries.idle()) {
      if (Date.now() > deadline) throw new Error(`${stats().runs - runs} runs after the gap, for ${open} live queries`);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(stats().runs - runs).toBe(open);
    // The re-run found nothing new, so nothing was sent: the next result is the marker's, revision 2.
    await s.clients.doc.send(
      new PutCommand({ TableName: s.tableName, Item: { PK: `GAME#${id}`, SK: `USER#${ana}`, game_id: id, username: ana } }),
    );
    const next = await live.next();
    expect([revision(next), usernames(next)]).toEqual([2, [creator, ana].sort()]);
    await live.close();
  });

  it('refuse a plain query over WebSocket (BAD_REQUEST) and a @live query over HTTP (LIVE_QUERY_REQUIRES_WEBSOCKET)', async () => {
    const plain = await anon.subscribe('query { ping }');
    expect((await plain.failure()).map((e) => e.extensions?.code)).toEqual(['BAD_REQUEST']);
    const res = await s.execute('query @live { ping }');
    expect(res.status).toBe(400);
    expect(errorCodes(res)).toEqual(['LIVE_QUERY_REQUIRES_WEBSOCKET']);
    expect(res.data ?? null).toBeNull();
  });

  it('count against the per-connection subscription limit', async () => {
    const small = await startTestServer({ live: { streamPollMs: 200, maxSubscriptionsPerConnection: 1 } });
    try {
      const c = await connect(small);
      const one = await c.subscribe('query @live { ping }');
      expect((await one.next()).data).toEqual({ ping: 'ok' });
      const two = await c.subscribe('query @live { ping }');
      expect((await two.failure()).map((e) => e.extensions?.limit)).toEqual(['maxSubscriptions']);
      await c.close();
    } finally {
      await small.close();
    }
  });

  it('end with the connection when the token expires (4403)', async () => {
    const [u] = await seedUsers(s, 1);
    if (s.auth.kind !== 'hs256') throw new Error('test servers sign with HS256');
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(u!)
      .setIssuer(s.auth.issuer)
      .setAudience(s.auth.audience)
      .setIssuedAt(now)
      .setExpirationTime(now + 2)
      .sign(new TextEncoder().encode(s.auth.secret));
    const open = s.live!.queries.count();
    const closed = new Promise<number>((resolve) => {
      void connect(s, { token }).then((c) => {
        c.client.on('closed', (e) => resolve((e as { code: number }).code));
        void c.subscribe('query @live { viewer { username } }');
      });
    });
    expect(await closed).toBe(4403);
    // The live query went with its connection.
    const deadline = Date.now() + 5_000;
    while (s.live!.queries.count() !== open && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(s.live!.queries.count()).toBe(open);
  });

  it('show in /metrics: open live queries, re-runs by reason, re-runs with no change, records matched, matching time', async () => {
    const scrape = async () => parseExposition(await (await fetch(`${s.url}/metrics`)).text());
    const [creator, ana] = await seedUsers(s, 2);
    const id = await seedGame(s, { map: freshMap(), players: [creator!] });
    await streamCaughtUp(s);
    const before = await scrape();
    const live = await anon.subscribe(LOBBY, { id });
    await live.next();
    // A write the lobby read that changes nothing it shows: a re-run, nothing sent.
    await s.clients.doc.send(
      new UpdateCommand({
        TableName: s.tableName,
        Key: { PK: `GAME#${id}`, SK: `#METADATA#${id}` },
        UpdateExpression: 'SET note = :n',
        ExpressionAttributeValues: { ':n': 'not selected' },
      }),
    );
    const deadline = Date.now() + 10_000;
    let m = await scrape();
    while (m.sum('live_query_unchanged_total') - before.sum('live_query_unchanged_total') < 1) {
      if (Date.now() > deadline) throw new Error('no unchanged re-run counted');
      m = await scrape();
    }
    expectNoErrors(await s.execute(JOIN, { variables: { id }, as: ana }));
    expect(revision(await live.next())).toBe(2);
    m = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) => m.sum(name, labels) - before.sum(name, labels);
    expect(m.sum('live_queries')).toBeGreaterThanOrEqual(1);
    expect(delta('live_query_runs_total', { reason: 'matched' })).toBeGreaterThanOrEqual(2);
    expect(delta('live_query_records_matched_total')).toBeGreaterThanOrEqual(2);
    expect(delta('live_query_match_seconds_count')).toBeGreaterThanOrEqual(2);
    expect(m.types.get('live_query_match_seconds')).toBe('histogram');
    await live.close();
  });
});
