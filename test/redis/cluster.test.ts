// Three server processes on one table and one Redis, as N containers run: one stream reader (the
// lease holder), every instance's subscribers hear every write, cursors resume on any instance,
// and losing the holder (killed, or stopped gracefully) loses no event.
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { DeleteCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEntry } from '../../src/live/bus.js';
import { busPrefix, createRedisBus, type RedisBus } from '../../src/live/redis-bus.js';
import { keys } from '../../src/data/keys.js';
import { readLease } from '../../src/data/live/lease.js';
import { createLogger } from '../../src/log.js';
import { CLUSTER_LEASE, eventually, startCluster, type Cluster, type Instance } from '../helpers/cluster.js';
import { connect, type LiveClient, type Subscription } from '../helpers/live.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import type { TestServer } from '../helpers/server.js';
import { freshMap, seedGame, seedUsers } from '../integration/games-seed.js';

let redis: TestRedis;
let cluster: Cluster;
let tap: RedisBus;
const tapped: BusEntry[] = [];
beforeAll(async () => {
  redis = await startRedis();
  cluster = await startCluster(redis.url);
  // The first instance takes the lease before it listens; the others find it held.
  for (const name of ['a', 'b', 'c']) await cluster.start(name);
  tap = await createRedisBus({
    url: redis.url,
    prefix: busPrefix(cluster.tableName),
    replayRecords: 10_000,
    dedupeSeconds: 600,
    logger: createLogger({ silent: true }),
  });
  tap.listen(
    (e) => tapped.push(e),
    () => undefined,
  );
}, 180_000);
afterAll(async () => {
  await tap?.close();
  await cluster?.close();
  await redis?.stop();
});

const LOBBY = `subscription($id: ID!, $after: String) { gameLobby(gameId: $id, after: $after) { cursor kind player { user { username } } } }`;
const JOIN = `mutation($id: ID!) { joinGame(gameId: $id) { user { username } } }`;
const live = (i: Instance) => connect({ wsUrl: i.wsUrl, token: async (u: string) => cluster.token(u) } as unknown as TestServer);

/** The lab's join_game.py, sent from outside every server. */
async function labJoin(gameId: string, username: string) {
  await cluster.clients.doc.send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: cluster.tableName,
            Item: { PK: `GAME#${gameId}`, SK: `USER#${username}`, game_id: gameId, username },
            ConditionExpression: 'attribute_not_exists(SK)',
          },
        },
        {
          Update: {
            TableName: cluster.tableName,
            Key: { PK: `GAME#${gameId}`, SK: `#METADATA#${gameId}` },
            UpdateExpression: 'SET people = people + :p',
            ExpressionAttributeValues: { ':p': 1 },
          },
        },
      ],
    }),
  );
}

async function freshGame(players: number) {
  const users = await seedUsers(cluster.seedTarget, players);
  const id = await seedGame(cluster.seedTarget, { map: freshMap(), players: [users[0]!] });
  return { id, users };
}

/**
 * The usernames of the next `n` joins, leaving out the game's creator: the seeding wrote its player
 * item just before the subscription, and an instance whose listener had not yet seen it counts it
 * as after "now" (one event early, never one missed).
 */
async function joins(sub: Subscription, n: number, creator: string): Promise<string[]> {
  const out: string[] = [];
  while (out.length < n) {
    const e = (await sub.next(30_000)).data!.gameLobby;
    if (e.player?.user.username !== creator) out.push(e.kind === 'PLAYER_JOINED' ? e.player.user.username : e.kind);
  }
  return out;
}

const alive = (i: Instance) => i.proc.exitCode === null && i.proc.signalCode === null;

