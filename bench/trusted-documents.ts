// What a trusted document's id saves: server CPU per operation of `ours` against the stub DynamoDB
// (bench/stub-dynamo.ts) for the same operation sent as {"documentId": "sha256:…"} and sent in full
// (the SDK's Game query with its fragment, 746 characters), in TRUSTED_DOCUMENTS=log, the
// non-local default, where the full text is also hashed to be checked against the manifest. The
// two bodies alternate window by window on one server, so drift hits both alike; the figure is the
// median of the paired ratios. Apollo caches parsing and validation by the text's hash either way.
//   a phase of `npm run bench` (bench/phases/trusted-documents.ts), or alone:
//   npx tsx bench/trusted-documents.ts [--quick]  (npm run bench:trusted)
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import manifest from '../src/__generated__/trusted-documents.json' with { type: 'json' };
import { startNode, stopAll, stopChildren, type Child } from './processes.js';
import { fanoutGame } from './seed.js';
import type { ServerStats } from './server.js';
import { median } from './stats.js';

const HERE = import.meta.dirname;

const [documentId, document] = Object.entries(manifest as Record<string, string>).find(([, d]) => d.startsWith('query Game('))!;
const variables = { id: fanoutGame(10), first: 10 };
const bodies = {
  id: JSON.stringify({ documentId, operationName: 'Game', variables }),
  full: JSON.stringify({ query: document, operationName: 'Game', variables }),
};

async function stats(child: Child): Promise<ServerStats> {
  return (await (await fetch(`http://127.0.0.1:${child.ready.port}/__bench/stats`)).json()) as ServerStats;
}

/** Server CPU ms per request over one load window (after it drained), and the non-2xx answers. */
async function window(child: Child, body: string, seconds: number): Promise<{ cpuMs: number; failed: number }> {
  const s0 = await stats(child);
  const r = await autocannon({
    url: `http://127.0.0.1:${child.ready.port}/graphql`,
    connections: 16,
    duration: seconds,
    requests: [{ method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json' }, body }],
  });
  let s1 = await stats(child);
  for (let i = 0; s1.inflight > 0 && i < 200; i++) {
    await new Promise((res) => setTimeout(res, 50));
    s1 = await stats(child);
  }
  const cpuMs = (s1.cpu.user + s1.cpu.system - s0.cpu.user - s0.cpu.system) / 1000;
  return { cpuMs: cpuMs / Math.max(1, s1.requests - s0.requests), failed: r.non2xx + r.errors };
}

export interface TrustedDocumentsResult {
  operation: string;
  documentChars: number;
  rounds: number;
  windowS: number;
  cpuMsPerOp: { id: number; full: number };
  idOverFull: number;
  samples: { id: number[]; full: number[] };
}

/** One server of ours in TRUSTED_DOCUMENTS=log against `endpoint` (a stub), started and stopped here. */
export async function measureTrustedDocuments(o: {
  endpoint: string;
  quick: boolean;
  logDir: string;
  cpus?: string;
}): Promise<TrustedDocumentsResult> {
  const rounds = o.quick ? 3 : 9;
  const windowS = o.quick ? 1 : 3;
  const server = await startNode({
    name: 'ours-trusted',
    role: 'server ours@stub, TRUSTED_DOCUMENTS=log',
    script: join(HERE, 'server.ts'),
    args: ['ours', o.endpoint, 'bench'],
    cpus: o.cpus,
    env: { TRUSTED_DOCUMENTS: 'log' },
    logFile: join(o.logDir, 'server-trusted.log'),
  });
  try {
    // Unmeasured windows first: JIT and Apollo's document cache warm for both bodies.
    for (const body of Object.values(bodies)) await window(server, body, windowS);
    const samples = { id: [] as number[], full: [] as number[] };
    let failed = 0;
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 ? (['full', 'id'] as const) : (['id', 'full'] as const);
      for (const kind of order) {
        const w = await window(server, bodies[kind], windowS);
        samples[kind].push(w.cpuMs);
        failed += w.failed;
      }
    }
    if (failed) throw new Error(`${failed} requests failed (see ${o.logDir}).`);
    return {
      operation: 'Game',
      documentChars: document.length,
      rounds,
      windowS,
      cpuMsPerOp: { id: median(samples.id), full: median(samples.full) },
      idOverFull: median(samples.id.map((x, i) => x / samples.full[i]!)),
      samples,
    };
  } finally {
    await stopChildren([server]);
  }
}

export function describeTrustedDocuments(r: TrustedDocumentsResult): string {
  return (
    `trusted documents, Game (${r.documentChars} chars) in TRUSTED_DOCUMENTS=log, server CPU per op, median of ${r.rounds} windows: ` +
    `id ${r.cpuMsPerOp.id.toFixed(3)} ms, full text ${r.cpuMsPerOp.full.toFixed(3)} ms; id / full ${r.idOverFull.toFixed(3)} (median of paired ratios)`
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const logDir = join(tmpdir(), 'trusted-documents-bench');
  mkdirSync(logDir, { recursive: true });
  try {
    const stub = await startNode({
      name: 'stub',
      role: 'stub',
      script: join(HERE, 'stub-dynamo.ts'),
      args: ['bench'],
      logFile: join(logDir, 'stub.log'),
    });
    const result = await measureTrustedDocuments({
      endpoint: `http://127.0.0.1:${String(stub.ready.port)}`,
      quick: process.argv.includes('--quick'),
      logDir,
    });
    console.log(describeTrustedDocuments(result));
    console.log(JSON.stringify(result));
  } finally {
    await stopAll();
  }
}
