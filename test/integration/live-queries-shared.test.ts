// Fifty @live lobbies of one game, each watched by a different viewer over its own real graphql-ws
// connection: one player joining re-runs all fifty, and those re-runs share their DynamoDB reads
// (src/data/dynamo/wave.ts), so the server's calls for the join equal one lone watcher's, as the
// recording proxy between the server and DynamoDB Local counts them. What a viewer may see (a
// user's email, to that user only) is still decided per run.
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, streamCaughtUp, type LiveClient, type Subscription } from '../helpers/live.js';
import { countCalls, startTestServer, type TestServer } from '../helpers/server.js';
import { freshMap, seedGame, seedUsers } from './games-seed.js';

const WATCHERS = 50;

let s: TestServer;
const clients: LiveClient[] = [];
beforeAll(async () => {
  // No throttle: the re-runs one record causes are all due at once, so they form one wave. (With a
  // throttle, a query that ran a moment ago is due later, and rightly reads in a later wave.)
  s = await startTestServer({ live: { streamPollMs: 50, liveQueryThrottleMs: 0 } });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await s?.close();
});

const LOBBY = `query GameLobby($id: ID!) @live {
  game(id: $id) { id playerCount players(first: 100) { edges { node { user { username name email } } } } }
}`;

type Result = Awaited<ReturnType<Subscription['next']>>;
type Player = { username: string; email: string | null };
const players = (r: Result) => (r.data!.game.players.edges as { node: { user: Player } }[]).map((e) => e.node.user);
const usernames = (r: Result) => players(r).map((p) => p.username);
const revision = (r: Result) => (r.extensions as { live: { revision: number } }).live.revision;

/** A player item written from outside the server: one stream record, which every watcher of the lobby read (its partition). */
async function putPlayer(id: string, username: string) {
  await s.clients.doc.send(
    new PutCommand({ TableName: s.tableName, Item: { PK: `GAME#${id}`, SK: `USER#${username}`, game_id: id, username } }),
  );
}

async function idle(ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!s.live!.queries.idle()) {
    if (Date.now() > deadline) throw new Error('live queries still running');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Watches `id` as each viewer; returns the subscriptions after their first result. */
async function watch(id: string, viewers: string[]): Promise<Subscription[]> {
  const subs = await Promise.all(
    viewers.map(async (as) => {
      const c = await connect(s, { as });
      clients.push(c);
      return c.subscribe(LOBBY, { id });
    }),
  );
  for (const sub of subs) expect(revision(await sub.next())).toBe(1);
  return subs;
}

/** Writes `joiner` into the lobby and waits until every watcher has it; the server's calls and runs meanwhile. */
async function join(id: string, joiner: string, subs: Subscription[]) {
  await idle();
  s.recorder.reset();
  const runs = s.live!.queries.stats().runs;
  await putPlayer(id, joiner);
  const results: Result[] = [];
  for (const sub of subs) results.push(await sub.next());
  await idle();
  return { calls: countCalls(s.recorder.calls), runs: s.live!.queries.stats().runs - runs, results };
}

describe('@live re-runs caused by one record', () => {
  it(`share their reads: ${WATCHERS} watchers of one lobby cost one watcher's DynamoDB calls, and each sees what it may`, async () => {
    // One lone watcher first: what one re-run costs.
    const [creatorA, joinerA, viewerA] = await seedUsers(s, 3);
    const lone = await seedGame(s, { map: freshMap(), players: [creatorA!] });
    const viewers = await seedUsers(s, WATCHERS);
    const [joiner, creator, marker] = [viewers[0]!, viewers[1]!, (await seedUsers(s, 1))[0]!];
    const id = await seedGame(s, { map: freshMap(), players: [creator] });
    await streamCaughtUp(s);

    const one = await join(lone, joinerA!, await watch(lone, [viewerA!]));
    expect(one.runs).toBe(1);
    expect(usernames(one.results[0]!)).toEqual([creatorA, joinerA].sort());
    const oneRun = one.calls;
    expect(Object.values(oneRun).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);

    const subs = await watch(id, viewers);
    const crowd = await join(id, joiner, subs);
    expect(crowd.runs).toBe(WATCHERS);
    expect(crowd.calls, `one run: ${JSON.stringify(oneRun)}`).toEqual(oneRun);
    // Every watcher got the new revision; each sees its own email and nobody else's.
    crowd.results.forEach((r, i) => {
      expect(revision(r)).toBe(2);
      expect(usernames(r)).toEqual([creator, joiner].sort());
      for (const p of players(r)) expect(p.email).toBe(p.username === viewers[i] ? `${p.username}@example.com` : null);
    });

    // A second write, after the first wave: every watcher's next result is its revision 3 and shows
    // it (no wave served an earlier answer), and nothing came between (no extra revision).
    await putPlayer(id, marker);
    for (const sub of subs) {
      const next = await sub.next();
      expect([revision(next), usernames(next)]).toEqual([3, [creator, joiner, marker].sort()]);
    }
    await idle();
    for (const sub of subs) await sub.close();
  });
});
