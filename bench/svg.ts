// The pieces both benchmark charts (fanout.svg, latency.svg) draw alike: the page with its title,
// and a log-log panel's frame, grid and tick labels. Each chart draws its own series on top.

/** The opening of a W × H chart on white, with its title. */
export function svgPage(width: number, height: number, title: string): string[] {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${title}</text>`,
  ];
}

export interface LogPanel {
  title: string;
  /** Left edge, top edge, width and height of the plot area. */
  x0: number;
  top: number;
  pw: number;
  ph: number;
  /** The y axis spans 10^lo to 10^hi. */
  lo: number;
  hi: number;
  ys: (v: number) => number;
  xs: (n: number) => number;
  /** Where the x axis has a grid line and a label. */
  xTicks: readonly number[];
  xLabel: string;
}

/** The panel's title, frame, a grid line and label per power of ten up and per x tick across, and the x axis label. */
export function logPanelFrame(p: LogPanel): string[] {
  const parts = [
    `<text x="${p.x0 + p.pw / 2}" y="${p.top - 10}" text-anchor="middle" font-size="13">${p.title}</text>`,
    `<rect x="${p.x0}" y="${p.top}" width="${p.pw}" height="${p.ph}" fill="none" stroke="#999"/>`,
  ];
  for (let e = p.lo; e <= p.hi; e++) {
    const y = p.ys(10 ** e);
    parts.push(
      `<line x1="${p.x0}" x2="${p.x0 + p.pw}" y1="${y}" y2="${y}" stroke="#eee"/>`,
      `<text x="${p.x0 - 6}" y="${y + 4}" text-anchor="end">${10 ** e >= 1 ? 10 ** e : (10 ** e).toFixed(-e)}</text>`,
    );
  }
  for (const n of p.xTicks)
    parts.push(
      `<line x1="${p.xs(n)}" x2="${p.xs(n)}" y1="${p.top}" y2="${p.top + p.ph}" stroke="#eee"/>`,
      `<text x="${p.xs(n)}" y="${p.top + p.ph + 16}" text-anchor="middle">${n}</text>`,
    );
  parts.push(`<text x="${p.x0 + p.pw / 2}" y="${p.top + p.ph + 34}" text-anchor="middle">${p.xLabel}</text>`);
  return parts;
}
