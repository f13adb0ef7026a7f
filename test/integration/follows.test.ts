import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { newFollowItem } from '../../src/data/follows/follows.js';
import { loadItems, readJsonl } from '../../src/ops/load.js';
import { newUserItem } from '../../src/data/users/writes.js';
import type { RecordedCall } from '../helpers/recorder.js';
import { countCalls, errorCodes, expectNoErrors, freshUsername, LAB_FILES, startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ seed: ['game', 'photos'] });
});
afterAll(() => s.close());

const lab = readJsonl(LAB_FILES.photos);
const labFollows = lab.filter((i) => i.SK.startsWith('#FRIEND#'));
const labUsers = new Map(lab.filter((i) => i.SK.startsWith('#METADATA#')).map((i) => [i.username as string, i]));

async function seedUsers(n: number, prefix = 'f'): Promise<string[]> {
  const names = Array.from({ length: n }, () => freshUsername(prefix));
  await loadItems(
    s.clients.doc,
    s.tableName,
    names.map((u) => newUserItem({ username: u, name: `Name ${u}`, email: `${u}@example.com` })),
  );
  return names;
}

async function item(PK: string, SK: string) {
  return (await s.clients.doc.send(new GetCommand({ TableName: s.tableName, Key: { PK, SK }, ConsistentRead: true }))).Item;
}

const user = (u: string) => item(`USER#${u}`, `#METADATA#${u}`);
const counts = async (u: string) => {
  const it = await user(u);
  return { followers: it?.followers, following: it?.following };
};

/** Every key the operation asked BatchGetItem for, in order. */
function batchGetKeys(calls: RecordedCall[]): string[] {
  return calls
    .filter((c) => c.command === 'BatchGetItem')
    .flatMap((c) =>
      Object.values(c.body.RequestItems as Record<string, { Keys: { PK: { S: string } }[] }>).flatMap((r) => r.Keys.map((k) => k.PK.S)),
    );
}

const FOLLOW = `mutation($u: String!) { followUser(username: $u) { username followerCount followingCount } }`;
const UNFOLLOW = `mutation($u: String!) { unfollowUser(username: $u) { username followerCount followingCount } }`;
const LISTS = `query($u: String!) { user(username: $u) {
  followerCount followingCount
  followers(first: 100) { edges { followedAt node { username name } } pageInfo { hasNextPage } }
  following(first: 100) { edges { followedAt node { username name } } pageInfo { hasNextPage } } } }`;

describe("reading the lab's follows", () => {
  it("gives every user's followers and followed users with their profiles, as the lab does", async () => {
    const responses = await Promise.all([...labUsers.keys()].map(async (u) => ({ u, res: await s.execute(LISTS, { variables: { u } }) })));
    expect(responses).toHaveLength(20);
    for (const { u, res } of responses) {
      expectNoErrors(res);
      const got = res.data!.user;
      const followers = labFollows.filter((f) => f.followedUser === u).sort((a, b) => (a.followingUser < b.followingUser ? -1 : 1));
      const following = labFollows.filter((f) => f.followingUser === u).sort((a, b) => (a.followedUser < b.followedUser ? -1 : 1));
      expect(got.followers.edges).toEqual(
        followers.map((f) => ({ followedAt: f.timestamp, node: { username: f.followingUser, name: labUsers.get(f.followingUser)!.name } })),
      );
      expect(got.following.edges).toEqual(
        following.map((f) => ({ followedAt: f.timestamp, node: { username: f.followedUser, name: labUsers.get(f.followedUser)!.name } })),
      );
      expect([got.followerCount, got.followingCount]).toEqual([followers.length, following.length]);
      expect([got.followers.pageInfo.hasNextPage, got.following.pageInfo.hasNextPage]).toEqual([false, false]);
    }
  });

  it("reads the lab's six self-follows without failing", async () => {
    const selfFollowers = labFollows.filter((f) => f.followedUser === f.followingUser).map((f) => f.followedUser as string);
    expect(selfFollowers).toHaveLength(6);
    const responses = await Promise.all(selfFollowers.map(async (u) => ({ u, res: await s.execute(LISTS, { variables: { u } }) })));
    for (const { u, res } of responses) {
      expectNoErrors(res);
      expect(res.data!.user.followers.edges.map((e: any) => e.node.username)).toContain(u);
      expect(res.data!.user.following.edges.map((e: any) => e.node.username)).toContain(u);
    }
  });

  it('fetches a user seen in both lists, and elsewhere in the operation, only once', async () => {
    const u = 'haroldwatkins';
    const followers = new Set(labFollows.filter((f) => f.followedUser === u).map((f) => f.followingUser as string));
    const mutual = labFollows.filter((f) => f.followingUser === u && followers.has(f.followedUser)).map((f) => f.followedUser as string);
    expect(mutual.length).toBeGreaterThan(0);
    const res = await s.execute(
      `query($u: String!, $m: String!) { other: user(username: $m) { name } user(username: $u) {
        followers(first: 100) { edges { node { name } } } following(first: 100) { edges { node { name } } } } }`,
      { variables: { u, m: mutual[0] } },
    );
    expectNoErrors(res);
    const asked = batchGetKeys(res.calls);
    for (const m of mutual) expect(asked.filter((k) => k === `USER#${m}`)).toEqual([`USER#${m}`]);
    expect(new Set(asked).size).toBe(asked.length);
  });
});

