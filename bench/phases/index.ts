// The benchmark's phases, in the order they run. Each is one module; what one needs from an
// earlier one it finds on the shared Bench (bench/phases/bench.ts). To add a measurement, add a
// module and a line here.
import { answers } from './answers.js';
import type { Phase } from './bench.js';
import { coldStart } from './cold-start.js';
import { database } from './database.js';
import { latency } from './latency.js';
import { live } from './live.js';
import { liveCluster } from './live-cluster.js';
import { liveQueries } from './live-queries.js';
import { localReads } from './local-reads.js';
import { observability } from './observability.js';
import { profile } from './profile.js';
import { report } from './report.js';
import { sdkCalibration } from './sdk.js';
import { servers } from './servers.js';
import { stop } from './stop.js';
import { stubCost } from './stub-cost.js';
import { trustedDocuments } from './trusted-documents.js';
import { verdict } from './verdict.js';
import { writes } from './writes.js';

export const PHASES: Phase[] = [
  database,
  servers,
  answers,
  localReads,
  stubCost,
  observability,
  trustedDocuments,
  sdkCalibration,
  latency,
  profile,
  coldStart,
  writes,
  liveQueries,
  report,
  live,
  verdict,
  stop,
  liveCluster,
];