describe('many instances sharing Redis', () => {
  it('has exactly one reader, and a subscriber on one instance hears a write sent through another and one from outside', async () => {
    const [a, b, c] = cluster.instances as [Instance, Instance, Instance];
    expect((await cluster.holder())?.name).toBe('a');
    const { id, users } = await freshGame(3);
    const client = await live(b);
    const sub = await client.subscribe(LOBBY, { id });
    expect((await c.execute(JOIN, { variables: { id }, as: users[1] })).errors).toBeUndefined();
    await labJoin(id, users[2]!);
    expect(await joins(sub, 2, users[0]!)).toEqual([users[1], users[2]]);
    void a;
    await client.close();
  });

  it('never publishes the lease’s or the checkpoints’ own writes, and saves no checkpoint for them (no loop)', async () => {
    const first = (await readLease(cluster.db))!;
    const checkpointsBefore = await cluster.clients.doc.send(
      new QueryCommand({
        TableName: cluster.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.live.checkpointPk },
        ConsistentRead: true,
      }),
    );
    // Three renewals: each is a write to the table, so three stream records the holder reads.
    await eventually(
      async () => (await readLease(cluster.db))!.expiresAt >= first.expiresAt + 3 * CLUSTER_LEASE.renewMs,
      'three lease renewals',
      20_000,
    );
    const checkpointsAfter = await cluster.clients.doc.send(
      new QueryCommand({
        TableName: cluster.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.live.checkpointPk },
        ConsistentRead: true,
      }),
    );
    expect(checkpointsBefore.Items!.length).toBeGreaterThan(0);
    expect(checkpointsAfter.Items).toEqual(checkpointsBefore.Items);
    expect(tapped.length).toBeGreaterThan(0);
    expect(tapped.filter((e) => e.record.keys.PK.startsWith(keys.live.pkPrefix))).toEqual([]);
  });

  it('resumes on another instance from a cursor seen on the first', async () => {
    const [a, , c] = cluster.instances as [Instance, Instance, Instance];
    const { id, users } = await freshGame(4);
    const onA = await live(a);
    const sub = await onA.subscribe(LOBBY, { id });
    await labJoin(id, users[1]!);
    let seen;
    do seen = (await sub.next(20_000)).data!.gameLobby;
    while (seen.player?.user.username !== users[1]);
    await onA.close();
    await labJoin(id, users[2]!);
    await labJoin(id, users[3]!);
    const onC = await live(c);
    const again = await onC.subscribe(LOBBY, { id, after: seen.cursor });
    const missed = (await again.take(2, 20_000)).map((r) => r.data!.gameLobby.player.user.username);
    expect(missed).toEqual([users[2], users[3]]);
    await onC.close();
  });

  it('loses nothing when the lease holder is killed mid-stream: another takes over within the lease time and every write arrives once', async () => {
    const holder = (await cluster.holder())!;
    const watcher = cluster.instances.find((i) => i !== holder && alive(i))!;
    const { id, users } = await freshGame(31);
    const client = await live(watcher);
    const sub = await client.subscribe(LOBBY, { id });
    const joiners = users.slice(1);
    let killedAt = 0;
    for (const [n, u] of joiners.entries()) {
      await labJoin(id, u);
      if (n === 9) {
        holder.proc.kill('SIGKILL');
        killedAt = Date.now();
        await holder.exited;
      }
    }
    const successor = await eventually(() => cluster.holder(), 'a new lease holder', 30_000);
    const takeoverMs = Date.now() - killedAt;
    expect(successor).not.toBe(holder);
    // The lease lapses leaseMs after the last renewal; the others try again right then.
    expect(takeoverMs).toBeLessThan(CLUSTER_LEASE.leaseMs + CLUSTER_LEASE.renewMs + 2_000);
    // The marker, written after the last join: the game item deleted (GAME_EXPIRED). Every join
    // once, in order, and nothing else: a join the successor replayed twice would show up here.
    await cluster.clients.doc.send(new DeleteCommand({ TableName: cluster.tableName, Key: keys.game(id) }));
    const heard = (await sub.before((r) => r.data?.gameLobby.kind === 'GAME_EXPIRED', 30_000)).map((r) => r.data!.gameLobby);
    const others = heard.filter((e) => e.player?.user.username !== users[0]);
    expect(others.map((e) => (e.kind === 'PLAYER_JOINED' ? e.player.user.username : e.kind))).toEqual(joiners);
    await client.close();
  });

  it('stops an instance gracefully: its sockets close with 1001 and its lease is released at once', async () => {
    if (cluster.instances.filter(alive).length < 3) await cluster.start('d');
    const holder = (await cluster.holder())!;
    let closedWith: number | null = null;
    const client: Client = createClient({
      url: holder.wsUrl,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      onNonLazyError: () => undefined, // the close is what this test waits for
      on: { closed: (e) => (closedWith = (e as { code: number }).code) },
    });
    await new Promise<void>((resolve) => client.on('connected', () => resolve()));
    const stoppedAt = Date.now();
    holder.proc.kill('SIGTERM');
    const successor = await eventually(async () => {
      const h = await cluster.holder();
      return h && h !== holder ? h : null;
    }, 'another lease holder');
    const takeoverMs = Date.now() - stoppedAt;
    expect(await holder.exited).toBe(0);
    expect(closedWith).toBe(1001);
    expect(takeoverMs).toBeLessThan(CLUSTER_LEASE.leaseMs);
    // And the successor reads: a write now reaches a subscriber.
    const { id, users } = await freshGame(2);
    const watcher: LiveClient = await live(successor);
    const sub = await watcher.subscribe(LOBBY, { id });
    await labJoin(id, users[1]!);
    expect(await joins(sub, 1, users[0]!)).toEqual([users[1]]);
    await watcher.close();
    await client.dispose();
  });
});
