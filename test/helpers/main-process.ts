// One real server process, src/main.ts as `npm start` runs it (from source, through tsx), on a
// free loopback port, resolved once it prints its ready line. Shared by the cluster tests
// (test/helpers/cluster.ts) and the live-cluster benchmark (bench/live-cluster.ts); it imports
// nothing of vitest, so a script outside the test runner can use it.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface MainProcess {
  url: string;
  wsUrl: string;
  proc: ChildProcess;
  /** Everything the process printed, for a failing test to show. */
  output: string[];
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
}

/** The environment every such process gets; `env` adds to it or overrides it. */
const BASE_ENV = {
  NODE_ENV: 'production',
  PORT: '0',
  HOST: '127.0.0.1',
  DEMO_DATA: 'off',
  LOG_REQUESTS: 'off',
};

export async function startMainProcess(name: string, env: Record<string, string>, readyWithinMs = 60_000): Promise<MainProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...BASE_ENV, ...env },
  });
  const output: string[] = [];
  const exited = new Promise<number | string>((resolve) => proc.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  proc.stderr!.on('data', (c: Buffer) => output.push(String(c)));
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${name} did not start within ${readyWithinMs} ms:\n${output.join('')}`)), readyWithinMs);
    proc.stdout!.on('data', (chunk: Buffer) => {
      output.push(String(chunk));
      const m = /GraphQL server ready: (http:\/\/\S+)\/graphql/.exec(output.join(''));
      if (m) {
        clearTimeout(t);
        resolve(m[1]!);
      }
    });
    void exited.then((code) => (clearTimeout(t), reject(new Error(`${name} exited (${code}) before it was ready:\n${output.join('')}`))));
  });
  return { url, wsUrl: `${url.replace(/^http/, 'ws')}/graphql`, proc, output, exited };
}
