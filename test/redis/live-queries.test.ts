// @live queries on many instances sharing Redis: the instance holding a live query is not the one
// reading the table's stream, and matches the records it receives from the Redis bus against its
// own live queries; a write through another instance and one from outside both reach it; and a
// Redis restart (its data lost) re-runs the live query once for the gap, as subscriptions get RESYNC.
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startCluster, type Cluster, type Instance } from '../helpers/cluster.js';
import { connect } from '../helpers/live.js';
import { parseExposition } from '../helpers/prometheus.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import type { TestServer } from '../helpers/server.js';
import { freshMap, seedGame, seedUsers } from '../integration/games-seed.js';

let redis: TestRedis;
let cluster: Cluster;
beforeAll(async () => {
  redis = await startRedis();
  cluster = await startCluster(redis.url);
  for (const name of ['a', 'b']) await cluster.start(name);
}, 180_000);
afterAll(async () => {
  await cluster?.close();
  await redis?.stop();
});

const LOBBY = `query($id: ID!) @live { game(id: $id) { playerCount players(first: 50) { edges { node { user { username } } } } } }`;
const JOIN = `mutation($id: ID!) { joinGame(gameId: $id) { user { username } } }`;

/** The lab's join transaction, sent from outside every server. */
function labJoin(id: string, username: string) {
  return cluster.clients.doc.send(
    new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: cluster.tableName, Item: { PK: `GAME#${id}`, SK: `USER#${username}`, game_id: id, username } } },
        {
          Update: {
            TableName: cluster.tableName,
            Key: { PK: `GAME#${id}`, SK: `#METADATA#${id}` },
            UpdateExpression: 'SET people = people + :p',
            ExpressionAttributeValues: { ':p': 1 },
          },
        },
      ],
    }),
  );
}

/** An instance's re-runs of live queries for a gap, from its own /metrics. */
async function gapRuns(i: Instance): Promise<number> {
  return parseExposition(await (await fetch(`${i.url}/metrics`)).text()).sum('live_query_runs_total', { reason: 'gap' });
}

describe('@live queries with Redis', () => {
  it('update on an instance that does not read the stream, for a write through another instance and one from outside', async () => {
    const [a, b] = cluster.instances as [Instance, Instance];
    expect((await cluster.holder())?.name).toBe('a');
    const users = await seedUsers(cluster.seedTarget, 3);
    const id = await seedGame(cluster.seedTarget, { map: freshMap(), players: [users[0]!] });
    const client = await connect({ wsUrl: b.wsUrl } as TestServer);
    const live = await client.subscribe(LOBBY, { id });
    const count = async (n: number) => {
      for (;;) {
        const r = await live.next(30_000);
        if (r.data!.game.playerCount === n) return r;
      }
    };
    await count(1);
    expect((await a.execute(JOIN, { variables: { id }, as: users[1] })).errors).toBeUndefined();
    await count(2);
    // The lab's join transaction, sent from outside every server.
    await labJoin(id, users[2]!);
    const last = await count(3);
    expect(last.data!.game.players.edges.map((e: { node: { user: { username: string } } }) => e.node.user.username).sort()).toEqual(
      [...users].sort(),
    );
    await client.close();
  });

  it('re-runs for the gap when Redis restarts, so a write made during the outage is never silently missed', async () => {
    const [a, b] = cluster.instances as [Instance, Instance];
    const users = await seedUsers(cluster.seedTarget, 3);
    const id = await seedGame(cluster.seedTarget, { map: freshMap(), players: [users[0]!] });
    const client = await connect({ wsUrl: b.wsUrl } as TestServer);
    const live = await client.subscribe(LOBBY, { id });
    const first = await live.next(30_000);
    expect(first.data!.game.playerCount).toBe(1);
    const gapsBefore = await gapRuns(b);

    // Redis dies with everything it held; a join is committed from outside while it is down.
    await redis.kill();
    await labJoin(id, users[1]!);
    await redis.start();
    // The marker, through the other instance once Redis is back: every result up to the one that
    // shows it is kept, so the outage's join cannot slip by unseen.
    await eventually(async () => (await a.execute(`{ __typename }`)).data, 'instance a to answer');
    const joined = await a.execute(JOIN, { variables: { id }, as: users[2] });
    expect(joined.errors).toBeUndefined();
    const results = [first];
    for (;;) {
      const r = await live.next(30_000);
      results.push(r);
      if (r.data!.game.playerCount === 3) break;
    }
    const names = (r: (typeof results)[number]) =>
      r.data!.game.players.edges.map((e: { node: { user: { username: string } } }) => e.node.user.username).sort();
    expect(names(results.at(-1)!)).toEqual([...users].sort());
    // Player counts only grow, and revisions have no hole: nothing was sent out of order or lost.
    const counts = results.map((r) => r.data!.game.playerCount as number);
    expect(counts).toEqual([...counts].sort((x, y) => x - y));
    const revisions = results.map((r) => (r.extensions as { live: { revision: number } }).live.revision);
    expect(revisions).toEqual(revisions.map((_, i) => i + 1));
    // The instance holding the live query heard of the gap and re-ran it for that reason. It learns
    // of the new Redis when it next reads the bus's epoch, which may come after it has read the new
    // Redis's first entries (the marker's result may come first): so "eventually", within 15 s.
    await eventually(async () => (await gapRuns(b)) > gapsBefore, 'a gap re-run on instance b');
    expect(cluster.instances.every((i) => i.proc.exitCode === null && i.proc.signalCode === null)).toBe(true);
    await client.close();
  });
});
