// The SDK's subscriptions against a real server on DynamoDB Local's real stream: a lobby read as a
// typed async iterable survives a dropped connection and an expired token, resuming from the last
// cursor it saw with no event missed and none repeated.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { signToken } from '../../src/auth.js';
import { createClient, isSdkError, type LiveSubscription } from '../../sdk/src/index.js';
import { streamCaughtUp, feedsReach } from '../helpers/live.js';
import { expectNoErrors, startTestServer, type TestServer } from '../helpers/server.js';
import { startTcpCut, type TcpCut } from '../helpers/tcp-cut.js';
import { freshMap, seedGame, seedUsers } from './games-seed.js';

let s: TestServer;
let cut: TcpCut;
beforeAll(async () => {
  s = await startTestServer({ live: { streamPollMs: 50 } });
  cut = await startTcpCut(s.url);
});
const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const c of opened.splice(0)) await c.close();
  await feedsReach(s, 0);
});
afterAll(async () => {
  await cut?.close();
  await s?.close();
});

const JOIN = `mutation($id: ID!) { joinGame(gameId: $id) { user { username } } }`;
const join = async (gameId: string, username: string) => expectNoErrors(await s.execute(JOIN, { variables: { id: gameId }, as: username }));

async function take<T>(sub: LiveSubscription<T>, n: number, ms = 10_000): Promise<T[]> {
  const out: T[] = [];
  const deadline = Date.now() + ms;
  while (out.length < n) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Got ${out.length} of ${n} events in ${ms} ms: ${JSON.stringify(out)}`)),
        deadline - Date.now(),
      );
    });
    const r = await Promise.race([sub.next(), timeout]).finally(() => clearTimeout(timer));
    if (r.done) throw new Error(`The subscription ended after ${out.length} of ${n} events.`);
    out.push(r.value);
  }
  return out;
}

function sdk(extra: Parameters<typeof createClient>[0]['live'] = {}, token?: string) {
  const client = createClient({
    url: `${s.url}/graphql`,
    token,
    live: { wsUrl: cut.wsUrl, webSocketImpl: WebSocket, backoff: { initialMs: 20, maxMs: 200 }, maxRetries: 1_000, ...extra },
  });
  opened.push(client);
  return client;
}

describe('SDK subscriptions', () => {
  it('resumes after the connection drops: the joins made while it was down arrive once, in order, then the rest', async () => {
    const players = await seedUsers(s, 13);
    const [creator, ...joiners] = players as [string, ...string[]];
    const id = await seedGame(s, { map: freshMap(), players: [creator] });
    await streamCaughtUp(s);
    const client = sdk();
    const lobby = client.gameLobby({ gameId: id });
    await feedsReach(s, 1);
    const connectionsBefore = cut.accepted();

    for (const u of joiners.slice(0, 4)) await join(id, u);
    const before = await take(lobby, 4);

    cut.down(); // the network goes: the server sees the socket close and drops the subscription
    await feedsReach(s, 0);
    for (const u of joiners.slice(4, 8)) await join(id, u);
    await streamCaughtUp(s);
    cut.up();
    await feedsReach(s, 1); // resubscribed on a new connection, with after: the last cursor seen
    for (const u of joiners.slice(8)) await join(id, u);
    const after = await take(lobby, 8);

    const events = [...before, ...after];
    expect(events.map((e) => [e.kind, e.player?.user.username])).toEqual(joiners.map((u) => ['PLAYER_JOINED', u]));
    expect(new Set(events.map((e) => e.cursor)).size).toBe(12);
    // Each event's game is read when it is delivered: the replayed ones already count everyone.
    expect(events.at(-1)!.game?.playerCount).toBe(13);
    expect(cut.accepted()).toBeGreaterThan(connectionsBefore);
    expect(lobby.cursor).toBe(events[11]!.cursor);
  });

  it('asks for a fresh token when the server closes with 4403 and resumes with it, missing nothing written meanwhile', async () => {
    const [creator, ana, bob, cy] = await seedUsers(s, 4);
    const id = await seedGame(s, { map: freshMap(), players: [creator!] });
    await streamCaughtUp(s);
    let refreshed = 0;
    const shortLived = await signToken(s.auth, ana!, { expiresIn: '3s' });
    const client = sdk(
      {
        refreshToken: async () => {
          refreshed++;
          // A write while the socket is closed: it must come with the resumed subscription.
          await join(id, bob!);
          await streamCaughtUp(s);
          return s.token(ana!);
        },
      },
      shortLived,
    );
    const lobby = client.gameLobby({ gameId: id });
    await feedsReach(s, 1);
    await join(id, ana!);
    const [first] = await take(lobby, 1);
    // The token expires about 3 s after it was signed: the server closes with 4403, the SDK refreshes.
    const [second] = await take(lobby, 1, 15_000);
    await join(id, cy!);
    const [third] = await take(lobby, 1);
    expect([first, second, third].map((e) => e!.player?.user.username)).toEqual([ana, bob, cy]);
    expect(refreshed).toBe(1);
  });

  it('ends with a typed SdkError when the server refuses the subscription (unknown game)', async () => {
    const client = sdk();
    const lobby = client.gameLobby({ gameId: '00000000-0000-4000-8000-000000000000' });
    const err = await lobby.next().then(
      () => null,
      (e: unknown) => e,
    );
    expect(isSdkError(err, 'NOT_FOUND')).toBe(true);
    expect((await lobby.next()).done).toBe(true);
  });

  it('stops cleanly when the loop breaks: the server drops the subscription', async () => {
    const [creator, ana] = await seedUsers(s, 2);
    const id = await seedGame(s, { map: freshMap(), players: [creator!] });
    await streamCaughtUp(s);
    const client = sdk();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const event of client.gameLobby({ gameId: id })) {
        seen.push(event.kind);
        break;
      }
    })();
    await feedsReach(s, 1);
    await join(id, ana!);
    await reading;
    await feedsReach(s, 0);
    expect(seen).toEqual(['PLAYER_JOINED']);
  });
});

describe('SDK @live queries', () => {
  /** Waits (bounded) until the server holds `n` live queries. */
  async function liveQueriesReach(n: number, ms = 10_000) {
    const deadline = Date.now() + ms;
    while (s.live!.queries.count() !== n) {
      if (Date.now() > deadline) throw new Error(`The server held ${s.live!.queries.count()} live queries, not ${n}.`);
      await new Promise((r) => setImmediate(r));
    }
  }

  it('gives a typed async iterable of whole results, and after a dropped connection opens the live query again with the current state', async () => {
    const [creator, ana, bob, cy] = await seedUsers(s, 4);
    const id = await seedGame(s, { map: freshMap(), players: [creator!] });
    await streamCaughtUp(s);
    const client = sdk();
    const lobby = client.gameLive({ id });
    const names = (r: { data: { game?: { players: { edges: { node: { user: { username: string } } }[] } } | null } }) =>
      r.data.game!.players.edges.map((e) => e.node.user.username).sort();

    const [first] = await take(lobby, 1);
    expect([first!.revision, names(first!)]).toEqual([1, [creator]]);
    await join(id, ana!);
    const [second] = await take(lobby, 1);
    expect([second!.revision, second!.data.game!.playerCount]).toEqual([2, 2]);

    cut.down(); // the server sees the socket close and ends the live query
    await liveQueriesReach(0);
    await join(id, bob!);
    await streamCaughtUp(s);
    cut.up();
    // Opened again on a new connection: its first result is the state now, bob included.
    const [third] = await take(lobby, 1);
    expect([third!.revision, names(third!)]).toEqual([1, [ana, bob, creator].sort()]);
    await join(id, cy!);
    const [fourth] = await take(lobby, 1);
    expect([fourth!.revision, fourth!.data.game!.playerCount]).toEqual([2, 4]);
    await lobby.close();
    await liveQueriesReach(0);
  });
});