describe('round trips', () => {
  let reader: string;
  let followed: string[];
  beforeAll(async () => {
    reader = (await seedUsers(1, 'reader'))[0]!;
    followed = await seedUsers(120, 'star');
    await loadItems(
      s.clients.doc,
      s.tableName,
      followed.map((f) => newFollowItem(f, reader, '2026-01-01T00:00:00.000')),
    );
  });

  it("reads a user's first 100 followed users with their names in 3 calls and 2 waves: the user beside the follows, then the profiles", async () => {
    const res = await s.execute(
      `query($u: String!) { user(username: $u) { following(first: 100) { edges { node { name } } pageInfo { hasNextPage } } } }`,
      {
        variables: { u: reader },
      },
    );
    expectNoErrors(res);
    // The follows' Query does not wait for the user: both are the first wave, in either order.
    expect(
      res.calls
        .slice(0, 2)
        .map((c) => c.command)
        .sort(),
    ).toEqual(['BatchGetItem', 'Query']);
    expect(res.calls.find((c) => c.command === 'Query')!.body.IndexName).toBe('InvertedIndex');
    expect(res.calls[2]!.command).toBe('BatchGetItem');
    expect(batchGetKeys([res.calls[2]!])).toHaveLength(100);
    expect(res.extensions!.dynamodb).toMatchObject({ totalCalls: 3, waves: 2 });
    // The profiles show a name only: the BatchGetItem projects it (with keys and what records always need), not email or address.
    const asked = (
      res.calls[2]!.body.RequestItems as Record<string, { ProjectionExpression: string; ExpressionAttributeNames: Record<string, string> }>
    )[s.tableName]!;
    const attrs = asked.ProjectionExpression.split(', ').map((p) => asked.ExpressionAttributeNames[p]);
    expect(attrs).toContain('name');
    expect(attrs).not.toContain('email');
    const names = res.data!.user.following.edges.map((e: any) => e.node.name);
    expect(names).toEqual(
      [...followed]
        .sort()
        .slice(0, 100)
        .map((f) => `Name ${f}`),
    );
    expect(res.data!.user.following.pageInfo.hasNextPage).toBe(true);
  });

  it('reads the rest on the next page, without overlap, in 2 waves', async () => {
    const q = `query($u: String!, $after: String) { user(username: $u) { following(first: 100, after: $after) { edges { node { username } } pageInfo { hasNextPage endCursor } } } }`;
    const first = await s.execute(q, { variables: { u: reader } });
    const second = await s.execute(q, { variables: { u: reader, after: first.data!.user.following.pageInfo.endCursor } });
    expectNoErrors(second);
    expect(second.extensions!.dynamodb).toMatchObject({ calls: { BatchGetItem: 2, Query: 1 }, waves: 2 });
    const all = [...first.data!.user.following.edges, ...second.data!.user.following.edges].map((e: any) => e.node.username);
    expect(all).toEqual([...followed].sort());
    expect(second.data!.user.following.pageInfo.hasNextPage).toBe(false);
  });

  it('asks BatchGetItem nothing for a user who follows nobody and has no followers', async () => {
    const [loner] = await seedUsers(1);
    const res = await s.execute(LISTS, { variables: { u: loner } });
    expectNoErrors(res);
    expect(res.data!.user.following.edges).toEqual([]);
    expect(res.data!.user.followers.edges).toEqual([]);
    // The profile comes with its (empty) followers page; who it follows is a Query of InvertedIndex.
    expect(countCalls(res.calls)).toEqual({ Query: 2 });
  });
});

