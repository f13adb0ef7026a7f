// The few statistics the report uses (medians of windows, least-squares fits), and the seeded
// generator the seeded data and the latency model draw from, so every run draws the same numbers.

export function median(xs: readonly number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Ordinary least squares y = intercept + slope·x. */
export function linearFit(points: readonly (readonly [number, number])[]): { slope: number; intercept: number; r2: number } {
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { slope, intercept: my - slope * mx, r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy) };
}

/** Least squares y = a·x1 + b·x2 (no intercept), from rows [x1, x2, y]. */
export function fit2(rows: readonly (readonly [number, number, number])[]): { a: number; b: number; r2: number } {
  let s11 = 0;
  let s12 = 0;
  let s22 = 0;
  let s1y = 0;
  let s2y = 0;
  for (const [x1, x2, y] of rows) {
    s11 += x1 * x1;
    s12 += x1 * x2;
    s22 += x2 * x2;
    s1y += x1 * y;
    s2y += x2 * y;
  }
  const det = s11 * s22 - s12 * s12;
  const a = (s1y * s22 - s2y * s12) / det;
  const b = (s11 * s2y - s12 * s1y) / det;
  const mean = rows.reduce((acc, r) => acc + r[2], 0) / rows.length;
  const ssTot = rows.reduce((acc, r) => acc + (r[2] - mean) ** 2, 0);
  const ssRes = rows.reduce((acc, r) => acc + (r[2] - a * r[0] - b * r[1]) ** 2, 0);
  return { a, b, r2: ssTot === 0 ? 1 : 1 - ssRes / ssTot };
}

export const round = (x: number, digits = 3) => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : null);

export interface SdkPoint {
  command: string;
  items: number;
  cpuUsPerCall: number;
}

/** The SDK's cost per call and per item: one fit per command (cpu = perCall + perItem·items) and one over all. */
export function sdkFits(points: readonly SdkPoint[]) {
  const byCommand: Record<string, { perCallUs: number; perItemUs: number }> = {};
  for (const command of new Set(points.map((p) => p.command))) {
    const pts = points.filter((p) => p.command === command);
    const { slope, intercept } =
      new Set(pts.map((p) => p.items)).size > 1
        ? linearFit(pts.map((p) => [p.items, p.cpuUsPerCall]))
        : { slope: 0, intercept: median(pts.map((p) => p.cpuUsPerCall)) };
    byCommand[command] = { perCallUs: intercept, perItemUs: slope };
  }
  const { a, b, r2 } = fit2(points.map((p) => [1, p.items, p.cpuUsPerCall]));
  return { byCommand, perCallUs: a, perItemUs: b, r2 };
}

/** mulberry32: a small, fast, seedable PRNG with a uniform output in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a of a string: a seed derived from a name. */
export const seedOf = (s: string) => [...s].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0, 2166136261);
