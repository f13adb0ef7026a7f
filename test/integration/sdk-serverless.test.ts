// The SDK against the serverless flavour, where API Gateway cannot send close codes: the `error`
// that stands for 4403 (then a disconnect) and a disconnect before connection_ack (a token refused)
// lead to what 4403 leads to on the container server (test/integration/sdk-live.test.ts): a fresh
// token and a resume with nothing lost, or, without a way to refresh, one UNAUTHENTICATED and no
// reconnect storm.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient, isSdkError, type LiveSubscription } from '../../sdk/src/index.js';
import { signToken } from '../../src/auth.js';
import { connectionItems } from '../../src/data/connections/removal.js';
import { keys } from '../../src/data/keys.js';
import { createConnections } from '../../src/serverless/api.js';
import { eventually } from '../helpers/cluster.js';
import { joinAsNewUser, seedGame, startServerless, subscribers, type ServerlessFlavour } from '../helpers/serverless.js';
import { freshUsername } from '../helpers/server.js';

let s: ServerlessFlavour;
beforeAll(async () => {
  s = await startServerless();
});
const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const c of opened.splice(0)) await c.close();
});
afterAll(async () => {
  await s?.close();
});

function sdk(token: string | undefined, refreshToken?: () => Promise<string>) {
  const client = createClient({
    url: 'http://127.0.0.1:1/graphql', // queries are not used here
    token,
    live: { wsUrl: s.wsUrl, webSocketImpl: WebSocket, backoff: { initialMs: 20, maxMs: 200 }, maxRetries: 5, refreshToken },
  });
  opened.push(client);
  return client;
}

async function next<T>(sub: LiveSubscription<T>): Promise<T> {
  const r = await sub.next();
  if (r.done) throw new Error('The subscription ended.');
  return r.value;
}

const connects = () => s.gateway.invocations.filter((i) => i.routeKey === '$connect').length;

const subscribedTo = (gameId: string) => eventually(async () => (await subscribers(s, `game:${gameId}`)).length > 0, 'the subscription');

it('refreshes the token when the serverless server ends a subscription for an expired token (4403 replaced), and resumes with nothing lost', async () => {
  const gameId = await seedGame(s);
  const ana = freshUsername('a');
  let refreshed = 0;
  // Long enough for the first event to come before it expires, even on a loaded machine.
  const shortLived = await signToken(s.config.auth, ana, { expiresIn: '6s' });
  const expiresAt = (JSON.parse(Buffer.from(shortLived.split('.')[1]!, 'base64url').toString()) as { exp: number }).exp * 1000;
  const client = sdk(shortLived, async () => {
    refreshed++;
    return s.token(ana);
  });
  const lobby = client.gameLobby({ gameId });
  await subscribedTo(gameId);
  const first = await joinAsNewUser(s, gameId);
  expect((await next(lobby)).player?.user.username).toBe(first);
  await eventually(async () => Date.now() > expiresAt, 'the token to expire'); // a clock, not a race
  const second = await joinAsNewUser(s, gameId); // not posted: `error` (closeCode 4403), then a disconnect; the resume replays it
  expect((await next(lobby)).player?.user.username).toBe(second);
  const third = await joinAsNewUser(s, gameId);
  expect((await next(lobby)).player?.user.username).toBe(third);
  expect(refreshed).toBe(1);
});

it('treats a disconnect before connection_ack (the token refused) as 4403: a fresh token, then events', async () => {
  const gameId = await seedGame(s);
  const ana = freshUsername('a');
  let refreshed = 0;
  const client = sdk('not-a-jwt', async () => {
    refreshed++;
    return s.token(ana);
  });
  const lobby = client.gameLobby({ gameId });
  await subscribedTo(gameId);
  const joined = await joinAsNewUser(s, gameId);
  expect((await next(lobby)).player?.user.username).toBe(joined);
  expect(refreshed).toBe(1);
});

it('ends with UNAUTHENTICATED, without reconnecting, when the token is refused and there is no way to refresh it', async () => {
  await seedGame(s);
  const before = connects();
  const client = sdk('not-a-jwt');
  const lobby = client.gameLobby({ gameId: randomUUID() });
  const err = await lobby.next().then(
    () => null,
    (e: unknown) => e,
  );
  expect(isSdkError(err, 'UNAUTHENTICATED')).toBe(true);
  expect((await lobby.next()).done).toBe(true);
  await client.close();
  await s.gateway.settled();
  expect(connects() - before).toBe(1);
});

it("gives a @live query's results in revision order: a revision older than one already given (two writers' posts crossing) is dropped", async () => {
  const gameId = await seedGame(s);
  const before = new Set(s.gateway.connectionIds());
  const client = sdk(await s.token(freshUsername('a')));
  const game = client.gameLive({ id: gameId });
  const first = await next(game);
  expect(first.revision).toBe(1);
  const connectionId = s.gateway.connectionIds().find((c) => !before.has(c))!;
  // Revision 1 is posted before the live query's item is written.
  const liveItem = async () => (await connectionItems(s.db, connectionId)).find((i) => String(i.SK).startsWith('SUB#'));
  await eventually(async () => (await liveItem()) !== undefined, "the live query's item");
  const id = keys.ws.parseSubscriptionSk(String((await liveItem())!.SK));
  // What the delivery function and a second writer post, through the real management API, crossing.
  const api = createConnections({ clientConfig: { region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } });
  const post = (revision: number, playerCount: number) =>
    api.post(
      s.gateway.callbackUrl,
      connectionId,
      JSON.stringify({
        id,
        type: 'next',
        payload: { data: { ...first.data, game: { ...first.data.game!, playerCount } }, extensions: { live: { revision } } },
      }),
    );
  await post(3, 30);
  await post(2, 20); // stale: revision 3 was given
  await post(4, 40); // the marker: if revision 2 were given, it would come before this
  const given = [await next(game), await next(game)];
  expect(given.map((r) => [r.revision, r.data.game!.playerCount])).toEqual([
    [3, 30],
    [4, 40],
  ]);
  await game.close();
});
