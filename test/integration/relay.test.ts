// Relay's compiler (the real binary of the npm package relay-compiler) accepts the schema: it
// compiles the example client of examples/relay (@refetchable on a user, a game and a photo,
// @connection on every list it pages, fragments with @argumentDefinitions) into a temporary folder,
// and the refetch and pagination queries it generates, read from the artifacts' params.text, run
// against the server and page through the labs' data to the end.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileRelayExample } from '../../examples/relay/compile.js';
import { readJsonl } from '../../src/ops/load.js';
import { photoId, userId } from '../../src/graphql/ids.js';
import { expectNoErrors, LAB_FILES, startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
let artifacts: string;
beforeAll(async () => {
  artifacts = compileRelayExample().artifacts;
  s = await startTestServer({ seed: ['game', 'photos'] });
});
afterAll(async () => {
  await s?.close();
  if (artifacts) rmSync(dirname(artifacts), { recursive: true, force: true });
});

const gameLab = readJsonl(LAB_FILES.game);
const photoLab = readJsonl(LAB_FILES.photos);

interface Artifact {
  params: { name: string; operationKind: string; text: string };
}

/** The operation text Relay generated for `name`, as a Relay app would send it. */
async function operation(name: string): Promise<string> {
  const artifact = ((await import(join(artifacts, `${name}.graphql.ts`))) as { default: Artifact }).default;
  expect(artifact.params).toMatchObject({ name, operationKind: 'query' });
  return artifact.params.text;
}

async function run(name: string, variables: Record<string, unknown>, as?: string) {
  const text = await operation(name);
  const res = await s.execute(text, { variables, as });
  expectNoErrors(res, text);
  return res.data!;
}

interface Connection {
  edges: { cursor: string; node: Record<string, any> }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Every node of a list, paged with the generated pagination query as usePaginationFragment does. */
async function pageAll(name: string, variables: Record<string, unknown>, list: (data: Record<string, any>) => Connection) {
  const nodes: Record<string, any>[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 50; page++) {
    const conn = list(await run(name, { ...variables, cursor }));
    nodes.push(...conn.edges.map((e) => e.node));
    if (!conn.pageInfo.hasNextPage) return { nodes, pages: page + 1 };
    cursor = conn.pageInfo.endCursor;
  }
  throw new Error(`${name} did not reach its last page in 50 pages.`);
}

describe("Relay's compiler and the queries it generates", () => {
  it('refetches a user through node(id:) with UserCardRefetchQuery', async () => {
    const data = await run('UserCardRefetchQuery', { id: userId('haroldwatkins') });
    expect(data.node).toMatchObject({ __typename: 'User', id: userId('haroldwatkins'), username: 'haroldwatkins', followerCount: 12 });
  });

  it("pages a user's followers to the end with UserFollowersPaginationQuery", async () => {
    const lab = photoLab.filter((i) => i.PK === 'USER#haroldwatkins' && String(i.SK).startsWith('#FRIEND#'));
    const { nodes, pages } = await pageAll(
      'UserFollowersPaginationQuery',
      { id: userId('haroldwatkins'), count: 5 },
      (d) => d.node.followers,
    );
    expect(pages).toBe(Math.ceil(lab.length / 5));
    expect(nodes.map((n) => n.username).sort()).toEqual(lab.map((i) => String(i.SK).slice('#FRIEND#'.length)).sort());
    expect(nodes.every((n) => n.id === userId(n.username))).toBe(true);
  });

  it("pages a user's photos, and each photo's reactions, with the photo as the node", async () => {
    const labPhotos = photoLab.filter((i) => i.PK === 'USER#jacksonjason' && String(i.SK).startsWith('PHOTO#'));
    const photos = await pageAll('UserPhotosPaginationQuery', { id: userId('jacksonjason'), count: 2 }, (d) => d.node.photos);
    expect(photos.nodes.map((p) => p.id).sort()).toEqual(labPhotos.map((i) => photoId('jacksonjason', String(i.timestamp))).sort());

    const id = photoId('jacksonjason', '2019-03-03T18:20:10');
    const labReactions = photoLab.filter((i) => String(i.PK).startsWith('REACTION#') && i.SK === 'PHOTO#jacksonjason#2019-03-03T18:20:10');
    const reactions = await pageAll('PhotoCardPaginationQuery', { id, count: 4 }, (d) => {
      expect(d.node).toMatchObject({ __typename: 'Photo', id });
      return d.node.reactions;
    });
    expect(reactions.pages).toBe(2);
    expect(reactions.nodes.map((r) => r.user.username).sort()).toEqual(labReactions.map((i) => String(i.reactingUser)).sort());
  });

  it("pages a game's players with the game's own id, and a user's games", async () => {
    const gameId = '0ab37cf1-fc60-4d93-b72b-89335f759581';
    const labPlayers = gameLab.filter((i) => i.PK === `GAME#${gameId}` && String(i.SK).startsWith('USER#'));
    const players = await pageAll('GameLobbyPaginationQuery', { id: gameId, count: 10 }, (d) => {
      expect(d.node).toMatchObject({ __typename: 'Game', id: gameId, playerCount: labPlayers.length });
      return d.node.players;
    });
    expect(players.pages).toBe(Math.ceil(labPlayers.length / 10));
    expect(players.nodes.map((p) => p.user.username)).toEqual(labPlayers.map((i) => String(i.username)).sort());

    const labGames = gameLab.filter((i) => i.SK === 'USER#smithshannon' && String(i.PK).startsWith('GAME#'));
    const games = await pageAll('UserGamesPaginationQuery', { id: userId('smithshannon'), count: 4 }, (d) => d.node.games);
    expect(games.nodes.map((g) => g.game.id).sort()).toEqual(labGames.map((i) => String(i.game_id)).sort());
  });

  it('pages a list of the root by refetching Query with OpenGamesPaginationQuery', async () => {
    const lab = gameLab.filter((i) => i.map === 'Green Grasslands' && i.open_timestamp !== undefined && (i.people as number) < 50);
    const open = await pageAll('OpenGamesPaginationQuery', { map: 'Green Grasslands', count: 3 }, (d) => d.openGames);
    expect(open.pages).toBe(Math.ceil(lab.length / 3));
    expect(open.nodes.map((g) => g.id).sort()).toEqual(lab.map((i) => String(i.game_id)).sort());
  });

  it("runs the screens' root queries as generated", async () => {
    const profile = await run('AppProfileQuery', { username: 'haroldwatkins' }, 'haroldwatkins');
    expect(profile.user).toMatchObject({ id: userId('haroldwatkins'), followers: { edges: expect.any(Array) } });
    const game = await run('AppGameQuery', { id: '0ab37cf1-fc60-4d93-b72b-89335f759581' });
    expect(game.game.players.edges).toHaveLength(5);
    const lobby = await run('AppOpenGamesQuery', { map: 'Dirty Desert' });
    expect(lobby.openGames.edges.length).toBeGreaterThan(0);
  });
});
