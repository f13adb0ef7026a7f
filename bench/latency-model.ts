// The latency model the stub DynamoDB answers with: per command, a lognormal delay given by its
// median and 99th percentile, plus a cost per item returned (a BatchGetItem of 100 keys fans out
// to more partitions than one of 1). The defaults follow DynamoDB's published "single-digit
// millisecond" figures for in-region calls, with a tail of about 2.5 × the median at p99. Draws
// come from a seeded PRNG, one stream per command, so a run's delays repeat.
//
// A spec overrides the defaults: "Query=5/12/0.01,GetItem=3/8" (p50 ms / p99 ms / ms per item),
// "default", or "off" (no delay).

import { prng, seedOf } from './stats.js';

export interface CommandLatency {
  p50Ms: number;
  p99Ms: number;
  /** Added per item the call returns. */
  perItemMs: number;
}

export type LatencyModel = Record<string, CommandLatency>;

export const DEFAULT_MODEL: LatencyModel = {
  GetItem: { p50Ms: 3.5, p99Ms: 9, perItemMs: 0 },
  BatchGetItem: { p50Ms: 4, p99Ms: 10, perItemMs: 0.02 },
  Query: { p50Ms: 4.5, p99Ms: 11, perItemMs: 0.01 },
  PutItem: { p50Ms: 5, p99Ms: 12, perItemMs: 0 },
  UpdateItem: { p50Ms: 5, p99Ms: 12, perItemMs: 0 },
  TransactWriteItems: { p50Ms: 9, p99Ms: 22, perItemMs: 0 },
};

/** The standard normal's 99th percentile. */
const Z99 = 2.326348;

export function parseModel(spec: string | undefined): LatencyModel | undefined {
  if (!spec || spec === 'off') return undefined;
  const model: LatencyModel = { ...DEFAULT_MODEL };
  if (spec === 'default') return model;
  for (const part of spec.split(',')) {
    const m = /^(\w+)=([\d.]+)\/([\d.]+)(?:\/([\d.]+))?$/.exec(part.trim());
    if (!m) throw new Error(`Bad latency spec "${part}": expected Command=p50/p99[/perItem] in ms, like Query=4.5/11/0.01.`);
    const [p50Ms, p99Ms, perItemMs] = [Number(m[2]), Number(m[3]), Number(m[4] ?? 0)];
    if (!(p50Ms > 0 && p99Ms >= p50Ms)) throw new Error(`Bad latency spec "${part}": needs 0 < p50 ≤ p99.`);
    model[m[1]!] = { p50Ms, p99Ms, perItemMs };
  }
  return model;
}

/** Draws a delay in ms for (command, items); commands the model does not name take GetItem's figures. */
export function sampler(model: LatencyModel, seed: number): (command: string, items: number) => number {
  const streams = new Map<string, () => number>();
  return (command, items) => {
    const c = model[command] ?? model.GetItem ?? DEFAULT_MODEL.GetItem!;
    const random = streams.get(command) ?? streams.set(command, prng(seed ^ seedOf(command))).get(command)!;
    // Box-Muller: one standard normal from two uniforms (1 - u keeps the log finite).
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const sigma = Math.log(c.p99Ms / c.p50Ms) / Z99;
    return c.p50Ms * Math.exp(sigma * z) + c.perItemMs * items;
  };
}

/** One call of a wave: the command and the items it returns. */
export type Call = readonly [command: string, items: number];

/**
 * The median time of a sequence of waves under the model: each wave lasts as long as its slowest
 * call, the waves follow one another. Monte Carlo over `trials` draws with a fixed seed.
 */
export function planMedianMs(model: LatencyModel, waves: readonly (readonly Call[])[], trials = 4000, seed = 1): number {
  const draw = sampler(model, seed);
  const totals: number[] = [];
  for (let t = 0; t < trials; t++) {
    let total = 0;
    for (const wave of waves) total += Math.max(...wave.map(([c, n]) => draw(c, n)));
    totals.push(total);
  }
  totals.sort((a, b) => a - b);
  return totals[Math.floor(trials / 2)]!;
}
