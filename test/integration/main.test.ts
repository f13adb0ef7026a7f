// The process as a new user runs it: `tsx src/main.ts` with its own embedded DynamoDB Local, and
// `npm run table:create` then `npm start` on a table a lab's scripts built.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { signToken } from '../../src/auth.js';
import { loadConfig } from '../../src/config.js';
import { loadItems, readJsonl } from '../../src/ops/load.js';
import { freePort, startDynamoLocal, type EmbeddedDynamo } from '../../src/ops/local.js';
import { buildLabTable, labScripts } from '../helpers/labs.js';
import { LAB_FILES } from '../helpers/server.js';

const running: ChildProcess[] = [];
afterAll(() => {
  for (const p of running) if (p.exitCode === null) p.kill('SIGKILL');
});

interface Started {
  proc: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

async function startMain(env: Record<string, string>): Promise<Started> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: String(port), LOG_REQUESTS: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(proc);
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  // Ready when it says so, or failed when it exits first.
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (out.includes('server ready')) resolve();
      else if (proc.exitCode !== null) reject(new Error(`main exited ${proc.exitCode}:\n${out}`));
    };
    proc.stdout!.on('data', check);
    proc.once('exit', check);
  });
  return { proc, url: `http://127.0.0.1:${port}`, output: () => out, exited };
}

function embeddedPort(output: string): number {
  const endpoint = /"endpoint":"http:\/\/127\.0\.0\.1:(\d+)"/.exec(output);
  expect(endpoint).not.toBeNull();
  return Number(endpoint![1]);
}

async function gql(url: string, query: string, token?: string) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return (await res.json()) as { data?: any; errors?: any[] };
}

describe('npm start', () => {
  it('serves demo data, keeps what was written across a restart, and leaves no Java process behind', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'main-test-'));
    const first = await startMain({ DYNAMODB_DATA_DIR: dataDir });
    expect(first.output()).toMatch(/"using":"embedded DynamoDB Local/);
    expect(first.output()).toMatch(/"items":1802,.*"msg":"demo data loaded"/);
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
    expect(await gql(first.url, '{ __typename }')).toEqual({ data: { __typename: 'Query' }, extensions: expect.anything() });
    const root = await fetch(`${first.url}/`, { redirect: 'manual' });
    expect([root.status, root.headers.get('location')]).toEqual([302, '/graphql']);

    const token = await signToken(loadConfig({}).auth, 'haroldwatkins');
    const changed = await gql(first.url, 'mutation { updateUser(input: { status: "written before restart" }) { status } }', token);
    expect(changed.errors).toBeUndefined();

    const port = embeddedPort(first.output());
    first.proc.kill('SIGTERM');
    const code = await first.exited;
    if (code !== 0) throw new Error(first.output().slice(-3000));
    await expect(fetch(`http://127.0.0.1:${port}`)).rejects.toThrow();

    const second = await startMain({ DYNAMODB_DATA_DIR: dataDir });
    expect(second.output()).not.toMatch(/demo data loaded/);
    const read = await gql(second.url, '{ user(username: "haroldwatkins") { status } }');
    expect(read.data.user.status).toBe('written before restart');
    second.proc.kill('SIGINT');
    expect(await second.exited).toBe(0);
  }, 120_000);

  it('kills DynamoDB Local when the server is killed without any chance to clean up', async () => {
    const s = await startMain({ DYNAMODB_IN_MEMORY: 'on', DEMO_DATA: 'off' });
    const port = embeddedPort(s.output());
    s.proc.kill('SIGKILL');
    await s.exited;
    // The watchdog polls twice a second; wait for the port to close, bounded.
    const deadline = Date.now() + 10_000;
    let open = true;
    while (open && Date.now() < deadline) {
      open = await fetch(`http://127.0.0.1:${port}`).then(
        () => true,
        () => false,
      );
      if (open) await new Promise((r) => setTimeout(r, 200));
    }
    expect(open).toBe(false);
  }, 60_000);

  it('explains in one sentence when Java is missing', async () => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { PATH: '/nonexistent', HOME: process.env.HOME ?? '/tmp', DYNAMODB_IN_MEMORY: 'on' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
    expect(code).toBe(3);
    expect(err).toMatch(/DynamoDB Local needs Java 17 or newer .* or set DYNAMODB_ENDPOINT/);
  });

  it('refuses bad configuration and lists every problem', async () => {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { PATH: process.env.PATH ?? '', PORT: 'x', DYNAMODB_ENDPOINT: 'nope' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
    expect(code).toBe(2);
    expect(err).toMatch(/PORT/);
    expect(err).toMatch(/DYNAMODB_ENDPOINT/);
  });
});