describe('a user read with the first page of their followers', () => {
  const PROFILE = `query($u: String!, $first: Int, $after: String) { user(username: $u) { username name
    followers(first: $first, after: $after) { edges { node { username name } } pageInfo { hasNextPage endCursor } } } }`;
  let star: string;
  let fans: string[];
  beforeAll(async () => {
    star = (await seedUsers(1, 'star'))[0]!;
    fans = (await seedUsers(12, 'fan')).sort();
    await loadItems(
      s.clients.doc,
      s.tableName,
      fans.map((f) => newFollowItem(star, f, '2026-02-02T00:00:00.000')),
    );
  });

  it('is one Query for the profile and every follower, then one BatchGetItem of their profiles, when the page holds them all', async () => {
    const res = await s.execute(PROFILE, { variables: { u: star, first: 12 } });
    expectNoErrors(res);
    expect(res.data!.user).toMatchObject({ username: star, name: `Name ${star}` });
    expect(res.data!.user.followers.edges.map((e: any) => e.node)).toEqual(fans.map((f) => ({ username: f, name: `Name ${f}` })));
    expect(res.data!.user.followers.pageInfo.hasNextPage).toBe(false);
    expect(res.calls.map((c) => c.command)).toEqual(['Query', 'BatchGetItem']);
    expect(batchGetKeys(res.calls).sort()).toEqual(fans.map((f) => `USER#${f}`));
  });

  it("reads the profile by key, with the followers' profiles, when there are more followers than the page; the next page continues exactly", async () => {
    const page1 = await s.execute(PROFILE, { variables: { u: star, first: 5 } });
    expectNoErrors(page1);
    expect(page1.data!.user.name).toBe(`Name ${star}`);
    expect(page1.data!.user.followers.pageInfo.hasNextPage).toBe(true);
    expect(page1.calls.map((c) => c.command)).toEqual(['Query', 'BatchGetItem']);
    expect(batchGetKeys(page1.calls).sort()).toEqual([star, ...fans.slice(0, 5)].map((f) => `USER#${f}`).sort());
    const page2 = await s.execute(PROFILE, { variables: { u: star, first: 10, after: page1.data!.user.followers.pageInfo.endCursor } });
    expectNoErrors(page2);
    expect([...page1.data!.user.followers.edges, ...page2.data!.user.followers.edges].map((e: any) => e.node.username)).toEqual(fans);
    expect(page2.data!.user.followers.pageInfo.hasNextPage).toBe(false);
  });

  it('has an exact hasNextPage when the followers are one more than the page', async () => {
    const res = await s.execute(PROFILE, { variables: { u: star, first: 11 } });
    expectNoErrors(res);
    expect(res.data!.user.followers.edges).toHaveLength(11);
    expect(res.data!.user.followers.pageInfo.hasNextPage).toBe(true);
    expect(res.calls.map((c) => c.command)).toEqual(['Query', 'BatchGetItem']);
  });

  it('answers null for a user who does not exist with one Query, and refuses first: 0 before any read', async () => {
    const missing = await s.execute(PROFILE, { variables: { u: freshUsername('ghost'), first: 5 } });
    expectNoErrors(missing);
    expect(missing.data).toEqual({ user: null });
    expect(countCalls(missing.calls)).toEqual({ Query: 1 });
    const none = await s.execute(PROFILE, { variables: { u: star, first: 0 } });
    expect(errorCodes(none)).toEqual(['BAD_USER_INPUT']);
    expect(none.errors![0]!.path).toEqual(['user', 'followers']);
  });

  it('still refuses a bad first on the followers field, and reads the user by key when followers is selected twice', async () => {
    const bad = await s.execute(PROFILE, { variables: { u: star, first: 101 } });
    expect(errorCodes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(bad.errors![0]!.path).toEqual(['user', 'followers']);
    const twice = await s.execute(
      `query($u: String!) { user(username: $u) { a: followers(first: 2) { edges { node { username } } } b: followers(first: 3) { edges { node { username } } } } }`,
      { variables: { u: star } },
    );
    expectNoErrors(twice);
    expect(twice.data!.user.a.edges.map((e: any) => e.node.username)).toEqual(fans.slice(0, 2));
    expect(twice.data!.user.b.edges.map((e: any) => e.node.username)).toEqual(fans.slice(0, 3));
    // The user by key, beside both pages' Queries; then the followers' profiles.
    expect(batchGetKeys([twice.calls.find((c) => c.command === 'BatchGetItem')!])).toEqual([`USER#${star}`]);
    expect(twice.extensions!.dynamodb).toMatchObject({ calls: { BatchGetItem: 2, Query: 2 }, waves: 2 });
  });

  it('reads a later page in 3 calls and 2 waves: the user by key beside the page, then the profiles', async () => {
    const page1 = await s.execute(PROFILE, { variables: { u: star, first: 4 } });
    const page2 = await s.execute(PROFILE, { variables: { u: star, first: 4, after: page1.data!.user.followers.pageInfo.endCursor } });
    expectNoErrors(page2);
    expect(page2.data!.user.name).toBe(`Name ${star}`);
    expect(page2.data!.user.followers.edges.map((e: any) => e.node.name)).toEqual(fans.slice(4, 8).map((f) => `Name ${f}`));
    expect(page2.extensions!.dynamodb).toMatchObject({ calls: { BatchGetItem: 2, Query: 1 }, totalCalls: 3, waves: 2 });
  });

  it("refuses a later page's bad cursor on the followers field, as before, though its read started beside the user's", async () => {
    const res = await s.execute(PROFILE, { variables: { u: star, first: 4, after: 'not-a-cursor' } });
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0]!.path).toEqual(['user', 'followers']);
  });
});

