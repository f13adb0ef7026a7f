// The process as a new user runs it: `tsx src/main.ts` with its own embedded DynamoDB Local.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { signToken } from '../../src/auth.js';
import { loadConfig } from '../../src/config.js';
import { freePort } from '../../src/ops/local.js';

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
