// The production server as `npm start` runs it: compiled by `npm run build` (tsc into dist/src,
// the SDL and demo data copied beside it) and started with plain `node`, no tsx in the process.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Its own output directory, so a server running from dist/src is never touched; inside the
// repository, so the compiled modules find node_modules as dist/src does.
mkdirSync(join(ROOT, 'dist'), { recursive: true });
const out = mkdtempSync(join(ROOT, 'dist', 'build-test-'));
const table = `build-${randomUUID().slice(0, 8)}`;
let proc: ChildProcess | undefined;
let url = '';
let output = '';

beforeAll(async () => {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), out], { cwd: ROOT, stdio: 'pipe' });
  proc = spawn(process.execPath, [join(out, 'src', 'main.js')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      NODE_ENV: 'production',
      PORT: '0',
      DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
      TABLE_NAME: table,
      DEMO_DATA: 'off',
      LOG_REQUESTS: 'off',
    },
  });
  proc.stderr!.on('data', (d: Buffer) => (output += String(d)));
  url = await new Promise<string>((resolve, reject) => {
    proc!.stdout!.on('data', (d: Buffer) => {
      output += String(d);
      const m = /GraphQL server ready: (http:\/\/\S+)\/graphql/.exec(output);
      if (m) resolve(m[1]!);
    });
    proc!.once('exit', (code) => reject(new Error(`the compiled main.js exited ${code}:\n${output}`)));
  });
}, 240_000);

afterAll(async () => {
  if (proc && proc.exitCode === null) {
    const exited = new Promise((r) => proc!.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  }
  const raw = new DynamoDBClient({
    endpoint: inject('dynamoEndpoint'),
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await raw.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
  raw.destroy();
  rmSync(out, { recursive: true, force: true });
});

describe('npm run build', () => {
  it('writes a server that runs on plain node, finding its SDL, demo data and watchdog beside it', async () => {
    for (const f of ['schema/base.graphql', 'demo/battle-royale.items.jsonl', 'src/ops/watchdog.cjs', 'src/main.js'])
      expect(existsSync(join(out, f)), f).toBe(true);
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ ping user(username: "nobody") { username } }' }),
    });
    expect(await res.json()).toMatchObject({ data: { ping: 'ok', user: null } });
  });
});
