// The shapes of one run's measurements, as bench/results.json holds them.
import type { ColdStartResults } from './cold-start.js';
import type { LatencyResults } from './latency.js';
import type { LiveQueryResults } from './live-queries.js';
import type { ObserveOverhead } from './observe-overhead.js';
import type { ProfileSummary } from './profile.js';
import type { Variant } from './server.js';
import type { TrustedDocumentsResult } from './trusted-documents.js';

export interface WindowResult {
  reqPerSec: number;
  /** Operations per second: requests per second over the pages one op reads. */
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  callsPerOp: number;
  itemsPerOp: number;
  rcuPerOp: number;
  wcuPerOp: number;
  cpuMsPerOp: number;
  /** Server CPU time over the window's wall time, drain included (1 = one core busy). */
  serverCpuUtil: number;
  requests: number;
  /** Operations the server completed in the window (requests ÷ pages per op). */
  ops: number;
  callsByCommand: Record<string, number>;
  itemsByCommand: Record<string, number>;
  errors: number;
}

export interface Measured extends Omit<WindowResult, 'requests' | 'ops' | 'callsByCommand' | 'itemsByCommand'> {
  /** Over all windows: calls and items per op of each command. */
  callsByCommandPerOp: Record<string, number>;
  itemsByCommandPerOp: Record<string, number>;
  scenario: string;
  variant: Variant;
  backend: 'dynamodb-local' | 'stub' | 'none';
  connections: number;
  /** One op read alone before the load, as extensions.dynamodb reported it. */
  sample: { calls: number; rcu: number; callsByCommand: Record<string, number> };
  windows: WindowResult[];
}

export interface WriteResult {
  scenario: string;
  concurrency: number;
  ops: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  callsPerOp: number;
  callsByCommand: Record<string, number>;
  wcuPerOp: number;
  rcuPerOp: number;
  cpuMsPerOp: number;
  analyticWcu: number;
  analyticWhy: string;
  errors: number;
}

export interface RunResults {
  generatedAt: string;
  durationS: number;
  /** os.loadavg() at the start and end: other work on the machine during the run. */
  loadAverage: { before: number[]; after: number[] };
  versions: Record<string, unknown> & { node: string; cpus: string; packages: Record<string, string> };
  settings: Record<string, unknown> & {
    mode: string;
    phaseWarmupS: number;
    warmupS: number;
    stubWarmupS: number;
    windowS: number;
    bigWindowS: number;
    stubWindowS: number;
    rounds: number;
    pinned: boolean;
    nodeFlags?: string[];
  };
  placement: { role: string; pid: number; cpus: string }[];
  /** Ops the schema does not serve, with graphql's reason. */
  skipped: { scenario: string; reason: string }[];
  floors: { scenario: string; floor: number; why: string; calls: number; callsByCommand: Record<string, number>; met: boolean }[];
  measured: Measured[];
  sdk: SdkFit & { before: SdkFit; after: SdkFit };
  writes: WriteResult[];
  /** Ours, textbook and naive under the stub's latency model (bench/latency.ts). */
  latency?: LatencyResults;
  coldStart?: ColdStartResults;
  profile?: ProfileSummary;
  /** Server CPU per op with metrics, with tracing, and with neither (bench/observe-overhead.ts). */
  observability?: ObserveOverhead;
  /** Server CPU per op of a document sent by its trusted id and in full (bench/trusted-documents.ts). */
  trustedDocuments?: TrustedDocumentsResult;
  /** @live queries: delay, many open under writes, polling beside (bench/live-queries.ts). */
  liveQueries?: LiveQueryResults;
}

export interface SdkFit {
  perCallUs: number;
  perItemUs: number;
  r2: number;
  byCommand: Record<string, { perCallUs: number; perItemUs: number }>;
  iterations: number;
  points: { command: string; items: number; cpuUsPerCall: number; systemUsPerCall: number }[];
}

export interface ReportTarget {
  id: string;
  target: string;
  measured: string;
  met: boolean;
  note?: string;
}
