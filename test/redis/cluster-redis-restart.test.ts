// Redis restarted under two running servers: subscribers are told RESYNC (never a silent gap),
// queries and mutations keep answering while it is down, nothing crashes, and events flow again,
// including a write made during the outage (the reader retries it until Redis takes it).
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
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
  await cluster.start('a');
  await cluster.start('b');
}, 180_000);
afterAll(async () => {
  await cluster?.close();
  await redis?.stop();
});

const LOBBY = `subscription($id: ID!) { gameLobby(gameId: $id) { cursor kind player { user { username } } } }`;
const JOIN = `mutation($id: ID!) { joinGame(gameId: $id) { user { username } } }`;

it('tells subscribers RESYNC after Redis restarts, keeps answering queries and mutations meanwhile, and delivers the outage’s writes after', async () => {
  const [a, b] = cluster.instances as [Instance, Instance];
  const users = await seedUsers(cluster.seedTarget, 3);
  const id = await seedGame(cluster.seedTarget, { map: freshMap(), players: [users[0]!] });
  const client = await connect({ wsUrl: b.wsUrl, token: async (u: string) => cluster.token(u) } as unknown as TestServer);
  const sub = await client.subscribe(LOBBY, { id });
  await cluster.clients.doc.send(
    new TransactWriteCommand({
      TransactItems: [
        { Put: { TableName: cluster.tableName, Item: { PK: `GAME#${id}`, SK: `USER#${users[1]}`, game_id: id, username: users[1] } } },
      ],
    }),
  );
  let first;
  do first = (await sub.next(20_000)).data!.gameLobby;
  while (first.player?.user.username !== users[1]);

  await redis.kill();
  const read = await b.execute(`query($id: ID!) { game(id: $id) { id playerCount } }`, { variables: { id } });
  expect(read.errors).toBeUndefined();
  expect(read.data.game.id).toBe(id);
  const joined = await a.execute(JOIN, { variables: { id }, as: users[2] });
  expect(joined.errors).toBeUndefined();
  await redis.start();

  const after: string[] = [];
  while (!after.includes(users[2]!)) {
    const e = (await sub.next(30_000)).data!.gameLobby;
    after.push(e.kind === 'PLAYER_JOINED' ? e.player.user.username : e.kind);
  }
  // RESYNC comes before anything of the new Redis: the client knows to refetch, then hears the join.
  expect(after[0]).toBe('RESYNC');
  expect(after.filter((x) => x === users[2])).toHaveLength(1);
  expect(cluster.instances.every((i) => i.proc.exitCode === null && i.proc.signalCode === null)).toBe(true);
  await client.close();
});
