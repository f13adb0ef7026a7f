// What the phases of a run share: the options, the processes started so far, the scenarios and
// their checked answers, and the results each phase adds. A phase reads what earlier phases left
// here (bench/phases/index.ts lists them in order) and adds its own.
import { mkdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { buildSchema, parse, validate, type GraphQLSchema } from 'graphql';
import type { EmbeddedDynamo } from '../../src/ops/local.js';
import { loadTypeDefs } from '../../src/schema.js';
import type { ColdStartResults } from '../cold-start.js';
import type { LatencyResults } from '../latency.js';
import type { LiveQueryResults } from '../live-queries.js';
import type { ObserveOverhead } from '../observe-overhead.js';
import type { ReadScenario } from '../operations.js';
import { affinity, startNode } from '../processes.js';
import type { ProfileSummary } from '../profile.js';
import type { Measured, RunResults, WriteResult } from '../results.js';
import type { Variant } from '../server.js';
import type { TrustedDocumentsResult } from '../trusted-documents.js';
import { CONNECTIONS, CPU_UNDER_TEST, HERE, TABLE, type Options } from '../settings.js';
import { walk, type Target, type Walk } from '../walk.js';
import { loadWindow } from '../windows.js';

export interface Phase {
  /** Printed as the phase's heading. */
  title: string;
  run(b: Bench): Promise<void>;
}

export type SdkRun = Omit<RunResults['sdk'], 'before' | 'after'>;

export class Bench {
  readonly started = Date.now();
  readonly logDir: string;
  readonly serverCpus: string | undefined;
  readonly schema: GraphQLSchema = buildSchema(loadTypeDefs());
  readonly placement: RunResults['placement'] = [];
  readonly skipped: RunResults['skipped'] = [];
  /** Filled by the phases, in the order they run. */
  dynamo?: EmbeddedDynamo;
  items = 0;
  stubEndpoint?: string;
  readonly targets = new Map<string, Target>();
  scenarios: ReadScenario[] = [];
  readonly walks = new Map<Target, Map<string, Walk>>();
  readonly floors: RunResults['floors'] = [];
  readonly measured: Measured[] = [];
  readonly writes: WriteResult[] = [];
  sdkBefore?: SdkRun;
  sdk?: RunResults['sdk'];
  observability?: ObserveOverhead;
  latency?: LatencyResults;
  profile?: ProfileSummary;
  coldStart?: ColdStartResults;
  trustedDocuments?: TrustedDocumentsResult;
  liveQueries?: LiveQueryResults;
  results?: RunResults;
  /** The report's one-paragraph summary (targets met, and those missed). */
  summary?: string;
  readonly loadBefore = loadavg();

  constructor(readonly options: Options) {
    this.logDir = join(options.outDir, 'logs');
    this.serverCpus = options.pinned ? CPU_UNDER_TEST : undefined;
    mkdirSync(options.outDir, { recursive: true });
    rmSync(this.logDir, { recursive: true, force: true });
    mkdirSync(this.logDir, { recursive: true });
  }

  get settings() {
    return this.options.settings;
  }
  get quick() {
    return this.options.quick;
  }

  log = (...xs: unknown[]) => console.log(...xs);

  heading(title: string) {
    this.log(`\n== ${title} (at ${((Date.now() - this.started) / 1000).toFixed(0)} s)`);
  }

  place(role: string, pid: number) {
    this.placement.push({ role, pid, cpus: affinity(pid) });
  }

  /** The ids --only lets through. */
  selected(id: string): boolean {
    return !this.options.only || this.options.only.test(id);
  }

  /** An op the schema does not (yet) serve is skipped and reported, not failed. */
  servable(id: string, query: string): boolean {
    const errors = validate(this.schema, parse(query));
    if (errors.length) this.skipped.push({ scenario: id, reason: errors.map((e) => e.message).join(' ') });
    return errors.length === 0;
  }

  get stubScenarios(): ReadScenario[] {
    return this.scenarios.filter((x) => this.settings.stubFamilies.includes(x.family));
  }

  /** Starts a server of `variant` (bench/server.ts) against `endpoint`, pinned to the CPU under test. */
  async startServer(variant: Variant, backend: Target['backend'], endpoint?: string): Promise<Target> {
    const label = `${variant}@${backend}`;
    const child = await startNode({
      name: label,
      role: `server ${label}`,
      script: join(HERE, 'server.ts'),
      args: endpoint ? [variant, endpoint, TABLE] : [variant],
      cpus: this.serverCpus,
      logFile: join(this.logDir, `server-${variant}-${backend}.log`),
    });
    this.place(`server: ${variant} resolvers, ${backend === 'none' ? 'no database' : backend}`, child.pid);
    const t: Target = { label, backend, variant, child };
    this.targets.set(label, t);
    return t;
  }

  target(label: string): Target {
    const t = this.targets.get(label);
    if (!t) throw new Error(`No server ${label} was started.`);
    return t;
  }

  /** Reads every scenario once on each target; the first target's answers are the reference. */
  async walkAll(targets: Target[], list: ReadScenario[]) {
    for (const s of list) {
      for (const t of targets) {
        const byScenario = this.walks.get(t) ?? this.walks.set(t, new Map()).get(t)!;
        byScenario.set(s.id, await walk(t, s));
      }
      const ref = JSON.stringify(this.walked(targets[0]!, s).data);
      for (const t of targets.slice(1))
        if (JSON.stringify(this.walked(t, s).data) !== ref)
          throw new Error(`${s.id}: ${t.label} answered different data from ${targets[0]!.label}.`);
    }
  }

  walked(t: Target, s: ReadScenario): Walk {
    const w = this.walks.get(t)?.get(s.id);
    if (!w) throw new Error(`${s.id} was not read on ${t.label} before its load.`);
    return w;
  }

  /**
   * A process that is fresh, or has sat idle through another phase, runs cold (JIT, code flushing,
   * closed sockets): before a phase each of its servers serves every op of the phase (V8 needs a
   * few thousand requests before a path is fully optimised), in reverse, so the op measured first
   * is the one served last (after the heavy ones' garbage is collected).
   */
  async warmUp(targets: Target[], list: ReadScenario[]) {
    for (const t of targets)
      for (const s of [...list].reverse())
        await loadWindow(t, this.walked(t, s).bodies, this.settings.phaseWarmupS, s.pages.length, CONNECTIONS);
  }
}
