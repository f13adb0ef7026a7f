// bench/fanout.svg, a hand-drawn log-log chart of cost against fan-out (bench/svg.ts draws the frame).
import { FANOUTS } from '../seed.js';
import type { RunResults } from '../results.js';
import { logPanelFrame, svgPage } from '../svg.js';
import { FAMILIES, find } from './derive.js';

// A hand-written log-log chart: calls per op and server CPU per op against fan-out, ours solid,
// naive dashed, one colour per list.
export function fanoutChart(r: RunResults): string {
  const W = 960;
  const H = 420;
  const colours: Record<string, string> = { followers: '#1f77b4', players: '#d62728', feed: '#2ca02c' };
  const panels = [
    { title: 'DynamoDB calls per op', key: 'callsPerOp' as const, x0: 70 },
    { title: 'server CPU ms per op', key: 'cpuMsPerOp' as const, x0: 540 },
  ];
  const pw = 380;
  const top = 50;
  const ph = 290;
  const xs = (n: number, x0: number) => x0 + (Math.log10(n) / 3) * pw;
  const parts = svgPage(W, H, 'Cost against fan-out, DynamoDB Local (log-log; ours solid, naive dashed)');
  for (const p of panels) {
    const values = r.measured
      .filter((m) => m.backend === 'dynamodb-local' && /^(followers|players|feed)-\d+$/.test(m.scenario))
      .map((m) => m[p.key])
      .filter((v) => v > 0);
    const lo = Math.floor(Math.log10(Math.min(...values, 1)));
    const hi = Math.ceil(Math.log10(Math.max(...values, 10)));
    const ys = (v: number) => top + ph - ((Math.log10(v) - lo) / (hi - lo || 1)) * ph;
    parts.push(
      ...logPanelFrame({
        title: p.title,
        x0: p.x0,
        top,
        pw,
        ph,
        lo,
        hi,
        ys,
        xs: (n) => xs(n, p.x0),
        xTicks: FANOUTS,
        xLabel: 'related items per op (fan-out)',
      }),
    );
    for (const fam of FAMILIES) {
      for (const variant of ['ours', 'naive'] as const) {
        const pts = FANOUTS.map((n) => [n, find(r, `${fam}-${n}`, variant, 'dynamodb-local')?.[p.key]] as const).filter(
          (q): q is readonly [(typeof FANOUTS)[number], number] => typeof q[1] === 'number' && q[1] > 0,
        );
        if (pts.length === 0) continue;
        const line = pts.map(([n, v]) => `${xs(n, p.x0).toFixed(1)},${ys(v).toFixed(1)}`).join(' ');
        parts.push(
          `<polyline points="${line}" fill="none" stroke="${colours[fam]}" stroke-width="2"${variant === 'naive' ? ' stroke-dasharray="6 4"' : ''}/>`,
        );
        for (const [n, v] of pts)
          parts.push(`<circle cx="${xs(n, p.x0).toFixed(1)}" cy="${ys(v).toFixed(1)}" r="3" fill="${colours[fam]}"/>`);
      }
    }
  }
  let lx = 70;
  for (const fam of FAMILIES) {
    parts.push(
      `<line x1="${lx}" x2="${lx + 24}" y1="${H - 18}" y2="${H - 18}" stroke="${colours[fam]}" stroke-width="2"/>`,
      `<text x="${lx + 30}" y="${H - 14}">${fam}</text>`,
    );
    lx += 120;
  }
  parts.push(
    `<line x1="${lx}" x2="${lx + 24}" y1="${H - 18}" y2="${H - 18}" stroke="#333" stroke-width="2"/><text x="${lx + 30}" y="${H - 14}">ours (batched)</text>`,
    `<line x1="${lx + 140}" x2="${lx + 164}" y1="${H - 18}" y2="${H - 18}" stroke="#333" stroke-width="2" stroke-dasharray="6 4"/><text x="${lx + 170}" y="${H - 14}">naive (GetItem per item)</text>`,
    '</svg>',
  );
  return `${parts.join('\n')}\n`;
}
