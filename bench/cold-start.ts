// Lambda cold start: the bundled handler (infra/lib/bundle.ts, as deployed) and a plain Apollo
// Server bundled the same way (bench/cold-start/plain-lambda.ts), each loaded in fresh Node
// processes that answer one request (the canonical game of 50 players) against the stub DynamoDB,
// with the environment Lambda would set. Per variant: bundle size, time to the first answer and
// heap after it, medians over alternating runs.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { bundleServer } from '../infra/lib/bundle.js';
import { canonicalScenarios } from './operations.js';
import { median } from './stats.js';

export interface ColdStartVariant {
  variant: 'ours' | 'plain';
  entry: string;
  bytes: number;
  gzipBytes: number;
  modules: number;
  /** Medians over the runs: ms since Node's time origin to the handler imported and to the first answer; spawn to answer as the parent saw it. */
  importMs: number;
  answerMs: number;
  spawnToAnswerMs: number;
  /** CPU time of the process up to the first answer: less sensitive than wall time to other work on the machine. */
  cpuMs: number;
  heapMiB: number;
  rssMiB: number;
  runs: { importMs: number; answerMs: number; spawnToAnswerMs: number; cpuMs: number; heapUsed: number; rss: number }[];
}

export interface ColdStartResults {
  runs: number;
  query: string;
  variants: ColdStartVariant[];
}

const HERE = new URL('.', import.meta.url).pathname;

function probe(file: string, body: string, env: Record<string, string>, cpus?: string) {
  const node = [process.execPath, join(HERE, 'cold-start', 'probe.mjs'), file, body];
  const [cmd, args] = cpus ? ['taskset', ['-c', cpus, ...node]] : [node[0]!, node.slice(1)];
  const t0 = performance.now();
  return new Promise<ColdStartVariant['runs'][number]>((resolve, reject) => {
    const p = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n') && out.includes('"answerMs"')) (p as unknown as { t1?: number }).t1 ??= performance.now();
    });
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.once('exit', () => {
      const line = out.trim().split('\n').at(-1) ?? '';
      try {
        const r = JSON.parse(line) as {
          ok: boolean;
          importMs: number;
          answerMs: number;
          cpuMs: number;
          heapUsed: number;
          rss: number;
          error?: string;
        };
        if (!r.ok) return reject(new Error(`cold start of ${file} answered an error: ${r.error}`));
        const t1 = (p as unknown as { t1?: number }).t1 ?? performance.now();
        resolve({ importMs: r.importMs, answerMs: r.answerMs, cpuMs: r.cpuMs, spawnToAnswerMs: t1 - t0, heapUsed: r.heapUsed, rss: r.rss });
      } catch {
        reject(new Error(`cold start of ${file} printed no result: ${out.slice(-300)} ${err.slice(-500)}`));
      }
    });
  });
}

export async function measureColdStart(o: { endpoint: string; table: string; runs: number; cpus?: string }): Promise<ColdStartResults> {
  const game = canonicalScenarios().find((s) => s.id === 'game-50')!;
  const body = JSON.stringify({ query: game.query, variables: game.pages[0] });
  const work = mkdtempSync(join(tmpdir(), 'cold-start-'));
  try {
    const bundles = (['ours', 'plain'] as const).map((variant) => {
      const entry = variant === 'ours' ? 'src/lambda.ts' : 'bench/cold-start/plain-lambda.ts';
      const b = bundleServer(join(work, variant), entry);
      const file = join(b.dir, 'src', 'lambda.mjs');
      return { variant, entry, file, bytes: b.bytes, gzipBytes: gzipSync(readFileSync(file)).length, modules: b.inputs.length };
    });
    // What Lambda sets (region, credentials) and what the stack sets; the endpoint is the stub's.
    const env = {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDBENCH',
      AWS_SECRET_ACCESS_KEY: 'bench-secret',
      AWS_SESSION_TOKEN: 'bench-token',
      DYNAMODB_ENDPOINT: o.endpoint,
      TABLE_NAME: o.table,
      AUTH_SECRET: 'a'.repeat(64),
      CURSOR_SECRET: 'c'.repeat(64),
      LOG_REQUESTS: 'off',
      NODE_ENV: 'production',
    };
    const runs = new Map(bundles.map((b) => [b.variant, [] as ColdStartVariant['runs']]));
    for (let i = 0; i < o.runs; i++) for (const b of bundles) runs.get(b.variant)!.push(await probe(b.file, body, env, o.cpus));
    return {
      runs: o.runs,
      query: 'game-50 (the game and its 50 players with their users)',
      variants: bundles.map(({ file: _file, ...b }) => {
        const rs = runs.get(b.variant)!;
        const m = (k: keyof ColdStartVariant['runs'][number]) => median(rs.map((r) => r[k]));
        return {
          ...b,
          importMs: m('importMs'),
          answerMs: m('answerMs'),
          spawnToAnswerMs: m('spawnToAnswerMs'),
          cpuMs: m('cpuMs'),
          heapMiB: m('heapUsed') / 2 ** 20,
          rssMiB: m('rss') / 2 ** 20,
          runs: rs,
        };
      }),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
