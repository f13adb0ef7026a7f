// Who may do what. A token that is forged, expired, signed with the wrong key or algorithm, or
// meant for another issuer or audience is UNAUTHENTICATED before any DynamoDB call; a signed-in
// user cannot act for another (the API takes no "as whom" argument, and where a name is given it
// must be the viewer's, or the viewer must hold the role); private fields of others read as null.
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { SignJWT, UnsecuredJWT, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newGameItem, newPlayerItem } from '../../src/data/games/lobby-writes.js';
import { loadItems } from '../../src/ops/load.js';
import { newPhotoItem, newReactionItem } from '../../src/data/photos/writes.js';
import { errorCodes, expectNoErrors, freshUsername, startTestServer, type GraphQLResponse, type TestServer } from '../helpers/server.js';
import { closeAndDrop, snapshot } from './support.js';

let s: TestServer;
let ana: string;
let bob: string;
let players: string[];
let gameId: string;
const PHOTO_TS = '2024-03-01T10:00:00.000';

beforeAll(async () => {
  s = await startTestServer({ reportCost: false });
  players = Array.from({ length: 50 }, () => freshUsername('id'));
  [ana, bob] = players as [string, string];
  gameId = crypto.randomUUID();
  const { open_timestamp: _started, ...game } = newGameItem(gameId, 'Identity Isle', ana, '2024-03-01T09:00:00');
  await loadItems(s.clients.doc, s.tableName, [
    ...players.flatMap((u) => [
      {
        PK: `USER#${u}`,
        SK: `#METADATA#${u}`,
        username: u,
        name: `Name ${u}`,
        email: `${u}@example.com`,
        birthdate: '1990-01-02',
        address: `1 ${u} Street`,
        interests: [],
        followers: 0,
        following: 0,
      },
      { PK: `EMAIL#${u}@example.com`, SK: '#EMAIL', username: u },
    ]),
    { ...game, people: 50, start_time: '2024-03-01T09:30:00' },
    ...players.map((u) => newPlayerItem(gameId, u, '2024-03-01T09:00:00')),
    newPhotoItem(bob, PHOTO_TS, 'https://photos.example.com/bob.jpg'),
  ]);
  await s.clients.doc.send(
    new PutCommand({ TableName: s.tableName, Item: newReactionItem(bob, 'HEART', bob, PHOTO_TS, '2024-03-01T10:01:00.000') }),
  );
});
afterAll(() => closeAndDrop(s));

const VIEWER = `{ viewer { username } }`;
const CREATE = `mutation($input: CreateUserInput!) { createUser(input: $input) { username } }`;

async function withToken(query: string, token: string, variables?: Record<string, unknown>): Promise<GraphQLResponse> {
  return s.execute(query, { variables, headers: { authorization: `Bearer ${token}` } });
}

const secret = () => new TextEncoder().encode((s.auth as { secret: string }).secret);
const claims = (sub = ana) => new SignJWT({}).setSubject(sub).setIssuer(s.auth.issuer).setAudience(s.auth.audience).setIssuedAt();

