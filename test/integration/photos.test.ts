import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { loadItems, readJsonl } from '../../src/ops/load.js';
import { newUserItem } from '../../src/data/users/writes.js';
import { countCalls, errorCodes, expectNoErrors, freshUsername, LAB_FILES, startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ seed: ['game', 'photos'] });
});
afterAll(() => s.close());

// The lab's answers, computed from its data rather than from anything the server says.
const lab = readJsonl(LAB_FILES.photos);
const labPhotos = lab.filter((i) => i.PK.startsWith('USER#') && i.SK.startsWith('PHOTO#'));
const labReactions = lab.filter((i) => i.PK.startsWith('REACTION#'));
const labUsers = lab.filter((i) => i.SK.startsWith('#METADATA#')).map((i) => i.username as string);
const TYPE: Record<string, string> = { heart: 'HEART', smiley: 'SMILEY', '+1': 'THUMBS_UP', sunglasses: 'SUNGLASSES' };

async function seedUsers(n: number, prefix = 'p'): Promise<string[]> {
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

async function reactionItems(owner: string, timestamp: string) {
  const out = await s.clients.doc.send(
    new QueryCommand({
      TableName: s.tableName,
      IndexName: 'InvertedIndex',
      KeyConditionExpression: 'SK = :sk AND begins_with(PK, :r)',
      ExpressionAttributeValues: { ':sk': `PHOTO#${owner}#${timestamp}`, ':r': 'REACTION#' },
    }),
  );
  return out.Items ?? [];
}

const UPLOAD = `mutation($location: String!) { uploadPhoto(input: { location: $location }) { id timestamp location owner { username } reactionCounts { heart smiley thumbsUp sunglasses } } }`;
const REACT = `mutation($owner: String!, $ts: String!, $type: ReactionType!) { reactToPhoto(owner: $owner, timestamp: $ts, type: $type) { reactionCounts { heart smiley thumbsUp sunglasses } viewerReactions } }`;
const REMOVE = `mutation($owner: String!, $ts: String!, $type: ReactionType!) { removeReaction(owner: $owner, timestamp: $ts, type: $type) { reactionCounts { heart smiley thumbsUp sunglasses } viewerReactions } }`;
const ZERO = { heart: 0, smiley: 0, thumbsUp: 0, sunglasses: 0 };

async function upload(owner: string, location = `https://img.example.com/${owner}.png`) {
  const res = await s.execute(UPLOAD, { variables: { location }, as: owner });
  expectNoErrors(res);
  return res.data!.uploadPhoto as { timestamp: string; reactionCounts: typeof ZERO };
}

describe('a photo location', () => {
  it('is stored and served in the canonical form that was validated, never as sent', async () => {
    const [owner] = (await seedUsers(1, 'loc')) as [string];
    const res = await s.execute(UPLOAD, { variables: { location: 'HTTPS://Img.Example.com/x/../a"<b>.png' }, as: owner });
    expectNoErrors(res);
    expect(res.data!.uploadPhoto.location).toBe('https://img.example.com/a%22%3Cb%3E.png');
    const stored = await item(`USER#${owner}`, `PHOTO#${owner}#${res.data!.uploadPhoto.timestamp}`);
    expect(stored!.location).toBe('https://img.example.com/a%22%3Cb%3E.png');
  });

  it('is refused with BAD_USER_INPUT, writing nothing, when normalising leaves a backslash', async () => {
    const [owner] = (await seedUsers(1, 'loc')) as [string];
    const res = await s.execute(UPLOAD, { variables: { location: 's3://bucket/a\\b.png' }, as: owner });
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.calls).toEqual([]);
  });
});

