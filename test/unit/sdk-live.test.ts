// The SDK's subscription parts that need no server: reconnect delays, what each close code means,
// the variables of a resubscribe, the WebSocket URL, and which methods are subscriptions.
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  backoffDelay,
  closeAction,
  createClient,
  JoinGameDocument,
  resumeVariables,
  wsUrlFor,
  type GameLobbySubscription,
  type LiveSubscription,
  type JoinGameMutation,
  type SdkResult,
} from '../../sdk/src/index.js';

describe('backoffDelay', () => {
  const b = { initialMs: 100, maxMs: 1_000 };

  it('doubles per attempt, with half of each step left to chance', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, b, () => 0))).toEqual([50, 100, 200, 400]);
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, b, () => 1))).toEqual([100, 200, 400, 800]);
  });

  it('never waits longer than maxMs', () => {
    expect(backoffDelay(30, b, () => 1)).toBe(1_000);
    expect(backoffDelay(30, b, () => 0)).toBe(500);
  });
});

describe('closeAction', () => {
  it('refreshes the token on 4403 (expired or refused)', () => {
    expect(closeAction(4403)).toBe('refreshToken');
  });

  it('reconnects when the server goes away, the connection drops or the server is busy', () => {
    for (const code of [1001, 1006, 1011, 1012, 1013, 4029, 4408, 4499]) expect([code, closeAction(code)]).toEqual([code, 'reconnect']);
  });

  it('gives up on codes that say the request itself is wrong', () => {
    for (const code of [4400, 4401, 4406, 4409, 4429, 4500]) expect([code, closeAction(code)]).toEqual([code, 'fail']);
  });
});

describe('resumeVariables', () => {
  it('keeps the caller’s variables until a cursor was seen, then resumes after it', () => {
    expect(resumeVariables({ gameId: 'g' }, null)).toEqual({ gameId: 'g' });
    expect(resumeVariables({ gameId: 'g', after: 'c1' }, 'c7')).toEqual({ gameId: 'g', after: 'c7' });
  });

  it('does not change the caller’s object', () => {
    const vars = { gameId: 'g' };
    resumeVariables(vars, 'c1');
    expect(vars).toEqual({ gameId: 'g' });
  });
});

describe('wsUrlFor', () => {
  it('turns http into ws and https into wss, keeping host, port and path', () => {
    expect(wsUrlFor('http://127.0.0.1:4000/graphql')).toBe('ws://127.0.0.1:4000/graphql');
    expect(wsUrlFor('https://api.example/graphql')).toBe('wss://api.example/graphql');
  });
});

describe('subscription methods', () => {
  it('are typed async iterables of the event; queries and mutations stay promises', () => {
    const client = createClient({ url: 'http://sdk.test/graphql' });
    expectTypeOf(client.gameLobby).returns.toEqualTypeOf<LiveSubscription<GameLobbySubscription['gameLobby']>>();
    expectTypeOf(client.joinGame).returns.toEqualTypeOf<Promise<SdkResult<JoinGameMutation>>>();
    expectTypeOf(client.gameLobby).parameter(0).toHaveProperty('gameId').toEqualTypeOf<string>();
  });

  it('refuses a query passed to subscribe(), before opening any socket', () => {
    const client = createClient({ url: 'http://sdk.test/graphql' });
    expect(() => client.subscribe(JoinGameDocument, { gameId: 'g' } as never)).toThrow(/JoinGame is a mutation/);
  });
});
