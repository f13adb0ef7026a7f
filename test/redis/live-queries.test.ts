// @live queries on many instances sharing Redis: the instance holding a live query is not the one
// reading the table's stream, and matches the records it receives from the Redis bus against its
// own live queries; a write through another instance and one from outside both reach it.
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster, type Instance } from '../helpers/cluster.js';
import { connect } from '../helpers/live.js';
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
    await cluster.clients.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: cluster.tableName, Item: { PK: `GAME#${id}`, SK: `USER#${users[2]}`, game_id: id, username: users[2] } } },
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
    const last = await count(3);
    expect(last.data!.game.players.edges.map((e: { node: { user: { username: string } } }) => e.node.user.username).sort()).toEqual(
      [...users].sort(),
    );
    await client.close();
  });
});