describe("reading the lab's photos", () => {
  it("lists every user's photos newest first, with the lab's locations, counts and reactions", async () => {
    // Pages big enough for the lab's largest (18 photos, 6 reactions), small enough for the cost limit.
    const q = `query($u: String!) { user(username: $u) { photos(first: 20) {
      edges { node { id timestamp location reactionCounts { heart smiley thumbsUp sunglasses }
        reactions(first: 10) { edges { node { type reactedAt user { username } photo { id } } } pageInfo { hasNextPage } } } }
      pageInfo { hasNextPage } } } }`;
    let photosSeen = 0;
    const responses = await Promise.all(labUsers.map(async (u) => ({ u, res: await s.execute(q, { variables: { u } }) })));
    for (const { u, res } of responses) {
      expectNoErrors(res);
      const photos = res.data!.user.photos;
      const expected = labPhotos.filter((p) => p.username === u).sort((a, b) => (a.timestamp < b.timestamp ? 1 : -1));
      expect(photos.pageInfo.hasNextPage).toBe(false);
      expect(photos.edges.map((e: any) => e.node.timestamp)).toEqual(expected.map((p) => p.timestamp));
      for (const [i, p] of expected.entries()) {
        const node = photos.edges[i].node;
        const theirs = labReactions.filter((r) => r.SK === p.SK);
        const count = (t: string) => theirs.filter((r) => r.reactionType === t).length;
        expect(node.id).toBe(`${u}/${p.timestamp}`);
        expect(node.location).toBe(p.location);
        // The lab's stored counts agree with its reaction items (checked, not assumed).
        expect(node.reactionCounts).toEqual({
          heart: count('heart'),
          smiley: count('smiley'),
          thumbsUp: count('+1'),
          sunglasses: count('sunglasses'),
        });
        expect(node.reactionCounts).toEqual({
          heart: p.reactions.heart,
          smiley: p.reactions.smiley,
          thumbsUp: p.reactions['+1'],
          sunglasses: p.reactions.sunglasses,
        });
        expect(node.reactions.pageInfo.hasNextPage).toBe(false);
        const got = node.reactions.edges
          .map((e: any) => `${e.node.user.username} ${e.node.type} ${e.node.reactedAt} ${e.node.photo.id}`)
          .sort();
        expect(got).toEqual(theirs.map((r) => `${r.reactingUser} ${TYPE[r.reactionType]} ${r.timestamp} ${u}/${p.timestamp}`).sort());
        photosSeen++;
      }
    }
    expect(photosSeen).toBe(200);
  });

  it("pages a user's photos with exact hasNextPage and no overlap, a later page in one wave", async () => {
    const all = labPhotos
      .filter((p) => p.username === 'john42')
      .map((p) => p.timestamp as string)
      .sort()
      .reverse();
    const q = `query($after: String) { user(username: "john42") { photos(first: 7, after: $after) { edges { node { timestamp } } pageInfo { hasNextPage endCursor } } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; ; pages++) {
      const res = await s.execute(q, { variables: { after } });
      expectNoErrors(res);
      // A later page's Query starts beside the user's read (the first page: one Query with the user's item, or a BatchGetItem after it).
      if (after) expect(res.extensions!.dynamodb).toMatchObject({ calls: { BatchGetItem: 1, Query: 1 }, waves: 1 });
      const conn: any = res.data!.user.photos;
      seen.push(...conn.edges.map((e: any) => e.node.timestamp));
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(seen).toEqual(all);
    expect(all).toHaveLength(18);
  });

  it('reads a photo, its owner and its reactions with their users in four calls', async () => {
    const p = labPhotos.find((x) => x.SK === 'PHOTO#david83#2018-06-27T09:17:56')!;
    const res = await s.execute(
      `{ photo(owner: "david83", timestamp: "2018-06-27T09:17:56") { location owner { name } reactions { edges { node { type user { username } } } } } }`,
    );
    expectNoErrors(res);
    expect(res.data!.photo.location).toBe(p.location);
    expect(res.data!.photo.owner.name).toBe('Hannah Anderson');
    expect(res.data!.photo.reactions.edges).toEqual([{ node: { type: 'SUNGLASSES', user: { username: 'kennedyheather' } } }]);
    // The photo; then its owner and, when the Query answers, the reacting users (one BatchGetItem each).
    expect(countCalls(res.calls)).toEqual({ BatchGetItem: 3, Query: 1 });
  });

  it('returns null for a photo that does not exist, and refuses a malformed timestamp before any call', async () => {
    const none = await s.execute(`{ photo(owner: "david83", timestamp: "2001-01-01T00:00:00") { id } }`);
    expectNoErrors(none);
    expect(none.data!.photo).toBeNull();
    const bad = await s.execute(`{ photo(owner: "david83", timestamp: "2018-06-27T09:17:56#x") { id } }`);
    expect(errorCodes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(bad.calls).toEqual([]);
  });

  it("resolves a user's pinned photo", async () => {
    const res = await s.execute(`{ user(username: "haroldwatkins") { pinnedPhoto { id owner { username } } } }`);
    expectNoErrors(res);
    expect(res.data!.user.pinnedPhoto).toEqual({ id: 'haroldwatkins/2018-06-09T15:00:24', owner: { username: 'haroldwatkins' } });
  });

  it('shows the viewer their own reactions, and an anonymous reader none without a call', async () => {
    const q = `{ photo(owner: "david83", timestamp: "2018-06-27T09:17:56") { viewerReactions } }`;
    const mine = await s.execute(q, { as: 'kennedyheather' });
    expectNoErrors(mine);
    expect(mine.data!.photo.viewerReactions).toEqual(['SUNGLASSES']);
    const anon = await s.execute(q);
    expectNoErrors(anon);
    expect(anon.data!.photo.viewerReactions).toEqual([]);
    expect(countCalls(anon.calls)).toEqual({ BatchGetItem: 1 });
  });

  it("gives each photo of a user's list that user as owner, read once", async () => {
    const res = await s.execute(`{ user(username: "john42") { name photos(first: 5) { edges { node { owner { username name } } } } } }`);
    expectNoErrors(res);
    const owners = res.data!.user.photos.edges.map((e: any) => e.node.owner);
    expect(owners).toEqual(Array(5).fill({ username: 'john42', name: res.data!.user.name }));
    expect(countCalls(res.calls)).toEqual({ BatchGetItem: 1, Query: 1 });
  });

  it("reads a user with its photos in one Query when the page reaches the user's item, else adds a BatchGetItem for the user", async () => {
    const all = labPhotos
      .filter((p) => p.username === 'john42')
      .map((p) => p.timestamp as string)
      .sort()
      .reverse();
    const q = `query($first: Int) { user(username: "john42") { name photos(first: $first) { edges { node { timestamp } } pageInfo { hasNextPage } } } }`;
    const whole = await s.execute(q, { variables: { first: 18 } });
    expectNoErrors(whole);
    expect(whole.data!.user.photos.edges.map((e: any) => e.node.timestamp)).toEqual(all);
    expect(whole.data!.user.photos.pageInfo.hasNextPage).toBe(false);
    expect(whole.calls.map((c) => c.command)).toEqual(['Query']);
    // One more photo than the page still fits the Query's Limit (page + 2), with an exact hasNextPage.
    const oneMore = await s.execute(q, { variables: { first: 17 } });
    expectNoErrors(oneMore);
    expect(oneMore.data!.user.photos.pageInfo.hasNextPage).toBe(true);
    expect(oneMore.calls.map((c) => c.command)).toEqual(['Query']);
    const part = await s.execute(q, { variables: { first: 16 } });
    expectNoErrors(part);
    expect(part.data!.user.name).toBe(whole.data!.user.name);
    expect(part.data!.user.photos.edges.map((e: any) => e.node.timestamp)).toEqual(all.slice(0, 16));
    expect(part.data!.user.photos.pageInfo.hasNextPage).toBe(true);
    expect(part.calls.map((c) => c.command)).toEqual(['Query', 'BatchGetItem']);
  });

  it('reads the viewer with its photos in one Query as well', async () => {
    const res = await s.execute(`{ viewer { username photos(first: 20) { edges { node { owner { username } } } } } }`, { as: 'john42' });
    expectNoErrors(res);
    expect(res.data!.viewer.photos.edges).toHaveLength(18);
    expect(res.data!.viewer.photos.edges.every((e: any) => e.node.owner.username === 'john42')).toBe(true);
    expect(res.calls.map((c) => c.command)).toEqual(['Query']);
  });

  it("batches the viewer's reactions on a page of photos into one BatchGetItem", async () => {
    const res = await s.execute(`{ user(username: "david83") { photos(first: 20) { edges { node { viewerReactions } } } } }`, {
      as: 'kennedyheather',
    });
    expectNoErrors(res);
    const photos = labPhotos.filter((p) => p.username === 'david83');
    // The user and all its photos in one Query; 4 possible keys per photo, at most 100 keys per BatchGetItem.
    expect(photos.length).toBeLessThan(20);
    expect(countCalls(res.calls)).toEqual({ BatchGetItem: Math.ceil((photos.length * 4) / 100), Query: 1 });
    const expected = photos
      .sort((a, b) => (a.timestamp < b.timestamp ? 1 : -1))
      .map((p) =>
        labReactions
          .filter((r) => r.SK === p.SK && r.reactingUser === 'kennedyheather')
          .map((r) => TYPE[r.reactionType])
          .sort(),
      );
    expect(res.data!.user.photos.edges.map((e: any) => [...e.node.viewerReactions].sort())).toEqual(expected);
  });
});

describe('uploading photos', () => {
  it('uploads as the viewer with a millisecond UTC timestamp and all four counts at zero', async () => {
    const [owner] = await seedUsers(1);
    const photo = await upload(owner!);
    expect(photo.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/);
    expect(photo.reactionCounts).toEqual(ZERO);
    const stored = await item(`USER#${owner}`, `PHOTO#${owner}#${photo.timestamp}`);
    expect(stored).toEqual({
      PK: `USER#${owner}`,
      SK: `PHOTO#${owner}#${photo.timestamp}`,
      username: owner,
      timestamp: photo.timestamp,
      location: `https://img.example.com/${owner}.png`,
      reactions: { heart: 0, smiley: 0, '+1': 0, sunglasses: 0 },
    });
    const list = await s.execute(`query($u: String!) { user(username: $u) { photos { edges { node { timestamp } } } } }`, {
      variables: { u: owner },
    });
    expect(list.data!.user.photos.edges).toEqual([{ node: { timestamp: photo.timestamp } }]);
  });

  it('refuses anonymous uploads, non-URL locations and uploaders without a profile, writing nothing', async () => {
    const [owner] = await seedUsers(1);
    const anon = await s.execute(UPLOAD, { variables: { location: 'https://img.example.com/a.png' } });
    expect(errorCodes(anon)).toEqual(['UNAUTHENTICATED']);
    for (const location of ['not a url', 'ftp://example.com/a.png', 'javascript:alert(1)', '']) {
      const bad = await s.execute(UPLOAD, { variables: { location }, as: owner });
      expect(errorCodes(bad)).toEqual(['BAD_USER_INPUT']);
      expect(bad.calls).toEqual([]);
    }
    const ghost = freshUsername('ghost');
    const missing = await s.execute(UPLOAD, { variables: { location: 's3://bucket/key.png' }, as: ghost });
    expect(errorCodes(missing)).toEqual(['NOT_FOUND']);
    const left = await s.clients.doc.send(
      new QueryCommand({
        TableName: s.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': `USER#${ghost}` },
      }),
    );
    expect(left.Items).toEqual([]);
    const mine = await s.clients.doc.send(
      new QueryCommand({
        TableName: s.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': `USER#${owner}` },
      }),
    );
    expect(mine.Items).toHaveLength(1);
  });
});

