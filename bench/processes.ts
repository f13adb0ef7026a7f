// Child processes of the benchmark: started with tsx, optionally pinned to CPUs with taskset,
// each announcing itself with one JSON line on stdout; all stopped by pid when the run ends.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface Child {
  name: string;
  role: string;
  pid: number;
  /** What the process printed when it was ready. */
  ready: Record<string, unknown>;
  proc: ChildProcess;
}

const children: Child[] = [];

export function hasTaskset(): boolean {
  return spawnSync('taskset', ['-V'], { encoding: 'utf8' }).status === 0;
}

/** The CPUs a process may run on, as the kernel reports them. */
export function affinity(pid: number): string {
  try {
    return /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '?';
  } catch {
    return '?';
  }
}

export interface StartOptions {
  name: string;
  role: string;
  script: string;
  args: string[];
  /** taskset CPU list, or undefined for no pinning. */
  cpus?: string;
  logFile: string;
  timeoutMs?: number;
  /** Extra Node flags (a CPU profile, say). */
  nodeArgs?: string[];
  /** Extra environment variables (a setting the server under test passes through). */
  env?: Record<string, string>;
}

/**
 * The production server's V8 setting (package.json's start script), given to every process of the
 * run alike: a larger young generation means fewer scavenges while 16 requests each hold their
 * items, which cut the server's CPU per op by about a tenth in A/B runs against the stub.
 */
export const NODE_FLAGS = ['--max-semi-space-size=64'];

/** Starts `node --import tsx script args` and resolves with its ready line. */
export async function startNode(o: StartOptions): Promise<Child> {
  const nodeArgs = [...NODE_FLAGS, ...(o.nodeArgs ?? []), '--import', 'tsx', o.script, ...o.args];
  const [cmd, args] = o.cpus ? ['taskset', ['-c', o.cpus, process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const proc = spawn(cmd, args as string[], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production', ...o.env },
  });
  const log = createWriteStream(o.logFile, { flags: 'a' });
  proc.stderr!.pipe(log);
  const lines = createInterface({ input: proc.stdout! });
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${o.name} was not ready within ${o.timeoutMs ?? 60_000} ms (log: ${o.logFile})`)),
      o.timeoutMs ?? 60_000,
    );
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${o.name} exited with ${code} before it was ready (log: ${o.logFile})`));
    });
    lines.on('line', (line) => {
      log.write(`${line}\n`);
      try {
        const msg = JSON.parse(line) as Record<string, unknown>;
        if (msg.ready) {
          clearTimeout(timer);
          resolve(msg);
        }
      } catch {
        // Not the ready line.
      }
    });
  });
  const child: Child = { name: o.name, role: o.role, pid: Number(ready.pid ?? proc.pid), ready, proc };
  children.push(child);
  return child;
}

/** Runs a node script to completion and returns its last stdout line, parsed. */
export async function runNode(o: Omit<StartOptions, 'name' | 'role'>): Promise<Record<string, unknown>> {
  const nodeArgs = [...NODE_FLAGS, '--import', 'tsx', o.script, ...o.args];
  const [cmd, args] = o.cpus ? ['taskset', ['-c', o.cpus, process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const proc = spawn(cmd, args as string[], { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(o.logFile, { flags: 'a' });
  proc.stderr!.pipe(log);
  let last = '';
  proc.stdout!.on('data', (d: Buffer) => (last += d.toString()));
  const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
  if (code !== 0) throw new Error(`${o.script} exited with ${code} (log: ${o.logFile})`);
  return JSON.parse(last.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
}

function stop(c: Child): Promise<void> {
  return new Promise<void>((resolve) => {
    if (c.proc.exitCode !== null || c.proc.signalCode !== null) return resolve();
    const timer = setTimeout(() => c.proc.kill('SIGKILL'), 3_000);
    c.proc.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    c.proc.kill('SIGTERM');
  });
}

/** Stops these children now (a phase that is done with its processes), by pid. */
export async function stopChildren(list: Child[]): Promise<void> {
  for (const c of list) if (children.includes(c)) children.splice(children.indexOf(c), 1);
  await Promise.all(list.map(stop));
}

/** Stops every child this run started, by pid. */
export async function stopAll(): Promise<void> {
  await Promise.all(children.splice(0).map(stop));
}
