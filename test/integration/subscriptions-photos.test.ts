// Photo and follow subscriptions against DynamoDB Local's real stream, and the WebSocket endpoint's
// identity rules and limits, as a hostile or careless client meets them.
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connect, streamCaughtUp, type LiveClient } from '../helpers/live.js';
import { expectNoErrors, startTestServer, type TestServer } from '../helpers/server.js';
import { seedUsers } from './games-seed.js';

let s: TestServer;
let anon: LiveClient;
beforeAll(async () => {
  s = await startTestServer({ live: { streamPollMs: 50, maxSubscriptionsPerConnection: 3, maxConnectionsPerViewer: 2 } });
  anon = await connect(s);
});
afterAll(async () => {
  await anon?.close();
  await s?.close();
});

const UPLOAD = `mutation { uploadPhoto(input: { location: "https://img.example.com/a.png" }) { timestamp } }`;
const REACT = `mutation($owner: String!, $ts: String!, $type: ReactionType!) { reactToPhoto(owner: $owner, timestamp: $ts, type: $type) { id } }`;
const UNREACT = `mutation($owner: String!, $ts: String!, $type: ReactionType!) { removeReaction(owner: $owner, timestamp: $ts, type: $type) { id } }`;
const REACTIONS = `subscription($owner: String!, $ts: String!) {
  photoReactions(owner: $owner, timestamp: $ts) { kind cursor reaction { type user { username } } photo { reactionCounts { heart smiley } } }
}`;
const FOLLOWERS = `subscription { viewerFollowers { kind follower { username } followedAt } }`;
const PHOTOS = `subscription($u: String!) { userPhotos(username: $u) { kind photo { timestamp location owner { username } } } }`;

async function upload(owner: string): Promise<string> {
  const res = await s.execute(UPLOAD, { as: owner });
  expectNoErrors(res);
  return res.data!.uploadPhoto.timestamp;
}