describe('uploading in the same instant', () => {
  let fixed: TestServer;
  beforeAll(async () => {
    fixed = await startTestServer({ now: () => new Date('2026-11-21T05:45:07.123Z') });
  });
  afterAll(() => fixed.close());

  it('gives concurrent uploads by one user distinct timestamps, one millisecond apart', async () => {
    const owner = freshUsername('same');
    await loadItems(fixed.clients.doc, fixed.tableName, [newUserItem({ username: owner, name: 'Same', email: `${owner}@example.com` })]);
    const results = await Promise.all(
      [1, 2, 3].map((i) =>
        fixed.execute(`mutation { uploadPhoto(input: { location: "https://img.example.com/${i}.png" }) { timestamp } }`, { as: owner }),
      ),
    );
    results.forEach((r) => expectNoErrors(r));
    expect(results.map((r) => r.data!.uploadPhoto.timestamp).sort()).toEqual([
      '2026-11-21T05:45:07.123',
      '2026-11-21T05:45:07.124',
      '2026-11-21T05:45:07.125',
    ]);
    const stored = await fixed.clients.doc.send(
      new QueryCommand({
        TableName: fixed.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)',
        ExpressionAttributeValues: { ':pk': `USER#${owner}`, ':p': `PHOTO#${owner}#` },
      }),
    );
    expect(stored.Items!.map((i) => i.location).sort()).toEqual([1, 2, 3].map((i) => `https://img.example.com/${i}.png`));
  });
});

