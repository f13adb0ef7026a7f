// What a trusted document's id saves: server CPU per operation of `ours` against the stub DynamoDB
// (bench/stub-dynamo.ts) for the same operation sent as {"documentId": "sha256:…"} and sent in full
// (the SDK's Game query with its fragment, 746 characters), in TRUSTED_DOCUMENTS=log, the
// non-local default, where the full text is also hashed to be checked against the manifest. The
// two bodies alternate window by window on one server, so drift hits both alike; the figure is the
// median of the paired ratios. Apollo caches parsing and validation by the text's hash either way.
//   npx tsx bench/trusted-documents.ts [--quick]
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import manifest from '../src/__generated__/trusted-documents.json' with { type: 'json' };
import { startNode, stopAll, type Child } from './processes.js';
import { fanoutGame } from './seed.js';
import type { ServerStats } from './server.js';
import { median } from './stats.js';

const quick = process.argv.includes('--quick');
const rounds = quick ? 3 : 9;
const windowS = quick ? 1 : 3;
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

const logDir = join(tmpdir(), 'trusted-documents-bench');
mkdirSync(logDir, { recursive: true });
process.env.TRUSTED_DOCUMENTS = 'log';
try {
  const stub = await startNode({
    name: 'stub',
    role: 'stub',
    script: join(HERE, 'stub-dynamo.ts'),
    args: ['bench'],
    logFile: join(logDir, 'stub.log'),
  });
  const server = await startNode({
    name: 'ours',
    role: 'server ours@stub, TRUSTED_DOCUMENTS=log',
    script: join(HERE, 'server.ts'),
    args: ['ours', `http://127.0.0.1:${stub.ready.port}`, 'bench'],
    logFile: join(logDir, 'server.log'),
  });
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
  if (failed) throw new Error(`${failed} requests failed (see ${logDir}).`);
  const ratio = median(samples.id.map((x, i) => x / samples.full[i]!));
  const result = {
    operation: 'Game',
    documentChars: document.length,
    rounds,
    windowS,
    cpuMsPerOp: { id: median(samples.id), full: median(samples.full) },
    idOverFull: ratio,
    samples,
  };
  console.log(
    `trusted documents, Game (${document.length} chars) in TRUSTED_DOCUMENTS=log, server CPU per op, median of ${rounds} windows: ` +
      `id ${result.cpuMsPerOp.id.toFixed(3)} ms, full text ${result.cpuMsPerOp.full.toFixed(3)} ms; id / full ${ratio.toFixed(3)} (median of paired ratios)`,
  );
  console.log(JSON.stringify(result));
} finally {
  await stopAll();
}
