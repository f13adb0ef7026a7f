// The SDK as another app gets it: `npm pack` in sdk/ (which builds it), the tarball installed into a
// fresh app in a temporary folder outside the repository (its dependencies from the npm registry or
// cache, nothing from this repository), that app type-checked under strict with no Node types (so
// the SDK's types cannot lean on Node), and run on Node's own fetch and WebSocket against a server
// in TRUSTED_DOCUMENTS=enforce: a query, a mutation refused with its typed code, a subscription.
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../sdk/src/index.js';
import { feedsReach } from '../helpers/live.js';
import { freshUsername, startTestServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const TSC = join(REPO, 'node_modules/typescript/bin/tsc');

let s: TestServer;
let dir: string;
beforeAll(async () => {
  s = await startTestServer({ env: { TRUSTED_DOCUMENTS: 'enforce' }, live: { streamPollMs: 50 } });
  dir = await mkdtemp(join(tmpdir(), 'sdk-app-'));
});
afterAll(async () => {
  await s?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const APP = `
import { createClient, isSdkError, type Client, type GameLobbySubscription, type SdkErrorCode } from '@dynamo-graphql/sdk';
import { config } from './config.js';

const say = (line: Record<string, unknown>) => console.log(JSON.stringify(line));
const client = (token: string): Client => createClient({ url: config.url, token, trustedDocuments: true });
const ana = client(config.anaToken);

await ana.createUser({ input: { username: config.ana, name: 'Ana', email: config.ana + '@example.com' } });
const { data } = await ana.user({ username: config.ana });
const name: string | null | undefined = data.user?.name;
say({ user: name });

let code: SdkErrorCode | null = null;
try {
  await ana.followUser({ username: config.ana });
} catch (err) {
  if (isSdkError(err, 'CANNOT_FOLLOW_SELF')) code = err.code;
  else throw err;
}
say({ refused: code });

const game = (await ana.createGame({ input: { map: 'Package Plains' } })).data.createGame;
const lobby = ana.gameLobby({ gameId: game.id });
say({ subscribed: game.id });
for await (const event of lobby) {
  const kind: GameLobbySubscription['gameLobby']['kind'] = event.kind;
  if (kind === 'PLAYER_JOINED' && event.player?.user.username !== config.ana) {
    say({ event: kind, player: event.player?.user.username });
    break;
  }
}
await ana.close();

// Never called: strict typing refuses these, so the SDK's types are not \`any\`.
export function typeErrors(c: Client) {
  // @ts-expect-error gameId is required
  void c.joinGame({});
  // @ts-expect-error no such error code
  void isSdkError(null, 'NO_SUCH_CODE');
  // @ts-expect-error the result has no such field
  void c.ping().then((r) => r.data.pong);
}
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2022', 'DOM'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noUncheckedIndexedAccess: true,
    types: [],
    outDir: 'dist',
    rootDir: 'src',
  },
  include: ['src'],
};

describe('the packed SDK in an app of its own', () => {
  it('installs from its tarball, type-checks under strict, and runs a query, a typed refusal and a subscription', async () => {
    const sdkDir = join(REPO, 'sdk');
    const packed = await run('npm', ['pack', '--pack-destination', dir, '--json', '--loglevel=error'], { cwd: sdkDir });
    const tarball = join(dir, (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename);
    const files = (JSON.parse(packed.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(files).toContain('dist/src/index.d.ts');
    expect(files.filter((f) => !f.startsWith('dist/') && f !== 'package.json' && f !== 'README.md')).toEqual([]);

    const app = join(dir, 'app');
    await mkdir(join(app, 'src'), { recursive: true });
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'sdk-app', private: true, type: 'module' }));
    await run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app });

    const ana = freshUsername('pk');
    const config = { url: `${s.url}/graphql`, ana, anaToken: await s.token(ana) };
    await writeFile(join(app, 'src/config.ts'), `export const config = ${JSON.stringify(config)};\n`);
    await writeFile(join(app, 'src/app.ts'), APP);
    await writeFile(join(app, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    const checked = await run(process.execPath, [TSC, '-p', app]).catch((e: { stdout: string }) => e);
    expect(checked.stdout).toBe('');

    // Node 20 has a global WebSocket behind a flag; 22 and later have it by default.
    const flags = Number(process.versions.node.split('.')[0]) < 22 ? ['--experimental-websocket'] : [];
    const child = spawn(process.execPath, [...flags, 'dist/app.js'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    const lines: Record<string, unknown>[] = [];
    const before = s.live!.hub.feeds();
    for await (const line of createInterface({ input: child.stdout })) {
      const said = JSON.parse(line) as Record<string, unknown>;
      lines.push(said);
      if (typeof said.subscribed === 'string') {
        // The app's lobby is live on the server: a player joins, through this repository's SDK.
        await feedsReach(s, before + 1);
        const ben = freshUsername('pk');
        const benClient = createClient({ url: `${s.url}/graphql`, token: await s.token(ben), trustedDocuments: true });
        await benClient.createUser({ input: { username: ben, name: 'Ben', email: `${ben}@example.com` } });
        await benClient.joinGame({ gameId: said.subscribed });
        lines.push({ joined: ben });
      }
    }
    expect([await exited, stderr]).toEqual([0, '']);
    const ben = lines.find((l) => 'joined' in l)?.joined;
    expect(lines).toEqual([
      { user: 'Ana' },
      { refused: 'CANNOT_FOLLOW_SELF' },
      { subscribed: expect.any(String) },
      { joined: ben },
      { event: 'PLAYER_JOINED', player: ben },
    ]);
  }, 240_000);
});
