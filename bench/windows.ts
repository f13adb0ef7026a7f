// Load windows: autocannon against one server for a while, the server's own counters read before
// and after (GET /__bench/stats), and the difference per op. Interleaved windows of several
// servers compare them under the same conditions.
import autocannon from 'autocannon';
import type { ReadScenario, WriteScenario } from './operations.js';
import type { Measured, WindowResult, WriteResult } from './results.js';
import { CONNECTIONS } from './settings.js';
import type { ServerStats } from './server.js';
import { median } from './stats.js';
import { noErrors, stats, url, type Target, type Walk } from './walk.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the server has answered every request it took, including those whose client left. */
export async function drain(t: Target): Promise<ServerStats> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const s = await stats(t.child);
    if (s.inflight === 0 || Date.now() > deadline) return s;
    await sleep(50);
  }
}

export async function loadWindow(
  t: Target,
  bodies: string[],
  seconds: number,
  pagesPerOp: number,
  connections: number,
): Promise<WindowResult> {
  const s0 = await stats(t.child);
  const t0 = performance.now();
  const r = await autocannon({
    url: url(t),
    connections,
    duration: seconds,
    requests: bodies.map((body) => ({ method: 'POST' as const, path: '/graphql', headers: { 'content-type': 'application/json' }, body })),
    // A naive op of fan-out 300 waits behind 16 × 311 queued GetItems: seconds, not a failure.
    timeout: 60,
    verifyBody: noErrors,
  });
  // Requests cut off at the window's end still finish on the server: their cost is counted with
  // them, and the next window starts on an idle server and database.
  const s1 = await drain(t);
  const wallMs = performance.now() - t0;
  const requests = s1.requests - s0.requests;
  const ops = requests / pagesPerOp;
  const cpuMs = (s1.cpu.user + s1.cpu.system - s0.cpu.user - s0.cpu.system) / 1000;
  const delta = (a: Record<string, number>, b: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(b)
        .map(([k, x]) => [k, x - (a[k] ?? 0)])
        .filter(([, x]) => x !== 0),
    );
  return {
    ops,
    callsByCommand: delta(s0.callsByCommand, s1.callsByCommand),
    itemsByCommand: delta(s0.itemsByCommand, s1.itemsByCommand),
    // Throughput counts what the server completed from the window's start until it was drained: an
    // op slower than the window (a naive fan-out of 300 takes seconds) still counts, where
    // autocannon's own count would see only those that happened to end inside the window.
    reqPerSec: requests / (wallMs / 1000),
    opsPerSec: ops / (wallMs / 1000),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    callsPerOp: (s1.calls - s0.calls) / ops,
    itemsPerOp: (s1.items - s0.items) / ops,
    rcuPerOp: (s1.rcu - s0.rcu) / ops,
    wcuPerOp: (s1.wcu - s0.wcu) / ops,
    cpuMsPerOp: cpuMs / ops,
    serverCpuUtil: cpuMs / wallMs,
    requests: r.requests.total,
    errors: r.errors + r.non2xx + r.mismatches + r.timeouts,
  };
}

export function summarize(windows: WindowResult[]): Omit<Measured, 'scenario' | 'variant' | 'backend' | 'sample' | 'connections'> {
  const m = (k: keyof WindowResult) => median(windows.map((w) => w[k] as number));
  const ops = windows.reduce((a, w) => a + w.ops, 0);
  const perOp = (k: 'callsByCommand' | 'itemsByCommand') => {
    const out: Record<string, number> = {};
    for (const w of windows) for (const [c, x] of Object.entries(w[k])) out[c] = (out[c] ?? 0) + x / ops;
    return out;
  };
  return {
    callsByCommandPerOp: perOp('callsByCommand'),
    itemsByCommandPerOp: perOp('itemsByCommand'),
    reqPerSec: m('reqPerSec'),
    opsPerSec: m('opsPerSec'),
    p50Ms: m('p50Ms'),
    p99Ms: m('p99Ms'),
    callsPerOp: m('callsPerOp'),
    itemsPerOp: m('itemsPerOp'),
    rcuPerOp: m('rcuPerOp'),
    wcuPerOp: m('wcuPerOp'),
    cpuMsPerOp: m('cpuMsPerOp'),
    serverCpuUtil: m('serverCpuUtil'),
    errors: windows.reduce((a, w) => a + w.errors, 0),
    windows,
  };
}

/** A/B(/C) windows of the same scenario, interleaved, after a warm-up of each. */
export async function compare(
  s: ReadScenario,
  targets: Target[],
  walks: Map<Target, Walk>,
  windowS: number,
  warmupS: number,
  rounds: number,
): Promise<Measured[]> {
  const pages = s.pages.length;
  const connections = CONNECTIONS;
  if (warmupS > 0) for (const t of targets) await loadWindow(t, walks.get(t)!.bodies, warmupS, pages, connections);
  const windows = new Map<Target, WindowResult[]>(targets.map((t) => [t, []]));
  for (let round = 0; round < rounds; round++) {
    for (const t of targets) windows.get(t)!.push(await loadWindow(t, walks.get(t)!.bodies, windowS, pages, connections));
  }
  return targets.map((t) => {
    const w = walks.get(t)!;
    return {
      scenario: s.id,
      variant: t.variant,
      backend: t.backend,
      connections,
      sample: { calls: w.calls, rcu: w.rcu, callsByCommand: w.callsByCommand },
      ...summarize(windows.get(t)!),
    };
  });
}

export async function writeRun(
  t: Target,
  w: WriteScenario,
  concurrency: number,
  amount: number,
  next: { i: number },
  tokens: Map<string, string>,
): Promise<WriteResult> {
  if (next.i + amount + concurrency > w.capacity)
    throw new Error(`${w.id}: the seeded pool holds ${w.capacity} distinct ops; raise it in bench/seed.ts.`);
  const s0 = await stats(t.child);
  const r = await autocannon({
    url: url(t),
    connections: concurrency,
    amount,
    requests: [
      {
        method: 'POST',
        path: '/graphql',
        setupRequest: (req: any) => {
          const { as, variables } = w.op(next.i++);
          return {
            ...req,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.get(as)}` },
            body: JSON.stringify({ query: w.query, variables }),
          };
        },
      },
    ],
    verifyBody: noErrors,
  });
  const s1 = await drain(t);
  const ops = s1.requests - s0.requests;
  return {
    scenario: w.id,
    concurrency,
    ops,
    // autocannon ends a fixed-amount run on its 1 s tick, so wall time would quantise a short run's
    // rate; a closed loop of c connections completes c ÷ mean latency ops a second (Little's law).
    reqPerSec: (concurrency * 1000) / r.latency.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    callsPerOp: (s1.calls - s0.calls) / ops,
    callsByCommand: Object.fromEntries(Object.entries(s1.callsByCommand).map(([k, v]) => [k, (v - (s0.callsByCommand[k] ?? 0)) / ops])),
    wcuPerOp: (s1.wcu - s0.wcu) / ops,
    rcuPerOp: (s1.rcu - s0.rcu) / ops,
    cpuMsPerOp: (s1.cpu.user + s1.cpu.system - s0.cpu.user - s0.cpu.system) / 1000 / ops,
    analyticWcu: w.analytic.wcu,
    analyticWhy: w.analytic.why,
    errors: r.errors + r.non2xx + r.mismatches + r.timeouts,
  };
}
