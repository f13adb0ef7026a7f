// Where our server's CPU goes: the ours server against the zero-latency stub, profiled (V8's
// sampling profiler, started and stopped over /__bench/profile so start-up is left out) while a
// closed loop of 16 clients reads the canonical operations, then summarised as self time by module
// and by function, and inclusive time of the request's stages (bench/PROFILE.md; the raw
// .cpuprofile is left in the run's log directory, not committed).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { closedLoop } from './latency.js';
import type { ReadScenario } from './operations.js';
import { startNode, stopChildren } from './processes.js';

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  ops: { scenario: string; ops: number }[];
  totalMs: number;
  byModule: { module: string; ms: number; share: number }[];
  byFunction: { fn: string; where: string; module: string; ms: number; share: number }[];
  /** Time with the function anywhere on the stack (each sample counted once per function). */
  inclusive: { fn: string; where: string; ms: number; share: number }[];
}

/** Which part of the stack a frame belongs to: a package, a src file, Node's internals or V8. */
export function moduleOf(url: string, fn: string, root: string): string {
  if (!url) return fn.startsWith('(') ? fn : 'V8 builtins (JSON, strings, regexps, promises)';
  if (url.startsWith('node:')) return 'Node internals (http, streams, buffers, timers)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  if (pkg) return pkg.startsWith('@smithy/') || pkg.startsWith('@aws-sdk/') ? `AWS SDK (${pkg})` : pkg;
  const path = url.startsWith('file://') ? new URL(url).pathname : url;
  return relative(root, path);
}

export function summarise(profile: CpuProfile, root: string): Omit<ProfileSummary, 'ops'> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const totalMs = [...self.entries()].filter(([id]) => byId.get(id)?.callFrame.functionName !== '(idle)').reduce((a, [, ms]) => a + ms, 0);
  const mods = new Map<string, number>();
  const fns = new Map<string, { fn: string; where: string; module: string; ms: number }>();
  for (const [id, ms] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    const module = moduleOf(url, functionName, root);
    mods.set(module, (mods.get(module) ?? 0) + ms);
    const where = url ? `${module}:${lineNumber + 1}` : '';
    const key = `${functionName}@${where}`;
    const f = fns.get(key) ?? fns.set(key, { fn: functionName || '(anonymous)', where, module, ms: 0 }).get(key)!;
    f.ms += ms;
  }
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const incl = new Map<string, { fn: string; where: string; ms: number }>();
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { functionName, url, lineNumber } = byId.get(at)!.callFrame;
      if (!url || functionName === '(root)') continue;
      const where = `${moduleOf(url, functionName, root)}:${lineNumber + 1}`;
      const key = `${functionName}@${where}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const f = incl.get(key) ?? incl.set(key, { fn: functionName || '(anonymous)', where, ms: 0 }).get(key)!;
      f.ms += ms;
    }
  });
  return {
    totalMs,
    inclusive: [...incl.values()].map((f) => ({ ...f, share: f.ms / totalMs })).sort((a, b) => b.ms - a.ms),
    byModule: [...mods].map(([module, ms]) => ({ module, ms, share: ms / totalMs })).sort((a, b) => b.ms - a.ms),
    byFunction: [...fns.values()].map((f) => ({ ...f, share: f.ms / totalMs })).sort((a, b) => b.ms - a.ms),
  };
}

export async function profileServer(
  scenarios: ReadScenario[],
  o: { here: string; root: string; endpoint: string; table: string; serverCpus?: string; logDir: string; seconds: number },
): Promise<ProfileSummary> {
  const child = await startNode({
    name: 'ours@profile',
    role: 'server ours@stub, profiled',
    script: join(o.here, 'server.ts'),
    args: ['ours', o.endpoint, o.table],
    cpus: o.serverCpus,
    logFile: join(o.logDir, 'server-ours-profile.log'),
  });
  const ops: ProfileSummary['ops'] = [];
  const port = Number(child.ready.port);
  const control = async (action: string) => (await fetch(`http://127.0.0.1:${port}/__bench/profile/${action}`)).text();
  let raw: string;
  try {
    for (const s of scenarios) await closedLoop(port, s, 16, { seconds: o.seconds / 2 }); // warm-up, like the measured windows
    await control('start');
    for (const s of scenarios) ops.push({ scenario: s.id, ops: (await closedLoop(port, s, 16, { seconds: o.seconds })).length });
    raw = await control('stop');
  } finally {
    await stopChildren([child]);
  }
  mkdirSync(o.logDir, { recursive: true });
  writeFileSync(join(o.logDir, 'ours.cpuprofile'), raw);
  return { ops, ...summarise(JSON.parse(raw) as CpuProfile, o.root) };
}

export function writeProfile(p: ProfileSummary, outDir: string): void {
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  const src = p.byModule.filter((m) => m.module.startsWith('src/'));
  const srcShare = src.reduce((a, m) => a + m.share, 0);
  const md = `# Where the server's CPU goes

Generated by \`npm run bench\`: our server (bench/server.ts, variant ours) against the stub
DynamoDB that answers at once, profiled (V8's sampling profiler over the measured windows only) while 16 clients read, in turn,
${p.ops.map((x) => `${x.scenario} (${x.ops} ops)`).join(', ')}, after a warm-up. Self time only
(a function's own samples, not its callees'), ${p.totalMs.toFixed(0)} ms sampled in all. Shares are
the claim; the milliseconds are this machine's.

## By module

Our own code (src/) is ${pct(srcShare)} of the server's CPU; the rest is Node, V8, graphql-js,
Apollo Server and the AWS SDK.

| module | self ms | share |
|---|---|---|
${p.byModule
  .slice(0, 30)
  .map((m) => `| ${m.module} | ${m.ms.toFixed(0)} | ${pct(m.share)} |`)
  .join('\n')}

## Stages (inclusive: the function and what it calls)

| function | where | ms | share |
|---|---|---|---|
${p.inclusive
  .slice(0, 30)
  .map((f) => `| ${f.fn} | ${f.where} | ${f.ms.toFixed(0)} | ${pct(f.share)} |`)
  .join('\n')}

## Top functions (self)

| function | where | self ms | share |
|---|---|---|---|
${p.byFunction
  .slice(0, 40)
  .map((f) => `| ${f.fn} | ${f.where || f.module} | ${f.ms.toFixed(0)} | ${pct(f.share)} |`)
  .join('\n')}
`;
  writeFileSync(join(outDir, 'PROFILE.md'), md);
}
