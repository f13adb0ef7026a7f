// The two example programs, run as a user would run them (their own process, only the SDK), against
// a server of this test: their output tells the story and the table agrees with it.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countCalls, expectNoErrors, startTestServer, type TestServer } from '../helpers/server.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ live: { streamPollMs: 50 } });
});
afterAll(() => s.close());

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runExample(file: string): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, SERVER_URL: `${s.url}/graphql` };
  // The test server accepts the development tokens: signing settings from the caller's shell would not match.
  for (const name of ['AUTH_SECRET', 'AUTH_ISSUER', 'AUTH_AUDIENCE', 'AUTH_JWKS_URL']) delete env[name];
  const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function expectSucceeded(run: Run): void {
  if (run.code !== 0) throw new Error(`The example exited with ${run.code}:\n${run.stdout}\n${run.stderr}`);
}

/** The example's "Total DynamoDB cost: N DynamoDB call(s)" figure. */
function totalCalls(stdout: string): number {
  const m = /Total DynamoDB cost: (\d+) DynamoDB call\(s\)/.exec(stdout);
  if (!m) throw new Error(`No total cost line in:\n${stdout}`);
  return Number(m[1]);
}

const READS = new Set(['GetItem', 'BatchGetItem', 'Query']);

/** The per-command figures of the example's "Total DynamoDB cost: N DynamoDB call(s) [Cmd n, ...]" line. */
function callsByCommand(stdout: string): Record<string, number> {
  const m = /Total DynamoDB cost: \d+ DynamoDB call\(s\) \[([^\]]*)\]/.exec(stdout);
  if (!m) throw new Error(`No total cost line in:\n${stdout}`);
  return Object.fromEntries(m[1]!.split(', ').map((part) => [part.split(' ')[0]!, Number(part.split(' ')[1])]));
}

describe('examples/game.ts', () => {
  it('fills a game to 50, is refused the 51st with GAME_FULL, and finishes with the podium it recorded', async () => {
    s.recorder.reset();
    const run = await runExample('examples/game.ts');
    expectSucceeded(run);
    const out = run.stdout;
    expect(out).toContain(`Server: ${s.url}/graphql`);
    expect(out).toContain('49 joins succeeded');
    // The lobby, subscribed before the joins, saw every one of them live, then the rest of the game.
    // The creator's own seat, written with the game just before the subscription, may show too.
    const joined = out.match(/^lobby: PLAYER_JOINED /gm) ?? [];
    expect(joined.length === 49 || joined.length === 50).toBe(true);
    const kinds = [...out.matchAll(/^lobby: (\w+)/gm)].map((m) => m[1]).filter((k) => k !== 'PLAYER_JOINED');
    expect(kinds).toEqual(['GAME_FILLED', 'GAME_STARTED', ...Array(5).fill('RESULT_RECORDED'), 'GAME_ENDED']);
    expect(out).toMatch(new RegExp(`the lobby saw ${joined.length + 8} events`));
    expect(out).toMatch(/refused with GAME_FULL: Game \S+ already has 50 of 50 players\./);
    const gameId = /created game (\S+) on Green Grasslands: 1\/50 players, OPEN/.exec(out)?.[1];
    const podium = Object.fromEntries([...out.matchAll(/^podium (gold|silver|bronze): (\S+)$/gm)].map((m) => [m[1], m[2]]));
    expect(Object.keys(podium)).toEqual(['gold', 'silver', 'bronze']);
    expect(podium.gold).toMatch(/^g[0-9a-f]{8}_07$/);
    expect(out).toContain(`${podium.gold} (gold) has played 1 game(s)`);
    expect(out).toMatch(new RegExp(`${gameId} on Green Grasslands: FINISHED, 50 players, place GOLD, 11 kills`));
    // Every call the example counted from extensions.dynamodb went over the wire; the only others
    // are the reads that resolved the lobby's events (a subscription's events report no cost).
    const counted = callsByCommand(out);
    const sent = countCalls(s.recorder.calls);
    for (const command of new Set([...Object.keys(counted), ...Object.keys(sent)])) {
      if (READS.has(command)) expect([command, sent[command]! >= (counted[command] ?? 0)]).toEqual([command, true]);
      else expect([command, sent[command]]).toEqual([command, counted[command]]);
    }
    expect(s.recorder.calls.length - totalCalls(out)).toBeLessThanOrEqual(3 * 57);

    const game = await s.execute(
      `query($id: ID!) { game(id: $id) { status playerCount gold { username } silver { username } bronze { username } players(first: 100) { edges { node { user { username } } } } } }`,
      { variables: { id: gameId } },
    );
    expectNoErrors(game);
    expect(game.data!.game).toMatchObject({
      status: 'FINISHED',
      playerCount: 50,
      gold: { username: podium.gold },
      silver: { username: podium.silver },
      bronze: { username: podium.bronze },
    });
    const players = game.data!.game.players.edges.map((e: any) => e.node.user.username);
    expect(players).toHaveLength(50);
    expect(players).not.toContain(podium.gold!.replace(/_07$/, '_50'));
  }, 60_000);
});

describe('examples/photos.ts', () => {
  it('reacts, is refused a repeated reaction with ALREADY_REACTED, pages through photos and a feed, and totals the cost', async () => {
    s.recorder.reset();
    const run = await runExample('examples/photos.ts');
    expectSucceeded(run);
    const out = run.stdout;
    expect(out).toMatch(/reacting HEART again: refused with ALREADY_REACTED/);
    expect([...out.matchAll(/^page (\d+) /gm)].map((m) => m[1])).toEqual(['1', '2', '3']);
    expect([...out.matchAll(/^feed page (\d+) /gm)].map((m) => m[1])).toEqual(['1', '2']);
    expect(out).toContain('reaction counts: heart 2, smiley 1, thumbsUp 1, sunglasses 0');
    expect(totalCalls(out)).toBe(s.recorder.calls.length);

    const [, owner, timestamp] = /^== Who reacted to (\w+)\/(\S+)$/m.exec(out) ?? [];
    const photo = await s.execute(
      `query($o: String!, $t: String!) { photo(owner: $o, timestamp: $t) { reactionCounts { heart smiley thumbsUp sunglasses } reactions { edges { node { type user { username } } } } } }`,
      { variables: { o: owner, t: timestamp } },
    );
    expectNoErrors(photo);
    expect(photo.data!.photo.reactionCounts).toEqual({ heart: 2, smiley: 1, thumbsUp: 1, sunglasses: 0 });
    const ben = owner!.replace(/_ana$/, '_ben');
    expect(photo.data!.photo.reactions.edges.filter((e: any) => e.node.user.username === ben).map((e: any) => e.node.type)).toEqual([
      'HEART',
    ]);
  }, 60_000);
});