// As the issue reported it: the lab's scripts, with the user's own key, on a DynamoDB Local that
// keeps one database per key; then table:create and npm start with the same key.
describe("npm run table:create && npm start on a lab's table", () => {
  const KEY = { AWS_ACCESS_KEY_ID: 'AKIDLABSTART', AWS_SECRET_ACCESS_KEY: 'lab-start-secret' };
  let local: EmbeddedDynamo;
  let lab: DynamoDBClient;
  const envFor = (table: string) => ({ DYNAMODB_ENDPOINT: local.endpoint, TABLE_NAME: table, DEMO_DATA: 'off', ...KEY });
  beforeAll(async () => {
    local = await startDynamoLocal({ sharedDb: false });
    lab = new DynamoDBClient({
      endpoint: local.endpoint,
      region: 'local',
      credentials: { accessKeyId: KEY.AWS_ACCESS_KEY_ID, secretAccessKey: KEY.AWS_SECRET_ACCESS_KEY },
    });
  }, 60_000);
  afterAll(async () => {
    lab?.destroy();
    await local?.stop();
  });

  /** Runs a command-line tool to its end: exit code, stdout, stderr. */
  async function runCli(script: string, env: Record<string, string>) {
    const proc = spawn(process.execPath, ['--import', 'tsx', script], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.push(proc);
    let stdout = '';
    let stderr = '';
    proc.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
    return { code, stdout, stderr };
  }

  /** Subscribes over WebSocket, runs `write` once subscribed, and resolves with the first event. */
  async function firstEvent(url: string, query: string, variables: Record<string, string>, write: () => Promise<unknown>) {
    const client = createClient({ url: `${url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 });
    try {
      const next = client.iterate({ query, variables }).next();
      // The server answers nothing until an event: write once it holds the subscription, as its
      // metrics say (the gauge rises when the feed starts listening), polled with a bound.
      const deadline = Date.now() + 10_000;
      while (!/^live_subscriptions\{kind="[^"]+"\} 1$/m.test(await (await fetch(`${url}/metrics`)).text())) {
        if (Date.now() > deadline) throw new Error('The server did not hold the subscription within 10 s.');
        await new Promise((r) => setImmediate(r));
      }
      await write();
      return (await next).value;
    } finally {
      await client.dispose();
    }
  }

  it('table:create gives the game lab’s table its stream, indexes and TTL and says so; npm start serves it with live updates', async () => {
    await buildLabTable(lab, 'game', 'battle-royale');
    expect(await loadItems(DynamoDBDocumentClient.from(lab), 'battle-royale', readJsonl(LAB_FILES.game))).toBe(835);

    const created = await runCli('src/ops/cli/table-create.ts', envFor('battle-royale'));
    expect([created.code, created.stdout]).toEqual([
      0,
      'Table battle-royale existed; enabled its stream (NEW_AND_OLD_IMAGES); added index(es): EmailIndex, GamesByMapIndex; turned on TTL for expires_at.\n',
    ]);

    const s = await startMain(envFor('battle-royale'));
    try {
      // table:create left nothing for the start-up to change.
      expect(s.output()).not.toMatch(/"msg":"(stream enabled|indexes added|ttl enabled)"/);
      expect(await gql(s.url, '{ user(username: "lindsay56") { name } }')).toMatchObject({ data: { user: { name: 'Daniel Price' } } });
      const token = await signToken(loadConfig(envFor('battle-royale')).auth, 'lindsay56');
      const id = '14c7f97e-8354-4ddf-985f-074970818215';
      const event = await firstEvent(
        s.url,
        'subscription($id: ID!) { gameLobby(gameId: $id) { kind player { user { username } } } }',
        { id },
        async () =>
          expect((await gql(s.url, `mutation { joinGame(gameId: "${id}") { user { username } } }`, token)).errors).toBeUndefined(),
      );
      expect(event).toEqual({ data: { gameLobby: { kind: 'PLAYER_JOINED', player: { user: { username: 'lindsay56' } } } } });
    } finally {
      s.proc.kill('SIGTERM');
      expect(await s.exited).toBe(0);
    }
  }, 180_000);

  it('npm start alone gives the photo lab’s table what it lacks, logs each change, and serves it with live updates', async () => {
    await buildLabTable(lab, 'photos', 'quick-photos');
    expect(await loadItems(DynamoDBDocumentClient.from(lab), 'quick-photos', readJsonl(LAB_FILES.photos))).toBe(967);

    const s = await startMain(envFor('quick-photos'));
    try {
      expect(s.output()).toMatch(/"table":"quick-photos","viewType":"NEW_AND_OLD_IMAGES","msg":"stream enabled"/);
      expect(s.output()).toMatch(/"indexes":\["OpenGamesIndex","EmailIndex","GamesByMapIndex"\],"msg":"indexes added"/);
      expect(s.output()).toMatch(/"attribute":"expires_at","msg":"ttl enabled"/);
      const token = await signToken(loadConfig(envFor('quick-photos')).auth, 'haroldwatkins');
      const photo = { owner: 'david25', ts: '2018-06-03T01:01:18' };
      const event = await firstEvent(
        s.url,
        'subscription($owner: String!, $ts: String!) { photoReactions(owner: $owner, timestamp: $ts) { kind reaction { type } } }',
        photo,
        async () =>
          expect(
            (await gql(s.url, `mutation { reactToPhoto(owner: "${photo.owner}", timestamp: "${photo.ts}", type: HEART) { id } }`, token))
              .errors,
          ).toBeUndefined(),
      );
      expect(event).toEqual({ data: { photoReactions: { kind: 'REACTION_ADDED', reaction: { type: 'HEART' } } } });
    } finally {
      s.proc.kill('SIGTERM');
      expect(await s.exited).toBe(0);
    }
  }, 180_000);

  it('a table whose stream has another view type: table:create and npm start exit 1 naming the change, and change nothing', async () => {
    const name = 'keys-only';
    await lab.send(
      new CreateTableCommand({
        ...labScripts('game', name).create,
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' },
      }),
    );
    const before = (await lab.send(new DescribeTableCommand({ TableName: name }))).Table!;
    const change = `Disable the stream (aws dynamodb update-table --table-name ${name} --stream-specification StreamEnabled=false), then run npm run table:create again`;

    const created = await runCli('src/ops/cli/table-create.ts', envFor(name));
    expect(created.code).toBe(1);
    expect(created.stderr).toContain(`Table ${name} has a stream of KEYS_ONLY`);
    expect(created.stderr).toContain(change);

    const started = await runCli('src/main.ts', envFor(name));
    expect(started.code).toBe(1);
    expect(started.stderr).toContain(change);

    const after = (await lab.send(new DescribeTableCommand({ TableName: name }))).Table!;
    expect([after.StreamSpecification, after.LatestStreamArn, after.GlobalSecondaryIndexes]).toEqual([
      before.StreamSpecification,
      before.LatestStreamArn,
      before.GlobalSecondaryIndexes,
    ]);
  }, 120_000);
});