describe('photoReactions', () => {
  it('tells the photo who reacted and took it back, with the counts', async () => {
    const [owner, fan] = await seedUsers(s, 2);
    const ts = await upload(owner!);
    await streamCaughtUp(s);
    const sub = await anon.subscribe(REACTIONS, { owner, ts });
    expectNoErrors(await s.execute(REACT, { variables: { owner, ts, type: 'HEART' }, as: fan }));
    expectNoErrors(await s.execute(REACT, { variables: { owner, ts, type: 'SMILEY' }, as: fan }));
    expectNoErrors(await s.execute(UNREACT, { variables: { owner, ts, type: 'HEART' }, as: fan }));
    const events = (await sub.take(3)).map((r) => r.data!.photoReactions);
    expect(events.map((e) => [e.kind, e.reaction.type, e.reaction.user.username])).toEqual([
      ['REACTION_ADDED', 'HEART', fan],
      ['REACTION_ADDED', 'SMILEY', fan],
      ['REACTION_REMOVED', 'HEART', fan],
    ]);
    expect(events[2]!.photo.reactionCounts).toEqual({ heart: 0, smiley: 1 });
    await sub.close();
  });

  it('refuses an unknown photo with NOT_FOUND', async () => {
    const [owner] = await seedUsers(s, 1);
    const sub = await anon.subscribe(REACTIONS, { owner, ts: '2020-01-01T00:00:00' });
    expect((await sub.failure()).map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
  });
});

describe('userPhotos', () => {
  it("tells a user's subscribers about each new photo", async () => {
    const [owner] = await seedUsers(s, 1);
    await streamCaughtUp(s);
    const sub = await anon.subscribe(PHOTOS, { u: owner });
    const ts = await upload(owner!);
    expect((await sub.next()).data!.userPhotos).toMatchObject({
      kind: 'PHOTO_ADDED',
      photo: { timestamp: ts, owner: { username: owner } },
    });
    await sub.close();
  });
});

describe('viewerFollowers', () => {
  it('tells the viewer who followed and unfollowed them, including a delete from outside the API', async () => {
    const [star, fan, other] = await seedUsers(s, 3);
    await streamCaughtUp(s);
    const c = await connect(s, { as: star });
    const sub = await c.subscribe(FOLLOWERS);
    expectNoErrors(await s.execute(`mutation($u: String!) { followUser(username: $u) { username } }`, { variables: { u: star }, as: fan }));
    expectNoErrors(
      await s.execute(`mutation($u: String!) { followUser(username: $u) { username } }`, { variables: { u: star }, as: other }),
    );
    // Another program deletes the follow item directly: the stream still tells the viewer.
    await s.clients.doc.send(new DeleteCommand({ TableName: s.tableName, Key: { PK: `USER#${star}`, SK: `#FRIEND#${fan}` } }));
    const events = (await sub.take(3)).map((r) => r.data!.viewerFollowers);
    expect(events.map((e) => [e.kind, e.follower.username])).toEqual([
      ['FOLLOWED', fan],
      ['FOLLOWED', other],
      ['UNFOLLOWED', fan],
    ]);
    expect(events[0]!.followedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    await c.close();
  });

  it('needs a signed-in viewer: anonymous is UNAUTHENTICATED over the protocol', async () => {
    const sub = await anon.subscribe(FOLLOWERS);
    expect((await sub.failure()).map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('the WebSocket endpoint', () => {
  /** A raw socket speaking graphql-transport-ws, for what a library client would never send. */
  function raw(): Promise<{ ws: WebSocket; closed: Promise<{ code: number; reason: string }>; messages: unknown[] }> {
    const ws = new WebSocket(s.wsUrl, 'graphql-transport-ws');
    const messages: unknown[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(String(d))));
    const closed = new Promise<{ code: number; reason: string }>((res) =>
      ws.on('close', (code, reason) => res({ code, reason: String(reason) })),
    );
    return new Promise((res, rej) => {
      ws.once('open', () => res({ ws, closed, messages }));
      ws.once('error', rej);
    });
  }

  it('closes with 4401 when a subscription comes before connection_init', async () => {
    const { ws, closed } = await raw();
    ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { viewerFollowers { kind } }' } }));
    expect((await closed).code).toBe(4401);
  });

  it('closes with 4403 for a forged token in connection_init', async () => {
    const { ws, closed } = await raw();
    ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer a.b.c' } }));
    expect((await closed).code).toBe(4403);
  });

  it('closes with 4403 when the token expires, so the client reconnects with a fresh one', async () => {
    const [u] = await seedUsers(s, 1);
    if (s.auth.kind !== 'hs256') throw new Error('test servers sign with HS256');
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(u!)
      .setIssuer(s.auth.issuer)
      .setAudience(s.auth.audience)
      .setIssuedAt(now)
      .setExpirationTime(now + 2)
      .sign(new TextEncoder().encode(s.auth.secret));
    const { ws, closed, messages } = await raw();
    ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
    const { code, reason } = await closed;
    expect(messages).toEqual([{ type: 'connection_ack' }]);
    expect([code, reason]).toEqual([4403, 'Token expired']);
  });

  it('closes with 4408 when connection_init never comes', async () => {
    const quick = await startTestServer({ live: { streamPollMs: 200, initTimeoutMs: 300 } });
    try {
      const ws = new WebSocket(quick.wsUrl, 'graphql-transport-ws');
      const code = await new Promise<number>((res) => ws.on('close', (c) => res(c)));
      expect(code).toBe(4408);
    } finally {
      await quick.close();
    }
  });

  it('refuses queries over WebSocket, documents over the limits, and more subscriptions than a connection may hold', async () => {
    const q = await anon.subscribe('{ ping }');
    expect((await q.failure()).map((e) => e.extensions?.code)).toEqual(['BAD_REQUEST']);
    const deep = `subscription { userPhotos(username: "ana") { photo { owner { pinnedPhoto { owner { pinnedPhoto { owner { pinnedPhoto { owner { pinnedPhoto { owner { pinnedPhoto { owner { username } } } } } } } } } } } } } }`;
    const d = await anon.subscribe(deep);
    expect((await d.failure())[0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'maxDepth' });
    const [u] = await seedUsers(s, 1);
    const c = await connect(s);
    const subs = [];
    for (let i = 0; i < 3; i++) subs.push(await c.subscribe(PHOTOS, { u }));
    const fourth = await c.subscribe(PHOTOS, { u });
    expect((await fourth.failure())[0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'maxSubscriptions' });
    await c.close();
  });

  it('closes a viewer’s connection past their limit with 4029', async () => {
    const [u] = await seedUsers(s, 1);
    const first = await connect(s, { as: u });
    const second = await connect(s, { as: u });
    await expect(connect(s, { as: u })).rejects.toMatchObject({ code: 4029 });
    await first.close();
    await second.close();
  });

  it('drops a frame over maxPayload by closing with 1009', async () => {
    const { ws, closed } = await raw();
    ws.send('x'.repeat(70_000));
    expect((await closed).code).toBe(1009);
  });
});
