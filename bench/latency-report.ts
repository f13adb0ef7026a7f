// The latency section of bench/RESULTS.md, its targets and bench/latency.svg (p50 against fan-out
// for ours, the textbook peer and naive, with the floor).
import { LATENCY_VARIANTS, type LatencyResults, type LatencyRow } from './latency.js';
import { logPanelFrame, svgPage } from './svg.js';

export const FLOOR_FACTOR = 1.15;

const f = (x: number | undefined, d = 1) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));

const row = (l: LatencyResults, scenario: string, variant: string, concurrency: number): LatencyRow | undefined =>
  l.rows.find((r) => r.scenario === scenario && r.variant === variant && r.concurrency === concurrency);

export interface LatencyTarget {
  id: string;
  target: string;
  measured: string;
  met: boolean;
}

export function latencyTargets(l: LatencyResults): LatencyTarget[] {
  const out: LatencyTarget[] = [];
  const high = Math.max(...l.concurrencies);
  for (const fl of l.floors) {
    const o = row(l, fl.scenario, 'ours', 1);
    if (!o) continue;
    out.push({
      id: `latency ${fl.scenario} (c=1)`,
      target: `ours p50 ≤ ${FLOOR_FACTOR} × floor = ${f(FLOOR_FACTOR * fl.floorMs)} ms`,
      measured: `${f(o.p50Ms)} ms = ${f(o.p50Ms / fl.floorMs, 2)} × floor (${fl.minWaves} waves ${f(fl.modelMs)} + timers ${f(fl.overshootMs)} + CPU ${f(fl.cpuMs)})`,
      met: o.p50Ms <= FLOOR_FACTOR * fl.floorMs,
    });
    const t = row(l, fl.scenario, 'textbook', 1);
    if (t && o.waves < t.waves) {
      const th = row(l, fl.scenario, 'textbook', high);
      const oh = row(l, fl.scenario, 'ours', high);
      out.push({
        id: `latency ${fl.scenario} vs textbook`,
        target: `ours ahead where it saves a wave (${o.waves} vs ${t.waves})`,
        measured: `textbook p50 / ours p50 = ×${f(t.p50Ms / o.p50Ms, 2)} at c=1, ×${f((th?.p50Ms ?? NaN) / (oh?.p50Ms ?? NaN), 2)} at c=${high}`,
        met: o.p50Ms < t.p50Ms,
      });
    }
  }
  return out;
}

