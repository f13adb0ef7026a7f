// The serverless WebSocket's items in the one table (src/data/connections/) against DynamoDB
// Local: everything of one connection, the subscribers of one topic, and TTL's local stand-in.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  acknowledgeConnection,
  addSubscription,
  connectionExpiry,
  getConnection,
  openConnection,
  topicSubscribers,
  type SubscriptionRecord,
} from '../../src/data/connections/connections.js';
import { connectionItems, removeConnection, removeSubscription } from '../../src/data/connections/removal.js';
import { claimDelivery } from '../../src/data/connections/replay.js';
import type { DynamoClients } from '../../src/data/dynamo/client.js';
import { keys } from '../../src/data/keys.js';
import { Db } from '../../src/data/dynamo/db.js';
import { startExpirer } from '../../src/live/expirer.js';
import { createLogger } from '../../src/log.js';
import { freshTable } from '../helpers/table.js';

let clients: DynamoClients;
let db: Db;
const now = new Date();

beforeAll(async () => {
  const t = await freshTable();
  clients = t.clients;
  db = new Db(clients.doc, t.tableName);
});
afterAll(() => clients?.raw.destroy());

const open = async (expiresAt = connectionExpiry(now)) => {
  const connectionId = `${randomUUID().slice(0, 12)}=`;
  await openConnection(db, { connectionId, callbackUrl: 'https://ws.example/dev', connectedAt: now.getTime(), expiresAt });
  return connectionId;
};
const sub = (connectionId: string, subscriptionId: string, topic: string, expiresAt = connectionExpiry(now)) => ({
  connectionId,
  subscriptionId,
  topic,
  callbackUrl: 'https://ws.example/dev',
  document: 'subscription { gameLobby(gameId: "g") { kind } }',
  variables: { x: 1 },
  operationName: null,
  viewer: { username: 'ana', role: null, expiresAt: now.getTime() + 60_000 },
  lastPosition: null,
  caughtUpAt: null,
  expiresAt,
});
const all = async (topic: string) => {
  const out: SubscriptionRecord[] = [];
  for await (const page of topicSubscribers(db, topic)) out.push(...page);
  return out;
};

it('acknowledges connection_init once, and keeps the viewer and when their token expires', async () => {
  const c = await open();
  const viewer = { username: 'ana', role: null, expiresAt: now.getTime() + 60_000 };
  expect(await acknowledgeConnection(db, c, viewer)).toBe(true);
  expect(await acknowledgeConnection(db, c, viewer)).toBe(false);
  expect(await getConnection(db, c)).toMatchObject({ connectionId: c, acknowledged: true, viewer });
  expect(await acknowledgeConnection(db, 'never-connected=', null)).toBe(false);
});

it("finds a topic's subscribers across connections with their documents, and removes one connection's items only", async () => {
  const topic = `game:${randomUUID()}`;
  const [a, b] = [await open(), await open()];
  expect(await addSubscription(db, sub(a, '1', topic))).toBe('added');
  expect(await addSubscription(db, sub(a, '1', topic))).toBe('duplicate');
  expect(await addSubscription(db, sub(a, '2#odd', topic))).toBe('added');
  expect(await addSubscription(db, sub(b, '1', topic))).toBe('added');
  const found = await all(topic);
  expect(found.map((s) => `${s.connectionId}/${s.subscriptionId}`).sort()).toEqual([`${a}/1`, `${a}/2#odd`, `${b}/1`].sort());
  expect(found[0]).toMatchObject({ document: sub(a, '1', topic).document, variables: { x: 1 }, viewer: { username: 'ana' } });

  // A post is claimed once: the same or an older position again is refused, a newer one moves it on.
  const key = keys.ws.topicSubscriber(topic, b, '1');
  expect(await claimDelivery(db, key, '0123#000002')).toBe(true);
  expect(await claimDelivery(db, key, '0123#000002')).toBe(false);
  expect(await claimDelivery(db, key, '0123#000001')).toBe(false);
  expect(await claimDelivery(db, key, '0124#000000')).toBe(true);
  expect((await all(topic)).find((s) => s.connectionId === b)!.lastPosition).toBe('0124#000000');
  expect(await claimDelivery(db, keys.ws.topicSubscriber(topic, b, 'nope'), '0125#000000')).toBe(false);

  expect(await removeConnection(db, a)).toBe(3);
  expect(await connectionItems(db, a)).toEqual([]);
  expect((await all(topic)).map((s) => s.connectionId)).toEqual([b]);
  expect(await removeSubscription(db, b, '1')).toBe(true);
  expect(await removeSubscription(db, b, '1')).toBe(false);
  expect(await all(topic)).toEqual([]);
});

it('refuses a subscription on a connection that is gone, leaving nothing behind', async () => {
  const topic = `game:${randomUUID()}`;
  expect(await addSubscription(db, sub('gone-already=', '1', topic))).toBe('gone');
  expect(await all(topic)).toEqual([]);
  expect(await connectionItems(db, 'gone-already=')).toEqual([]);
});

it("TTL's local stand-in deletes expired connection and subscriber items, and leaves live ones", async () => {
  const topic = `game:${randomUUID()}`;
  const past = Math.floor(now.getTime() / 1000) - 5;
  const stale = await open(past);
  const fresh = await open();
  await addSubscription(db, sub(stale, '1', topic, past));
  await addSubscription(db, sub(fresh, '1', topic));
  const expirer = startExpirer(db, 0, createLogger({ silent: true }));
  await expirer.sweep();
  expirer.stop();
  expect(await connectionItems(db, stale)).toEqual([]);
  expect((await connectionItems(db, fresh)).length).toBe(2);
  expect((await all(topic)).map((s) => s.connectionId)).toEqual([fresh]);
});