describe('tokens the server must refuse', () => {
  const cases: [string, () => Promise<string>][] = [
    [
      'signed with another secret',
      () =>
        claims()
          .setProtectedHeader({ alg: 'HS256' })
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode('another-secret-of-at-least-32-characters!')),
    ],
    [
      'valid, with its payload swapped for another user',
      async () => {
        const [h, , sig] = (await claims().setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(secret())).split('.');
        const forged = Buffer.from(
          JSON.stringify({ sub: bob, iss: s.auth.issuer, aud: s.auth.audience, exp: Math.floor(Date.now() / 1000) + 3600 }),
        ).toString('base64url');
        return `${h}.${forged}.${sig}`;
      },
    ],
    [
      'expired an hour ago',
      () =>
        claims()
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
          .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
          .sign(secret()),
    ],
    [
      'not valid for another hour (nbf)',
      () => claims().setProtectedHeader({ alg: 'HS256' }).setNotBefore('1h').setExpirationTime('2h').sign(secret()),
    ],
    [
      'signed with an RSA key the server never trusted (RS256)',
      async () => {
        const { privateKey } = await generateKeyPair('RS256');
        return claims().setProtectedHeader({ alg: 'RS256' }).setExpirationTime('1h').sign(privateKey);
      },
    ],
    [
      'signed with the right secret but HS512, an algorithm the server does not accept',
      () => claims().setProtectedHeader({ alg: 'HS512' }).setExpirationTime('1h').sign(secret()),
    ],
    [
      'unsigned (alg: none)',
      async () =>
        new UnsecuredJWT({}).setSubject(ana).setIssuer(s.auth.issuer).setAudience(s.auth.audience).setExpirationTime('1h').encode(),
    ],
    [
      'for another audience',
      () => claims().setAudience('some-other-api').setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(secret()),
    ],
    [
      'from another issuer',
      () => claims().setIssuer('https://evil.example.com').setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(secret()),
    ],
    [
      'without a subject',
      () =>
        new SignJWT({})
          .setIssuedAt()
          .setIssuer(s.auth.issuer)
          .setAudience(s.auth.audience)
          .setProtectedHeader({ alg: 'HS256' })
          .setExpirationTime('1h')
          .sign(secret()),
    ],
    [
      'whose subject would reach another key ("x#METADATA#y")',
      () => claims('x#METADATA#y').setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(secret()),
    ],
    ['that is not a JWT at all', async () => 'not-a-token'],
    ['without an expiry (exp), which would be accepted forever', () => claims().setProtectedHeader({ alg: 'HS256' }).sign(secret())],
    [
      'without an issue time (iat), so its age cannot be capped',
      () =>
        new SignJWT({})
          .setSubject(ana)
          .setIssuer(s.auth.issuer)
          .setAudience(s.auth.audience)
          .setProtectedHeader({ alg: 'HS256' })
          .setExpirationTime('1h')
          .sign(secret()),
    ],
    [
      'issued longer ago than the maximum lifetime, though its exp is ten years away',
      () =>
        claims()
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuedAt(Math.floor(Date.now() / 1000) - s.auth.maxTokenLifetimeSeconds - 60)
          .setExpirationTime('3650d')
          .sign(secret()),
    ],
    [
      'issued in the future, which would stretch the lifetime cap',
      () =>
        claims()
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuedAt(Math.floor(Date.now() / 1000) + 3600)
          .setExpirationTime('2h')
          .sign(secret()),
    ],
  ];

  it.each(cases)('a token %s is UNAUTHENTICATED, for reads and writes alike, with no DynamoDB call', async (_name, make) => {
    const token = await make();
    const before = await snapshot(s.clients.doc, s.tableName);
    for (const res of [
      await withToken(VIEWER, token),
      await withToken(CREATE, token, { input: { username: ana, name: 'X', email: 'x@example.com' } }),
    ]) {
      expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
      expect(res.data ?? null).toBeNull();
      expect(res.calls).toEqual([]);
    }
    expect(await snapshot(s.clients.doc, s.tableName)).toEqual(before);
  });

  it('answers refused credentials with HTTP 401, as a client error, not 500 as a server failure', async () => {
    const expired = await claims()
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(secret());
    const res = await withToken(VIEWER, expired);
    expect({ status: res.status, codes: errorCodes(res) }).toEqual({ status: 401, codes: ['UNAUTHENTICATED'] });
    expect(res.errors![0]!.message).toMatch(/The token has expired\. Get a new one\.$/);
  });

  it('accepts a well-formed token, so the refusals above are about the token', async () => {
    const res = await withToken(VIEWER, await claims().setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(secret()));
    expectNoErrors(res);
    expect(res.data).toEqual({ viewer: { username: ana } });
  });

  it('says why a token without exp is refused', async () => {
    const res = await withToken(VIEWER, await claims().setProtectedHeader({ alg: 'HS256' }).sign(secret()));
    expect({ status: res.status, codes: errorCodes(res) }).toEqual({ status: 401, codes: ['UNAUTHENTICATED'] });
    expect(res.errors![0]!.message).toMatch(/no "exp" claim/);
  });

  it('accepts a token within the maximum lifetime whose exp is further away', async () => {
    const token = await claims()
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(Math.floor(Date.now() / 1000) - s.auth.maxTokenLifetimeSeconds + 600)
      .setExpirationTime('3650d')
      .sign(secret());
    const res = await withToken(VIEWER, token);
    expectNoErrors(res);
    expect(res.data).toEqual({ viewer: { username: ana } });
  });

  it('reads the scheme case-insensitively, around any spaces or tabs', async () => {
    const token = await s.token(ana);
    for (const authorization of [`bearer ${token}`, `BEARER ${token}`, `  Bearer \t  ${token}  `, `bEaReR\t${token}`]) {
      const res = await s.execute(VIEWER, { headers: { authorization } });
      expectNoErrors(res);
      expect(res.data).toEqual({ viewer: { username: ana } });
    }
  });

  it('refuses an Authorization header that is not "Bearer <JWT>"', async () => {
    const token = await s.token(ana);
    for (const authorization of [
      'Basic YW5hOnNlY3JldA==',
      'Bearer',
      `bearer  ${token} extra`,
      `Bearer${token}`,
      `Bearer ${token} ${token}`,
    ]) {
      const res = await s.execute(VIEWER, { headers: { authorization } });
      expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
    }
  });
});

