// What observability costs: server CPU per operation of `ours` against the stub DynamoDB, with
// everything off, with Prometheus metrics on, and with OpenTelemetry tracing on at a sampling
// ratio of 0.1 (spans exported over OTLP/HTTP to a sink in this process). The three servers are
// measured in turn, round after round, so a machine's drift hits them alike; each mode's figure is
// the median of its rounds. Targets: metrics ≤ 3 %, tracing ≤ 10 % over off.
import { createServer } from 'node:http';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { median } from './stats.js';
import { startNode, type Child } from './processes.js';
import type { ServerStats } from './server.js';

export const OBSERVE_MODES = ['off', 'metrics', 'tracing'] as const;
export type ObserveMode = (typeof OBSERVE_MODES)[number];
export const OVERHEAD_TARGETS = { metrics: 0.03, tracing: 0.1 };

export interface ObserveOverhead {
  scenario: string;
  rounds: number;
  windowS: number;
  /** Median server CPU milliseconds per operation, by mode. */
  cpuMsPerOp: Record<ObserveMode, number>;
  /** Every round's figure, by mode, to show the spread. */
  samples: Record<ObserveMode, number[]>;
  /** Median over rounds of (mode / off in the same round) - 1. */
  overhead: { metrics: number; tracing: number };
  spansReceived: number;
  withinTargets: boolean;
}

export interface OverheadOptions {
  endpoint: string;
  table: string;
  /** One GraphQL request body (JSON) of the scenario measured. */
  scenario: { id: string; body: string };
  cpus: string | undefined;
  logDir: string;
  rounds: number;
  windowS: number;
  log: (...xs: unknown[]) => void;
}

export async function measureObserveOverhead(o: OverheadOptions): Promise<ObserveOverhead> {
  const sink = await startOtlpSink();
  try {
    const servers = {} as Record<ObserveMode, Child>;
    for (const mode of OBSERVE_MODES) {
      servers[mode] = await startNode({
        name: `observe-${mode}`,
        role: `server ours@stub, observability ${mode}`,
        script: join(import.meta.dirname, 'server.ts'),
        args: ['ours', o.endpoint, o.table, mode, sink.url],
        cpus: o.cpus,
        logFile: join(o.logDir, `server-observe-${mode}.log`),
      });
    }
    const samples = { off: [], metrics: [], tracing: [] } as Record<ObserveMode, number[]>;
    // Unmeasured windows first, as long as the measured ones: JIT, caches and heaps warm on every server alike.
    for (const mode of OBSERVE_MODES) await window(servers[mode], o.scenario.body, o.windowS);
    for (let round = 0; round < o.rounds; round++) {
      // Rotate the order so no mode always runs first (or right after another's drain).
      const order = OBSERVE_MODES.map((_, i) => OBSERVE_MODES[(i + round) % OBSERVE_MODES.length]!);
      for (const mode of order) samples[mode].push(await window(servers[mode], o.scenario.body, o.windowS));
    }
    const cpuMsPerOp = Object.fromEntries(OBSERVE_MODES.map((m) => [m, median(samples[m])])) as Record<ObserveMode, number>;
    // Each round's modes ran back to back, so a round's ratio cancels the machine's drift between
    // rounds; the overhead is the median of those paired ratios, not a ratio of medians.
    const paired = (mode: ObserveMode) => median(samples[mode].map((x, i) => x / samples.off[i]!)) - 1;
    const overhead = { metrics: paired('metrics'), tracing: paired('tracing') };
    const result: ObserveOverhead = {
      scenario: o.scenario.id,
      rounds: o.rounds,
      windowS: o.windowS,
      cpuMsPerOp,
      samples,
      overhead,
      spansReceived: sink.spans(),
      withinTargets: overhead.metrics <= OVERHEAD_TARGETS.metrics && overhead.tracing <= OVERHEAD_TARGETS.tracing,
    };
    const pct = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;
    o.log(
      `observability overhead on ${o.scenario.id} (server CPU per op, median of ${o.rounds}; overhead: median of paired ratios): off ${cpuMsPerOp.off.toFixed(3)} ms, ` +
        `metrics ${cpuMsPerOp.metrics.toFixed(3)} ms (${pct(overhead.metrics)}, target ≤ +3 %), ` +
        `tracing at 0.1 ${cpuMsPerOp.tracing.toFixed(3)} ms (${pct(overhead.tracing)}, target ≤ +10 %); ${result.spansReceived} spans exported`,
    );
    return result;
  } finally {
    await sink.close();
  }
}

async function stats(child: Child): Promise<ServerStats> {
  return (await (await fetch(`http://127.0.0.1:${child.ready.port}/__bench/stats`)).json()) as ServerStats;
}

/** Server CPU ms per request over one load window, counted after the server has drained. */
async function window(child: Child, body: string, seconds: number): Promise<number> {
  const s0 = await stats(child);
  await autocannon({
    url: `http://127.0.0.1:${child.ready.port}/graphql`,
    connections: 16,
    duration: seconds,
    requests: [{ method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json' }, body }],
  });
  let s1 = await stats(child);
  for (let i = 0; s1.inflight > 0 && i < 200; i++) {
    await new Promise((r) => setTimeout(r, 50));
    s1 = await stats(child);
  }
  const cpuMs = (s1.cpu.user + s1.cpu.system - s0.cpu.user - s0.cpu.system) / 1000;
  return cpuMs / Math.max(1, s1.requests - s0.requests);
}

/** An OTLP/HTTP endpoint that counts and discards spans, as a collector would take them. */
async function startOtlpSink(): Promise<{ url: string; spans: () => number; close: () => Promise<void> }> {
  let spans = 0;
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      spans += (raw.match(/"spanId"/g) ?? []).length;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/v1/traces`, spans: () => spans, close: () => new Promise((r) => server.close(() => r())) };
}

// Alone, without the rest of the benchmark: `npx tsx bench/observe-overhead.ts [rounds] [windowS]`.
if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const { mkdirSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { readScenarios } = await import('./operations.js');
  const { stopAll } = await import('./processes.js');
  const logDir = join(tmpdir(), 'observe-overhead-logs');
  mkdirSync(logDir, { recursive: true });
  try {
    const stub = await startNode({
      name: 'stub',
      role: 'stub',
      script: join(import.meta.dirname, 'stub-dynamo.ts'),
      args: ['bench'],
      logFile: join(logDir, 'stub.log'),
    });
    const s = readScenarios([10]).find((x) => x.family === 'followers')!;
    const result = await measureObserveOverhead({
      endpoint: `http://127.0.0.1:${stub.ready.port}`,
      table: 'bench',
      scenario: { id: s.id, body: JSON.stringify({ query: s.query, variables: s.pages[0] }) },
      cpus: undefined,
      logDir,
      rounds: Number(process.argv[2] ?? 5),
      windowS: Number(process.argv[3] ?? 2),
      log: console.log,
    });
    console.log(JSON.stringify(result));
  } finally {
    await stopAll();
  }
}