function table(head: string[], rows: (string | number)[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export function latencyMarkdown(l: LatencyResults): string {
  const high = Math.max(...l.concurrencies);
  const scenarios = l.floors.map((x) => x.scenario);
  const pair = (r: LatencyRow | undefined) => (r ? `${f(r.p50Ms)} / ${f(r.p99Ms)}` : '–');
  return `## Latency under a DynamoDB latency model: ours, the textbook peer, naive

The stub DynamoDB (bench/stub-dynamo.ts) answers each call after a delay drawn from a lognormal
per command (bench/latency-model.ts, seed ${l.seed}), so each sequential wave of calls costs what it
costs on AWS. **textbook** is the same SDL on Apollo + DataLoader as the docs teach it
(bench/textbook: a loader per entity type doing BatchGetItem, a Query per list field, no read-ahead,
priming or look-ahead); **naive** is one GetItem per related item. Each op is read whole (all its
pages, each with the previous page's cursor) by a closed loop of clients at concurrency 1 and ${high};
every variant's answer is checked and must agree. Server processes run on one core shared with
other work, so the milliseconds are this machine's: the claims are the ratios and the wave and call
counts.

The floor of an op: the median of its fewest waves under the model (Monte Carlo; a wave lasts as
long as its slowest call) + the stub's timer overshoot for that many waves (Node's timers fire late
by the amounts below) + our server's CPU for the op at concurrency 1.

${table(
  ['command', 'model p50 ms', 'model p99 ms', 'ms per item', 'calls', 'mean drawn ms', 'mean delivered ms'],
  Object.entries(l.model).map(([c, m]) => [
    c,
    m.p50Ms,
    m.p99Ms,
    m.perItemMs,
    l.delivered[c]?.calls ?? 0,
    f(l.delivered[c]?.drawnMs, 2),
    f(l.delivered[c]?.deliveredMs, 2),
  ]),
)}

${table(
  [
    'scenario',
    'waves ours / textbook / naive (fewest)',
    'calls ours / textbook / naive',
    'floor ms',
    'ours p50/p99 c=1',
    'textbook p50/p99 c=1',
    'naive p50/p99 c=1',
    'ours / floor',
    'textbook / ours c=1',
    `ours p50/p99 c=${high}`,
    `textbook p50/p99 c=${high}`,
    `naive p50/p99 c=${high}`,
    `textbook / ours c=${high}`,
  ],
  scenarios.map((sc) => {
    const fl = l.floors.find((x) => x.scenario === sc)!;
    const [o, t, n] = LATENCY_VARIANTS.map((v) => row(l, sc, v, 1));
    const [oh, th, nh] = LATENCY_VARIANTS.map((v) => row(l, sc, v, high));
    return [
      sc,
      `${o?.waves ?? '–'} / ${t?.waves ?? '–'} / ${n?.waves ?? '–'} (${fl.minWaves})`,
      `${o?.calls ?? '–'} / ${t?.calls ?? '–'} / ${n?.calls ?? '–'}`,
      f(fl.floorMs),
      pair(o),
      pair(t),
      pair(n),
      f((o?.p50Ms ?? NaN) / fl.floorMs, 2),
      `×${f((t?.p50Ms ?? NaN) / (o?.p50Ms ?? NaN), 2)}`,
      pair(oh),
      pair(th),
      pair(nh),
      `×${f((th?.p50Ms ?? NaN) / (oh?.p50Ms ?? NaN), 2)}`,
    ];
  }),
)}

Fewest waves, and why: ${l.floors.map((x) => `${x.scenario} ${x.minWaves} (${x.why})`).join('; ')}.

![p50 latency against fan-out under the model, ours vs textbook vs naive](latency.svg)
`;
}

/** Log-log p50 (concurrency 1) against fan-out, one panel per list, one line per server plus the floor. */
export function latencyChart(l: LatencyResults): string {
  const families = ['followers', 'players', 'feed'] as const;
  const colours: Record<string, string> = { ours: '#1f77b4', textbook: '#ff7f0e', naive: '#d62728', floor: '#999' };
  const W = 960;
  const H = 380;
  const pw = 270;
  const top = 50;
  const ph = 250;
  const fanouts = [...new Set(l.rows.filter((r) => r.scenario === `${r.family}-${r.fanout}`).map((r) => r.fanout))].sort((a, b) => a - b);
  const values = l.rows.filter((r) => r.concurrency === 1).map((r) => r.p50Ms);
  const lo = Math.floor(Math.log10(Math.max(0.1, Math.min(...values, ...l.floors.map((x) => x.floorMs)))));
  const hi = Math.ceil(Math.log10(Math.max(...values, 10)));
  const maxN = Math.max(...fanouts, 10);
  const ys = (v: number) => top + ph - ((Math.log10(v) - lo) / (hi - lo || 1)) * ph;
  const parts = svgPage(W, H, 'p50 latency per op at concurrency 1 under the DynamoDB latency model (log-log)');
  families.forEach((fam, i) => {
    const x0 = 60 + i * (pw + 45);
    const xs = (n: number) => x0 + (Math.log10(n) / Math.log10(maxN)) * pw;
    parts.push(...logPanelFrame({ title: fam, x0, top, pw, ph, lo, hi, ys, xs, xTicks: fanouts, xLabel: 'fan-out (ms on the y axis)' }));
    const series: [string, [number, number][]][] = [
      ...LATENCY_VARIANTS.map(
        (v) =>
          [
            v,
            fanouts.flatMap((n) => {
              const r = row(l, `${fam}-${n}`, v, 1);
              return r ? [[n, r.p50Ms] as [number, number]] : [];
            }),
          ] as [string, [number, number][]],
      ),
      [
        'floor',
        fanouts.flatMap((n) => {
          const fl = l.floors.find((x) => x.scenario === `${fam}-${n}`);
          return fl ? [[n, fl.floorMs] as [number, number]] : [];
        }),
      ],
    ];
    for (const [name, pts] of series) {
      if (!pts.length) continue;
      const dash = name === 'floor' ? ' stroke-dasharray="2 3"' : '';
      parts.push(
        `<polyline points="${pts.map(([n, v]) => `${xs(n).toFixed(1)},${ys(v).toFixed(1)}`).join(' ')}" fill="none" stroke="${colours[name]}" stroke-width="2"${dash}/>`,
        ...pts.map(([n, v]) => `<circle cx="${xs(n).toFixed(1)}" cy="${ys(v).toFixed(1)}" r="3" fill="${colours[name]}"/>`),
      );
    }
  });
  ['ours', 'textbook', 'naive', 'floor'].forEach((name, i) => {
    const x = 60 + i * 160;
    parts.push(
      `<line x1="${x}" x2="${x + 24}" y1="${H - 14}" y2="${H - 14}" stroke="${colours[name]}" stroke-width="2"${name === 'floor' ? ' stroke-dasharray="2 3"' : ''}/>`,
      `<text x="${x + 30}" y="${H - 10}">${name === 'floor' ? 'floor (fewest waves + CPU)' : name}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