describe('acting for another user', () => {
  it('cannot name the user updateUser changes: it always changes the viewer', async () => {
    const named = await s.execute(`mutation { updateUser(input: { username: "${bob}", name: "Hijacked" }) { name } }`, { as: ana });
    expect(errorCodes(named)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(named.calls).toEqual([]);
    const res = await s.execute(`mutation { updateUser(input: { name: "Ana Renamed" }) { username name } }`, { as: ana });
    expectNoErrors(res);
    expect(res.data!.updateUser).toEqual({ username: ana, name: 'Ana Renamed' });
    const other = await s.execute(`query($u: String!) { user(username: $u) { name } }`, { variables: { u: bob } });
    expect(other.data!.user).toEqual({ name: `Name ${bob}` });
  });

  it('refuses createUser for another username with FORBIDDEN before any call', async () => {
    const other = freshUsername('id');
    const res = await s.execute(CREATE, {
      variables: { input: { username: other, name: 'Someone', email: `${other}@example.com` } },
      as: ana,
    });
    expect(errorCodes(res)).toEqual(['FORBIDDEN']);
    expect(res.calls).toEqual([]);
  });

  it("refuses to start someone else's game with FORBIDDEN and leaves it unstarted", async () => {
    const id = crypto.randomUUID();
    await loadItems(s.clients.doc, s.tableName, [
      { ...newGameItem(id, 'Identity Isle', ana, '2024-03-02T09:00:00'), people: 50 },
      ...players.map((u) => newPlayerItem(id, u, '2024-03-02T09:00:00')),
    ]);
    const before = await snapshot(s.clients.doc, s.tableName);
    const res = await s.execute(`mutation($id: ID!) { startGame(gameId: $id) { id } }`, { variables: { id }, as: bob });
    expect(errorCodes(res)).toEqual(['FORBIDDEN']);
    expect(await snapshot(s.clients.doc, s.tableName)).toEqual(before);
  });

  const RECORD = `mutation($id: ID!, $u: String!) { recordPlayerResult(gameId: $id, username: $u, input: { place: GOLD, kills: 3, damage: 120, survivedSeconds: 600 }) { place kills } }`;

  it('refuses to record results without being the creator or holding the game-server role', async () => {
    const before = await snapshot(s.clients.doc, s.tableName);
    const self = await s.execute(RECORD, { variables: { id: gameId, u: bob }, as: bob });
    expect(errorCodes(self)).toEqual(['FORBIDDEN']);
    const other = await s.execute(RECORD, { variables: { id: gameId, u: players[2] }, as: bob });
    expect(errorCodes(other)).toEqual(['FORBIDDEN']);
    const end = await s.execute(`mutation($id: ID!) { endGame(gameId: $id) { id } }`, { variables: { id: gameId }, as: bob });
    expect(errorCodes(end)).toEqual(['FORBIDDEN']);
    expect(await snapshot(s.clients.doc, s.tableName)).toEqual(before);
  });

  it('records results with the game-server role, for any player', async () => {
    const res = await s.execute(RECORD, { variables: { id: gameId, u: players[3] }, as: 'game_server', role: 'game-server' });
    expectNoErrors(res);
    expect(res.data!.recordPlayerResult).toEqual({ place: 'GOLD', kills: 3 });
  });

  it('ignores a role the server does not know', async () => {
    const token = await new SignJWT({ role: 'admin' })
      .setSubject(bob)
      .setIssuedAt()
      .setIssuer(s.auth.issuer)
      .setAudience(s.auth.audience)
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(secret());
    const res = await withToken(RECORD, token, { id: gameId, u: players[4] });
    expect(errorCodes(res)).toEqual(['FORBIDDEN']);
  });

  it("takes back only the viewer's own reaction: another user's stays", async () => {
    const res = await s.execute(
      `mutation($o: String!, $t: String!) { removeReaction(owner: $o, timestamp: $t, type: HEART) { reactionCounts { heart } } }`,
      {
        variables: { o: bob, t: PHOTO_TS },
        as: ana,
      },
    );
    expect(errorCodes(res)).toEqual(['NOT_REACTED']);
    const photo = await s.execute(
      `query($o: String!, $t: String!) { photo(owner: $o, timestamp: $t) { reactions { edges { node { user { username } } } } } }`,
      { variables: { o: bob, t: PHOTO_TS } },
    );
    expect(photo.data!.photo.reactions.edges).toEqual([{ node: { user: { username: bob } } }]);
  });
});

describe('reading what belongs to another user', () => {
  const PRIVATE = 'username email birthdate address';

  it('shows email, birthdate and address to the user alone, by every path that reaches a user', async () => {
    const paths = `query($u: String!, $id: ID!, $o: String!, $t: String!) {
      user(username: $u) { ${PRIVATE} }
      users(usernames: [$u]) { ${PRIVATE} }
      game(id: $id) { creator { ${PRIVATE} } }
      photo(owner: $o, timestamp: $t) { owner { ${PRIVATE} } reactions { edges { node { user { ${PRIVATE} } } } } }
    }`;
    const variables = { u: bob, id: gameId, o: bob, t: PHOTO_TS };
    const hidden = { email: null, birthdate: null, address: null };
    const asOther = await s.execute(paths, { variables, as: players[5] });
    expectNoErrors(asOther);
    const anonymous = await s.execute(paths, { variables });
    expectNoErrors(anonymous);
    for (const res of [asOther, anonymous]) {
      const d = res.data!;
      expect([d.user, d.users[0], d.photo.owner, d.photo.reactions.edges[0].node.user]).toEqual(
        Array(4).fill({ username: bob, ...hidden }),
      );
      expect(d.game.creator).toEqual({ username: ana, ...hidden });
    }
    const own = await s.execute(`{ viewer { ${PRIVATE} } }`, { as: bob });
    expect(own.data!.viewer).toEqual({ username: bob, email: `${bob}@example.com`, birthdate: '1990-01-02', address: `1 ${bob} Street` });
  });

  const BY_EMAIL = `query($e: String!) { userByEmail(email: $e) { username email } }`;

  it('does not turn an email address into an account: userByEmail refuses anonymous callers before any call', async () => {
    const res = await s.execute(BY_EMAIL, { variables: { e: `${bob}@example.com` } });
    expect({ status: res.status, codes: errorCodes(res), data: res.data }).toEqual({
      status: 401,
      codes: ['UNAUTHENTICATED'],
      data: { userByEmail: null },
    });
    expect(res.calls).toEqual([]);
  });

  it("answers a signed-in user FORBIDDEN for another's address and for an unused one alike, with no index query", async () => {
    for (const e of [`${bob}@example.com`, 'nobody-at-all@example.com']) {
      const res = await s.execute(BY_EMAIL, { variables: { e }, as: players[6] });
      expect({ codes: errorCodes(res), data: res.data }).toEqual({ codes: ['FORBIDDEN'], data: { userByEmail: null } });
      expect(res.calls.map((c) => c.command)).not.toContain('Query');
    }
  });

  it('finds the viewer by their own address in any letter case, and anyone for the game-server role', async () => {
    const own = await s.execute(BY_EMAIL, { variables: { e: `${bob.toUpperCase()}@EXAMPLE.COM` }, as: bob });
    expectNoErrors(own);
    expect(own.data!.userByEmail).toEqual({ username: bob, email: `${bob}@example.com` });
    const trusted = await s.execute(BY_EMAIL, { variables: { e: `${bob}@example.com` }, as: 'game_server', role: 'game-server' });
    expectNoErrors(trusted);
    expect(trusted.data!.userByEmail).toEqual({ username: bob, email: null });
  });
});
