import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { countCalls, errorCodes, expectNoErrors, freshUsername, startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ seed: ['game', 'photos'] });
});
afterAll(() => s.close());

const CREATE = `mutation($input: CreateUserInput!) { createUser(input: $input) { username name email followerCount } }`;

describe('users', () => {
  it('reads a lab user with one BatchGetItem and hides private fields from others', async () => {
    const res = await s.execute(`{ user(username: "haroldwatkins") { username name email followerCount followingCount interests } }`);
    expectNoErrors(res);
    expect(res.data!.user).toEqual({
      username: 'haroldwatkins',
      name: 'Michele Miles',
      email: null,
      followerCount: 12,
      followingCount: 10,
      interests: ['billion', 'third', 'green'],
    });
    expect(countCalls(res.calls)).toEqual({ BatchGetItem: 1 });
    expect(res.extensions!.dynamodb).toMatchObject({ calls: { BatchGetItem: 1 }, totalCalls: 1, waves: 1 });
  });

  it('reads only the attributes the query selects, the union of every selection in one BatchGetItem, and whole items for a mutation', async () => {
    const projected = (res: { calls: { command: string; body: any }[] }) =>
      res.calls
        .filter((c) => c.command === 'BatchGetItem')
        .map((c) => {
          const r = Object.values(c.body.RequestItems as Record<string, any>)[0];
          return r.ProjectionExpression ? r.ProjectionExpression.split(', ').map((p: string) => r.ExpressionAttributeNames[p]) : 'whole';
        });
    const two = await s.execute(
      `{ a: user(username: "haroldwatkins") { name } b: user(username: "john42") { ... on User { birthdate interests } } }`,
      { as: 'john42' },
    );
    expectNoErrors(two);
    expect(two.data!.a).toEqual({ name: 'Michele Miles' });
    expect(two.data!.b.interests.length).toBeGreaterThan(0);
    expect(typeof two.data!.b.birthdate).toBe('string');
    const [attrs, ...more] = projected(two);
    expect(more).toEqual([]);
    expect(attrs).toEqual(expect.arrayContaining(['PK', 'SK', 'username', 'name', 'birthdate', 'interests']));
    expect(attrs).not.toContain('email');
    expect(attrs).not.toContain('address');

    const username = freshUsername();
    await s.execute(CREATE, { variables: { input: { username, name: 'A', email: `${username}@example.com` } }, as: username });
    const update = await s.execute(`mutation { updateUser(input: { status: "hi" }) { name status email } }`, { as: username });
    expectNoErrors(update);
    expect(update.data!.updateUser).toEqual({ name: 'A', status: 'hi', email: `${username}@example.com` });
    expect(projected(update)).toEqual(['whole']);
  });

  it('shows private fields to the user themselves', async () => {
    const res = await s.execute(`{ viewer { username email birthdate } }`, { as: 'haroldwatkins' });
    expectNoErrors(res);
    expect(res.data!.viewer).toEqual({ username: 'haroldwatkins', email: 'andersontina@gmail.com', birthdate: '1916-09-06' });
  });

  it('finds a user by email through the email index, for the game-server role', async () => {
    const res = await s.execute(`{ userByEmail(email: "sanchezlaura@yahoo.com") { username } }`, {
      as: 'game_server',
      role: 'game-server',
    });
    expectNoErrors(res);
    expect(res.data!.userByEmail).toEqual({ username: 'lindsay56' });
    expect(countCalls(res.calls)).toEqual({ Query: 1 });
  });

  it('creates a user only as the token subject, and refuses a taken username or email', async () => {
    const username = freshUsername();
    const input = { username, name: 'New Person', email: `${username}@example.com` };
    expect(errorCodes(await s.execute(CREATE, { variables: { input } }))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await s.execute(CREATE, { variables: { input }, as: 'someone_else' }))).toEqual(['FORBIDDEN']);
    const ok = await s.execute(CREATE, { variables: { input }, as: username });
    expectNoErrors(ok);
    expect(ok.data!.createUser).toEqual({ username, name: 'New Person', email: input.email, followerCount: 0 });
    expect(errorCodes(await s.execute(CREATE, { variables: { input: { ...input, email: `x${input.email}` } }, as: username }))).toEqual([
      'ALREADY_EXISTS',
    ]);
    const other = freshUsername();
    const taken = await s.execute(CREATE, {
      variables: { input: { username: other, name: 'X', email: 'sanchezlaura@yahoo.com' } },
      as: other,
    });
    expect(errorCodes(taken)).toEqual(['ALREADY_EXISTS']);
    const stored = await s.clients.doc.send(
      new GetCommand({ TableName: s.tableName, Key: { PK: `USER#${other}`, SK: `#METADATA#${other}` } }),
    );
    expect(stored.Item).toBeUndefined();
  });

  it("updates only the viewer's own profile and moves the email guard", async () => {
    const username = freshUsername();
    expectNoErrors(
      await s.execute(CREATE, { variables: { input: { username, name: 'A', email: `${username}@example.com` } }, as: username }),
    );
    const res = await s.execute(
      `mutation { updateUser(input: { name: "B", status: "hi", email: "${username}@new.example.com" }) { name status email } }`,
      { as: username },
    );
    expectNoErrors(res);
    expect(res.data!.updateUser).toEqual({ name: 'B', status: 'hi', email: `${username}@new.example.com` });
    const other = freshUsername();
    const reuse = await s.execute(CREATE, {
      variables: { input: { username: other, name: 'C', email: `${username}@example.com` } },
      as: other,
    });
    expectNoErrors(reuse);
  });

  describe("emails are unique whatever their letter case, against the labs' users too", () => {
    // The game lab's users have no email guard item: lindsay56 holds sanchezlaura@yahoo.com,
    // mariarichardson michael72@yahoo.com, maryharris charleswayne@gmail.com.
    it("refuses createUser with a case twin of a lab user's email", async () => {
      const other = freshUsername();
      const res = await s.execute(CREATE, {
        variables: { input: { username: other, name: 'X', email: 'SanchezLaura@YAHOO.com' } },
        as: other,
      });
      expect(res.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([['ALREADY_EXISTS', 'email']]);
      const stored = await s.clients.doc.send(
        new GetCommand({ TableName: s.tableName, Key: { PK: `USER#${other}`, SK: `#METADATA#${other}` } }),
      );
      expect(stored.Item).toBeUndefined();
    });

    it("refuses updateUser to a case twin of a lab user's or a new user's email, and keeps the old one", async () => {
      const [a, b] = [freshUsername(), freshUsername()];
      for (const u of [a, b]) {
        expectNoErrors(await s.execute(CREATE, { variables: { input: { username: u, name: 'A', email: `${u}@example.com` } }, as: u }));
      }
      for (const email of ['Michael72@Yahoo.com', `${b.toUpperCase()}@Example.COM`]) {
        const res = await s.execute(`mutation($e: String!) { updateUser(input: { email: $e }) { email } }`, {
          variables: { e: email },
          as: a,
        });
        expect(res.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([['ALREADY_EXISTS', 'email']]);
      }
      const own = await s.execute(`{ viewer { email } }`, { as: a });
      expect(own.data!.viewer).toEqual({ email: `${a}@example.com` });
    });

    it("lets a lab user change their email even when another user's guard holds their old address", async () => {
      // As a case twin created before emails were compared without case left it.
      const twin = freshUsername();
      await s.clients.doc.send(
        new PutCommand({ TableName: s.tableName, Item: { PK: 'EMAIL#charleswayne@gmail.com', SK: '#EMAIL', username: twin } }),
      );
      const lab = 'maryharris';
      const fresh = `${freshUsername()}@example.com`;
      for (const email of [fresh, `x${fresh}`]) {
        const res = await s.execute(`mutation($e: String!) { updateUser(input: { email: $e }) { email } }`, {
          variables: { e: email },
          as: lab,
        });
        expectNoErrors(res);
        expect(res.data!.updateUser).toEqual({ email });
      }
      // The other user's guard is left to them; the lab user's new address is guarded.
      const guard = (email: string) =>
        s.clients.doc.send(new GetCommand({ TableName: s.tableName, Key: { PK: `EMAIL#${email}`, SK: '#EMAIL' } }));
      expect((await guard('charleswayne@gmail.com')).Item?.username).toBe(twin);
      expect((await guard(`x${fresh}`)).Item?.username).toBe(lab);
      expect((await guard(fresh)).Item).toBeUndefined();
    });
  });

  it('rejects a username that could reach another key', async () => {
    const res = await s.execute(`{ user(username: "x#METADATA#y") { username } }`);
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.calls).toEqual([]);
  });

  it('batch-gets 100 users in one call and refuses 101', async () => {
    const names = Array.from({ length: 100 }, (_, i) => `missing_${i}`);
    const res = await s.execute(`query($n: [String!]!) { users(usernames: $n) { username } }`, {
      variables: { n: ['lindsay56', ...names.slice(1)] },
    });
    expectNoErrors(res);
    expect(countCalls(res.calls)).toEqual({ BatchGetItem: 1 });
    const tooMany = await s.execute(`query($n: [String!]!) { users(usernames: $n) { username } }`, {
      variables: { n: [...names, 'one_more'] },
    });
    expect(errorCodes(tooMany)).toEqual(['BAD_USER_INPUT']);
    expect(tooMany.calls).toEqual([]);
  });
});