describe('reacting to photos', () => {
  it('reacts once per type, counts exactly and stores the reaction as the lab does', async () => {
    const [owner, fan] = await seedUsers(2);
    const { timestamp } = await upload(owner!);
    const vars = { owner, ts: timestamp };
    const first = await s.execute(REACT, { variables: { ...vars, type: 'THUMBS_UP' }, as: fan });
    expectNoErrors(first);
    expect(first.data!.reactToPhoto).toEqual({ reactionCounts: { ...ZERO, thumbsUp: 1 }, viewerReactions: ['THUMBS_UP'] });
    expect(countCalls(first.calls)).toMatchObject({ TransactWriteItems: 1 });
    const second = await s.execute(REACT, { variables: { ...vars, type: 'HEART' }, as: fan });
    expectNoErrors(second);
    expect(second.data!.reactToPhoto.reactionCounts).toEqual({ ...ZERO, thumbsUp: 1, heart: 1 });
    expect([...second.data!.reactToPhoto.viewerReactions].sort()).toEqual(['HEART', 'THUMBS_UP']);

    const again = await s.execute(REACT, { variables: { ...vars, type: 'THUMBS_UP' }, as: fan });
    expect(errorCodes(again)).toEqual(['ALREADY_REACTED']);
    expect((await item(`USER#${owner}`, `PHOTO#${owner}#${timestamp}`))!.reactions).toEqual({
      heart: 1,
      smiley: 0,
      '+1': 1,
      sunglasses: 0,
    });

    const stored = await item(`REACTION#${fan}#+1`, `PHOTO#${owner}#${timestamp}`);
    expect(stored).toEqual({
      PK: `REACTION#${fan}#+1`,
      SK: `PHOTO#${owner}#${timestamp}`,
      reactingUser: fan,
      reactionType: '+1',
      photo: `PHOTO#${owner}#${timestamp}`,
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$/),
    });
  });

  it('refuses a missing photo with NOT_FOUND and writes no reaction', async () => {
    const [fan] = await seedUsers(1);
    const res = await s.execute(REACT, { variables: { owner: 'david83', ts: '2001-01-01T00:00:00', type: 'HEART' }, as: fan });
    expect(errorCodes(res)).toEqual(['NOT_FOUND']);
    expect(await item(`REACTION#${fan}#heart`, 'PHOTO#david83#2001-01-01T00:00:00')).toBeUndefined();
    expect(await item('USER#david83', 'PHOTO#david83#2001-01-01T00:00:00')).toBeUndefined();
  });

  it('refuses a reacting user without a profile with NOT_FOUND, leaving the count alone', async () => {
    const [owner] = await seedUsers(1);
    const { timestamp } = await upload(owner!);
    const ghost = freshUsername('ghost');
    const res = await s.execute(REACT, { variables: { owner, ts: timestamp, type: 'SMILEY' }, as: ghost });
    expect(errorCodes(res)).toEqual(['NOT_FOUND']);
    expect((await item(`USER#${owner}`, `PHOTO#${owner}#${timestamp}`))!.reactions.smiley).toBe(0);
    expect(await reactionItems(owner!, timestamp)).toEqual([]);
  });

  it('refuses anonymous readers, unknown types, bad owners and bad timestamps before any call', async () => {
    const anon = await s.execute(REACT, { variables: { owner: 'david83', ts: '2018-06-27T09:17:56', type: 'HEART' } });
    expect(errorCodes(anon)).toEqual(['UNAUTHENTICATED']);
    expect(anon.calls).toEqual([]);
    for (const variables of [
      { owner: 'david83', ts: '2018-06-27T09:17:56', type: 'WINK' },
      { owner: 'david83', ts: '2018-06-27T09:17:56', type: '+1' },
      { owner: 'David#83', ts: '2018-06-27T09:17:56', type: 'HEART' },
      { owner: 'david83', ts: 'yesterday', type: 'HEART' },
    ]) {
      const res = await s.execute(REACT, { variables, as: 'kennedyheather' });
      expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.calls).toEqual([]);
    }
    expect((await item('USER#david83', 'PHOTO#david83#2018-06-27T09:17:56'))!.reactions).toEqual({
      '+1': 0,
      smiley: 0,
      sunglasses: 1,
      heart: 0,
    });
  });

  it('removes a reaction and its count together, and refuses one never left with NOT_REACTED', async () => {
    const [owner, fan] = await seedUsers(2);
    const { timestamp } = await upload(owner!);
    const vars = { owner, ts: timestamp };
    const never = await s.execute(REMOVE, { variables: { ...vars, type: 'SMILEY' }, as: fan });
    expect(errorCodes(never)).toEqual(['NOT_REACTED']);
    expect((await item(`USER#${owner}`, `PHOTO#${owner}#${timestamp}`))!.reactions).toEqual({
      heart: 0,
      smiley: 0,
      '+1': 0,
      sunglasses: 0,
    });

    expectNoErrors(await s.execute(REACT, { variables: { ...vars, type: 'SMILEY' }, as: fan }));
    const removed = await s.execute(REMOVE, { variables: { ...vars, type: 'SMILEY' }, as: fan });
    expectNoErrors(removed);
    expect(removed.data!.removeReaction).toEqual({ reactionCounts: ZERO, viewerReactions: [] });
    expect(await reactionItems(owner!, timestamp)).toEqual([]);
    const twice = await s.execute(REMOVE, { variables: { ...vars, type: 'SMILEY' }, as: fan });
    expect(errorCodes(twice)).toEqual(['NOT_REACTED']);
    expect((await item(`USER#${owner}`, `PHOTO#${owner}#${timestamp}`))!.reactions.smiley).toBe(0);
  });

  it('refuses removing from a missing photo with NOT_FOUND', async () => {
    const res = await s.execute(REMOVE, {
      variables: { owner: 'david83', ts: '2001-01-01T00:00:00', type: 'HEART' },
      as: 'kennedyheather',
    });
    expect(errorCodes(res)).toEqual(['NOT_FOUND']);
    expect(await item('USER#david83', 'PHOTO#david83#2001-01-01T00:00:00')).toBeUndefined();
  });

  it("removes a lab reaction and keeps the lab photo's count in step", async () => {
    const vars = { owner: 'david83', ts: '2018-06-27T09:17:56', type: 'SUNGLASSES' };
    const res = await s.execute(REMOVE, { variables: vars, as: 'kennedyheather' });
    expectNoErrors(res);
    expect(res.data!.removeReaction.reactionCounts).toEqual(ZERO);
    const back = await s.execute(REACT, { variables: vars, as: 'kennedyheather' });
    expectNoErrors(back);
    expect(back.data!.reactToPhoto).toEqual({ reactionCounts: { ...ZERO, sunglasses: 1 }, viewerReactions: ['SUNGLASSES'] });
  });

  it('counts 50 concurrent reactions by different users exactly', async () => {
    const [owner] = await seedUsers(1);
    const fans = await seedUsers(50, 'fan');
    const { timestamp } = await upload(owner!);
    const results = await Promise.all(fans.map((fan) => s.execute(REACT, { variables: { owner, ts: timestamp, type: 'HEART' }, as: fan })));
    results.forEach((r) => expectNoErrors(r));
    expect((await item(`USER#${owner}`, `PHOTO#${owner}#${timestamp}`))!.reactions).toEqual({
      heart: 50,
      smiley: 0,
      '+1': 0,
      sunglasses: 0,
    });
    expect(await reactionItems(owner!, timestamp)).toHaveLength(50);
    const read = await s.execute(
      `query($o: String!, $t: String!) { photo(owner: $o, timestamp: $t) { reactionCounts { heart } reactions(first: 100) { edges { node { user { username } } } } } }`,
      {
        variables: { o: owner, t: timestamp },
      },
    );
    expectNoErrors(read);
    expect(read.data!.photo.reactionCounts.heart).toBe(50);
    expect(read.data!.photo.reactions.edges.map((e: any) => e.node.user.username).sort()).toEqual([...fans].sort());
  });
});
