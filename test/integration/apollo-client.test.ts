// A client no one here wrote: Apollo Client 4, its GraphQLWsLink over graphql-ws for
// subscriptions and its HttpLink for the rest, with the SDK's typed documents as they are,
// watching a lobby fill up to 50 on DynamoDB Local's real stream.
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition, isSubscriptionOperation } from '@apollo/client/utilities';
import { createClient as createWsClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import WebSocket from 'ws';
import {
  GameDocument,
  GameLiveDocument,
  GameLobbyDocument,
  JoinGameDocument,
  StartGameDocument,
  type GameLobbySubscription,
} from '../../sdk/src/index.js';
import { streamCaughtUp, feedsReach } from '../helpers/live.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { freshMap, seedGame, seedUsers } from './games-seed.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ live: { streamPollMs: 50 } });
});
afterAll(async () => {
  await s?.close();
});

function apollo(token: string) {
  const ws = createWsClient({ url: s.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` } });
  // Subscriptions and @live queries go over the WebSocket; the rest over HTTP.
  const link = ApolloLink.split(
    ({ query }) => isSubscriptionOperation(query) || isLiveQuery(query),
    new GraphQLWsLink(ws),
    new HttpLink({ uri: `${s.url}/graphql`, headers: { authorization: `Bearer ${token}` } }),
  );
  return { client: new ApolloClient({ link, cache: new InMemoryCache() }), ws };
}

function isLiveQuery(query: Parameters<typeof getMainDefinition>[0]): boolean {
  const main = getMainDefinition(query);
  return main.kind === 'OperationDefinition' && main.operation === 'query' && (main.directives ?? []).some((d) => d.name.value === 'live');
}

describe('Apollo Client 4 with GraphQLWsLink', () => {
  it('watches a lobby fill to 50 with the SDK’s typed documents, joins sent through its own HttpLink', async () => {
    const [creator, ...joiners] = (await seedUsers(s, 50)) as [string, ...string[]];
    const gameId = await seedGame(s, { map: freshMap(), players: [creator] });
    await streamCaughtUp(s);
    const watcher = apollo(await s.token(creator));

    type LobbyEvent = GameLobbySubscription['gameLobby'];
    const events: LobbyEvent[] = [];
    // The marker: the creator starts the game after every join has returned, so GAME_STARTED comes
    // after every event of the joins, and whatever arrived before it is all the lobby said of them.
    let resolveMarker!: () => void;
    let failed!: (e: unknown) => void;
    const marker = new Promise<void>((resolve, reject) => ((resolveMarker = resolve), (failed = reject)));
    const timer = setTimeout(() => failed(new Error(`No GAME_STARTED within 30 s; got ${events.length} events.`)), 30_000);
    const subscription = watcher.client.subscribe({ query: GameLobbyDocument, variables: { gameId } }).subscribe({
      next: (result) => {
        expectTypeOf(result.data).toEqualTypeOf<GameLobbySubscription | undefined>();
        if (result.error) return failed(result.error);
        if (result.data!.gameLobby.kind === 'GAME_STARTED') return resolveMarker();
        events.push(result.data!.gameLobby);
      },
      error: failed,
    });
    await feedsReach(s, 1);

    // 49 players join, ten at a time, each through an Apollo Client of their own.
    for (let i = 0; i < joiners.length; i += 10) {
      await Promise.all(
        joiners.slice(i, i + 10).map(async (username) => {
          const { client, ws } = apollo(await s.token(username));
          const { data } = await client.mutate({ mutation: JoinGameDocument, variables: { gameId } });
          expect(data?.joinGame.user.username).toBe(username);
          await ws.dispose();
          client.stop();
        }),
      );
    }
    // A query through the same client agrees with what the joins' events say.
    const { data } = await watcher.client.query({ query: GameDocument, variables: { id: gameId, first: 1 }, fetchPolicy: 'network-only' });
    expect(data?.game).toMatchObject({ id: gameId, playerCount: 50, status: 'FULL' });
    await watcher.client.mutate({ mutation: StartGameDocument, variables: { gameId } });
    await marker.finally(() => clearTimeout(timer));

    // Each join once, and the fill once. The last join is one transaction of two items, the
    // player's and the game's, whose records may come in either order: no order is required there.
    const joined = events.filter((e) => e.kind === 'PLAYER_JOINED').map((e) => e.player!.user.username);
    expect(joined.sort()).toEqual([...joiners].sort());
    const fills = events.filter((e) => e.kind === 'GAME_FILLED');
    expect(fills).toHaveLength(1);
    expect(fills[0]).toMatchObject({ kind: 'GAME_FILLED', game: { id: gameId, playerCount: 50, status: 'FULL' } });
    expect(events).toHaveLength(joiners.length + 1);
    expect(new Set(events.map((e) => e.cursor)).size).toBe(events.length);

    subscription.unsubscribe();
    await feedsReach(s, 0);
    await watcher.ws.dispose();
    watcher.client.stop();
  });
});

describe('Apollo Client 4 with a @live query over GraphQLWsLink', () => {
  it('updates its watched query and its cache with each new result', async () => {
    const [creator, ana, bob] = (await seedUsers(s, 3)) as [string, string, string];
    const gameId = await seedGame(s, { map: freshMap(), players: [creator] });
    await streamCaughtUp(s);
    const watcher = apollo(await s.token(creator));
    const seen: number[] = [];
    const waiters: (() => void)[] = [];
    const until = (count: number) =>
      new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`Saw player counts ${JSON.stringify(seen)}, waiting for ${count}.`)), 15_000);
        const check = () => (seen.at(-1) === count ? (clearTimeout(t), resolve()) : waiters.push(check));
        check();
      });
    const watched = watcher.client.watchQuery({ query: GameLiveDocument, variables: { id: gameId } }).subscribe({
      next: (result) => {
        // Typed from the SDK's document: data is the GameLiveQuery (complete, or partial while loading).
        const count = result.dataState === 'complete' ? result.data.game?.playerCount : undefined;
        if (typeof count === 'number' && count !== seen.at(-1)) seen.push(count);
        waiters.splice(0).forEach((w) => w());
      },
    });
    await until(1);
    for (const [n, username] of [ana, bob].entries()) {
      const { client, ws } = apollo(await s.token(username));
      await client.mutate({ mutation: JoinGameDocument, variables: { gameId } });
      await ws.dispose();
      client.stop();
      await until(n + 2);
    }
    expect(seen).toEqual([1, 2, 3]);
    // The cache holds what the last result said: the game normalised by __typename and id.
    const cached = watcher.client.cache.readQuery({ query: GameLiveDocument, variables: { id: gameId } });
    expect(cached?.game?.playerCount).toBe(3);
    expect(cached?.game?.players.edges.map((e) => e.node.user.username).sort()).toEqual([creator, ana, bob].sort());
    watched.unsubscribe();
    await watcher.ws.dispose();
    watcher.client.stop();
  });
});
