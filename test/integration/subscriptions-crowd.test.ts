// A crowd opening one lobby at once (issue 21): every subscribe checks that the game exists, and
// those checks share reads across connections, so a crowd costs a few reads of the table, not one
// per person. The recording proxy between the server and DynamoDB Local counts the reads.
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, feedsReach, streamCaughtUp, type LiveClient } from '../helpers/live.js';
import { countCalls, startTestServer, type TestServer } from '../helpers/server.js';
import { freshMap, seedGame, seedUsers } from './games-seed.js';

const CONNECTIONS = 50;
const PER_CONNECTION = 20; // the default per-connection limit (WS_MAX_SUBSCRIPTIONS)
const WAVE = 250;
const READ_BUDGET = 50;

let s: TestServer;
const clients: LiveClient[] = [];
beforeAll(async () => {
  s = await startTestServer({ live: { streamPollMs: 50 } });
  for (let i = 0; i < CONNECTIONS; i++) clients.push(await connect(s));
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await s?.close();
});

// Only fields the event itself carries: every read the proxy sees is a subscribe's setup read.
const LOBBY = `subscription($id: ID!) { gameLobby(gameId: $id) { cursor kind } }`;

/** Waits, bounded, for `ready`; fails at once with the first refusal if there is one. */
async function until(what: string, ready: () => boolean, refusals: string[], ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (refusals.length) throw new Error(`${refusals.length} subscribes refused while waiting for ${what}; the first: ${refusals[0]}`);
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}.`);
    await new Promise((r) => setImmediate(r));
  }
}

describe('a crowd opening one lobby', () => {
  it(`accepts ${CONNECTIONS * PER_CONNECTION} subscribes to one game, ${WAVE} at a time, with at most ${READ_BUDGET} reads of the table`, async () => {
    const [creator, joiner] = await seedUsers(s, 2);
    const id = await seedGame(s, { map: freshMap(), players: [creator!] });
    await streamCaughtUp(s);
    s.recorder.reset();

    const refusals: string[] = [];
    const received: number[] = [];
    const total = CONNECTIONS * PER_CONNECTION;
    for (let wave = 0; wave < total / WAVE; wave++) {
      for (let i = wave * WAVE; i < (wave + 1) * WAVE; i++) {
        const n = received.push(0) - 1;
        clients[i % CONNECTIONS]!.client.subscribe(
          { query: LOBBY, variables: { id } },
          {
            next: () => void received[n]!++,
            error: (e) => void refusals.push(JSON.stringify(e)),
            complete: () => undefined,
          },
        );
      }
      await until(`wave ${wave + 1}'s subscriptions`, () => s.live!.hub.feeds() === (wave + 1) * WAVE, refusals);
    }
    await feedsReach(s, total);
    const setupReads = countCalls(s.recorder.calls);

    // Every subscription is live: one join, written from outside the server, reaches all of them.
    await s.clients.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: s.tableName, Item: { PK: `GAME#${id}`, SK: `USER#${joiner}`, game_id: id, username: joiner } } },
          {
            Update: {
              TableName: s.tableName,
              Key: { PK: `GAME#${id}`, SK: `#METADATA#${id}` },
              UpdateExpression: 'SET people = people + :one',
              ExpressionAttributeValues: { ':one': 1 },
            },
          },
        ],
      }),
    );
    await until('the join to reach every subscriber', () => received.every((r) => r >= 1), refusals);

    expect(refusals).toEqual([]);
    const reads = (setupReads.BatchGetItem ?? 0) + (setupReads.GetItem ?? 0);
    expect(reads, JSON.stringify(setupReads)).toBeGreaterThan(0);
    expect(reads, JSON.stringify(setupReads)).toBeLessThanOrEqual(READ_BUDGET);
  });
});