describe('following and unfollowing', () => {
  it('follows in one transaction: the follow item as the lab stores it, both counters up by one', async () => {
    const [a, b] = await seedUsers(2);
    const res = await s.execute(FOLLOW, { variables: { u: b }, as: a });
    expectNoErrors(res);
    expect(res.data!.followUser).toEqual({ username: b, followerCount: 1, followingCount: 0 });
    expect(countCalls(res.calls)).toEqual({ TransactWriteItems: 1, BatchGetItem: 1 });
    expect(await item(`USER#${b}`, `#FRIEND#${a}`)).toEqual({
      PK: `USER#${b}`,
      SK: `#FRIEND#${a}`,
      followedUser: b,
      followingUser: a,
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/),
    });
    expect(await counts(a!)).toEqual({ followers: 0, following: 1 });
    const lists = await s.execute(LISTS, { variables: { u: b } });
    expect(lists.data!.user.followers.edges.map((e: any) => e.node.username)).toEqual([a]);
  });

  it('refuses a second follow with ALREADY_FOLLOWING and leaves the counters alone', async () => {
    const [a, b] = await seedUsers(2);
    expectNoErrors(await s.execute(FOLLOW, { variables: { u: b }, as: a }));
    const again = await s.execute(FOLLOW, { variables: { u: b }, as: a });
    expect(errorCodes(again)).toEqual(['ALREADY_FOLLOWING']);
    expect(await counts(b!)).toEqual({ followers: 1, following: 0 });
    expect(await counts(a!)).toEqual({ followers: 0, following: 1 });
  });

  it('unfollows in one transaction, and refuses to unfollow twice with NOT_FOLLOWING', async () => {
    const [a, b] = await seedUsers(2);
    expectNoErrors(await s.execute(FOLLOW, { variables: { u: b }, as: a }));
    const res = await s.execute(UNFOLLOW, { variables: { u: b }, as: a });
    expectNoErrors(res);
    expect(res.data!.unfollowUser).toEqual({ username: b, followerCount: 0, followingCount: 0 });
    expect(await item(`USER#${b}`, `#FRIEND#${a}`)).toBeUndefined();
    const twice = await s.execute(UNFOLLOW, { variables: { u: b }, as: a });
    expect(errorCodes(twice)).toEqual(['NOT_FOLLOWING']);
    expect(await counts(b!)).toEqual({ followers: 0, following: 0 });
    expect(await counts(a!)).toEqual({ followers: 0, following: 0 });
  });

  it('refuses following yourself with CANNOT_FOLLOW_SELF before any call', async () => {
    const [a] = await seedUsers(1);
    for (const op of [FOLLOW, UNFOLLOW]) {
      const res = await s.execute(op, { variables: { u: a }, as: a });
      expect(errorCodes(res)).toEqual(['CANNOT_FOLLOW_SELF']);
      expect(res.calls).toEqual([]);
    }
    expect(await item(`USER#${a}`, `#FRIEND#${a}`)).toBeUndefined();
    expect(await counts(a!)).toEqual({ followers: 0, following: 0 });
  });

  it('refuses a missing user with NOT_FOUND, whichever side is missing, writing nothing', async () => {
    const [a] = await seedUsers(1);
    const ghost = freshUsername('ghost');
    const missingFollowed = await s.execute(FOLLOW, { variables: { u: ghost }, as: a });
    expect(errorCodes(missingFollowed)).toEqual(['NOT_FOUND']);
    expect(await item(`USER#${ghost}`, `#FRIEND#${a}`)).toBeUndefined();
    expect(await user(ghost)).toBeUndefined();
    const missingFollower = await s.execute(FOLLOW, { variables: { u: a }, as: ghost });
    expect(errorCodes(missingFollower)).toEqual(['NOT_FOUND']);
    expect(await item(`USER#${a}`, `#FRIEND#${ghost}`)).toBeUndefined();
    expect(await counts(a!)).toEqual({ followers: 0, following: 0 });
    const unfollowGhost = await s.execute(UNFOLLOW, { variables: { u: ghost }, as: a });
    expect(errorCodes(unfollowGhost)).toEqual(['NOT_FOUND']);
    expect(await counts(a!)).toEqual({ followers: 0, following: 0 });
  });

  it('refuses anonymous callers and malformed usernames before any call', async () => {
    const anon = await s.execute(FOLLOW, { variables: { u: 'haroldwatkins' } });
    expect(errorCodes(anon)).toEqual(['UNAUTHENTICATED']);
    expect(anon.calls).toEqual([]);
    const bad = await s.execute(FOLLOW, { variables: { u: 'x#METADATA#y' }, as: 'david83' });
    expect(errorCodes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(bad.calls).toEqual([]);
  });

  it('counts from zero on a game-lab user, who has no counters yet', async () => {
    const [fan] = await seedUsers(1);
    expect(await counts('lindsay56')).toEqual({ followers: undefined, following: undefined });
    const res = await s.execute(FOLLOW, { variables: { u: 'lindsay56' }, as: fan });
    expectNoErrors(res);
    expect(res.data!.followUser).toEqual({ username: 'lindsay56', followerCount: 1, followingCount: 0 });
    expect(await counts('lindsay56')).toEqual({ followers: 1, following: undefined });
    expectNoErrors(await s.execute(UNFOLLOW, { variables: { u: 'lindsay56' }, as: fan }));
    expect(await counts('lindsay56')).toEqual({ followers: 0, following: undefined });
  });

  it("keeps a lab user's counter in step with the lab's", async () => {
    const [fan] = await seedUsers(1);
    const before = labUsers.get('natasha87')!.followers as number;
    const res = await s.execute(FOLLOW, { variables: { u: 'natasha87' }, as: fan });
    expectNoErrors(res);
    expect(res.data!.followUser.followerCount).toBe(before + 1);
    const lists = await s.execute(LISTS, { variables: { u: 'natasha87' } });
    expect(lists.data!.user.followers.edges).toHaveLength(before + 1);
  });

  it('counts 50 users following one user concurrently exactly', async () => {
    const [star] = await seedUsers(1, 'star');
    const fans = await seedUsers(50, 'fan');
    const results = await Promise.all(fans.map((fan) => s.execute(FOLLOW, { variables: { u: star }, as: fan })));
    results.forEach((r) => expectNoErrors(r));
    expect(await counts(star!)).toEqual({ followers: 50, following: 0 });
    expect(await Promise.all(fans.map(counts))).toEqual(fans.map(() => ({ followers: 0, following: 1 })));
    const lists = await s.execute(LISTS, { variables: { u: star } });
    expectNoErrors(lists);
    expect(lists.data!.user.followers.edges.map((e: any) => e.node.username)).toEqual([...fans].sort());
    expect(lists.data!.user.followerCount).toBe(50);

    const undone = await Promise.all(fans.slice(0, 10).map((fan) => s.execute(UNFOLLOW, { variables: { u: star }, as: fan })));
    undone.forEach((r) => expectNoErrors(r));
    expect(await counts(star!)).toEqual({ followers: 40, following: 0 });
  });
});
