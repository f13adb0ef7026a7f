// The serverless fan-out's writes and its retry: an event reaches subscribers whose catch-up is
// over with a few writes (its replay entry, its progress per chunk of subscribers), not one per
// subscriber; a subscriber whose catch-up may still run is claimed on its own item; a record
// Lambda retries after a failed attempt sends RESYNC, once, to the chunk that attempt may have
// left half posted, and the event to nobody twice.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CallRecord } from '../../src/data/dynamo/cost.js';
import { keys } from '../../src/data/keys.js';
import { CLOCK_SKEW_MS } from '../../src/serverless/fan-out.js';
import { eventually } from '../helpers/cluster.js';
import {
  caughtUp,
  connect,
  joinAsNewUser,
  listen,
  seedGame,
  startServerless,
  subscribed,
  subscribers,
  type ServerlessFlavour,
} from '../helpers/serverless.js';

let s: ServerlessFlavour;
/** The functions' clock runs this far ahead of the real one: events written well after every catch-up's end, without waiting. */
let ahead = 0;
const calls: CallRecord[] = [];
/** What a test does once a delivery attempt has answered (failed: it reported a record). */
let afterDelivery: (failed: boolean) => void = () => undefined;
beforeAll(async () => {
  s = await startServerless({
    now: () => new Date(Date.now() + ahead),
    onCall: (c) => void calls.push(c),
    wrapDeliver: (deliver) => async (event) => {
      const out = await deliver(event);
      afterDelivery(out.batchItemFailures.length > 0);
      return out;
    },
  });
});
afterAll(async () => {
  await s?.close();
});

const LOBBY = `subscription($id: ID!) { gameLobby(gameId: $id) { kind player { user { username } } } }`;
type Lobby = { data: { gameLobby: { kind: string; player: { user: { username: string } } | null } } };

/** What a subscriber heard: joiners' names, and RESYNC. */
const seen = (heard: { next?: Lobby }[]) =>
  heard.map((h) => (h.next?.data.gameLobby.kind === 'RESYNC' ? 'RESYNC' : h.next?.data.gameLobby.player?.user.username));

/** `n` subscribers of a new game's lobby, each on its own connection, every catch-up over. */
async function lobby(n: number) {
  const gameId = await seedGame(s);
  await caughtUp(s);
  const subs = [];
  for (let i = 0; i < n; i++) {
    const c = await connect(s);
    subs.push({ ...c, ...listen<Lobby>(c.client, LOBBY, { id: gameId }) });
  }
  const topic = `game:${gameId}`;
  await subscribed(s, [topic], n);
  await eventually(async () => (await subscribers(s, topic)).every((x) => x.caughtUpAt !== null), 'every catch-up over');
  ahead += 2 * CLOCK_SKEW_MS;
  return { gameId, topic, subs };
}

/** The delivery's writes since `calls` was emptied, by command. */
function writes(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of calls) if (c.command === 'PutItem' || c.command === 'UpdateItem') out[c.command] = (out[c.command] ?? 0) + 1;
  return out;
}

it('reaches caught-up subscribers with writes per event, not per subscriber, and claims one whose catch-up may still run', async () => {
  const { gameId, topic, subs } = await lobby(3);
  calls.length = 0;
  const first = await joinAsNewUser(s, gameId);
  await caughtUp(s); // the join's fan-out is over before the marker's batch
  // The replay entry and the progress started (PutItem), the progress finished (UpdateItem).
  expect(writes()).toEqual({ PutItem: 2, UpdateItem: 1 });

  // Its routes function stopped before recording the catch-up's end: any event may race that catch-up.
  const racing = (await subscribers(s, topic))[1]!;
  await s.clients.doc.send(
    new UpdateCommand({
      TableName: s.tableName,
      Key: keys.ws.topicSubscriber(topic, racing.connectionId, racing.subscriptionId),
      UpdateExpression: 'REMOVE caught_up',
    }),
  );
  calls.length = 0;
  const second = await joinAsNewUser(s, gameId);
  await caughtUp(s);
  expect(writes()).toEqual({ PutItem: 2, UpdateItem: 2 });
  const claimed = (await subscribers(s, topic)).find(
    (x) => x.subscriptionId === racing.subscriptionId && x.connectionId === racing.connectionId,
  );
  expect(claimed?.lastPosition).toMatch(/^\d{40}#\d{6}$/);
  // Posted before the marker passed; the sockets may still be carrying it.
  await eventually(async () => subs.every((x) => seen(x.heard).includes(second)), 'the second join at every subscriber');
  for (const sub of subs) expect(seen(sub.heard)).toEqual([first, second]);
  for (const sub of subs) await sub.client.dispose();
});

it('sends RESYNC once to the chunk a failed attempt may have left half posted, and the event to nobody twice', async () => {
  const { gameId, subs } = await lobby(3);
  const [a, b, c] = subs;
  // Posts to b fail, and so does its disconnect: the attempt fails after posting to a and c.
  s.gateway.fault(b!.connectionId, true);
  // API Gateway has recovered by the time Lambda retries the record.
  afterDelivery = (failed) => failed && s.gateway.fault(b!.connectionId, false);
  const first = await joinAsNewUser(s, gameId);
  await eventually(async () => subs.every((x) => seen(x.heard).includes('RESYNC')), 'the RESYNCs of the retry');
  afterDelivery = () => undefined;
  const marker = await joinAsNewUser(s, gameId); // written after the retry: anything it posted twice comes before this
  await eventually(async () => subs.every((x) => seen(x.heard).includes(marker)), 'the marker');
  expect(seen(a!.heard)).toEqual([first, 'RESYNC', marker]);
  expect(seen(b!.heard)).toEqual(['RESYNC', marker]);
  expect(seen(c!.heard)).toEqual([first, 'RESYNC', marker]);
  for (const sub of subs) await sub.client.dispose();
});
