/**
 * The benchmark's plots as hand-written SVG: packets per second (or, for the lockstep points, driver ns
 * per packet) against batch size (log2 axis), one line per mode and driver (TypeScript solid, C++ reference dashed, same colour per mode).
 * Every point has a marker: filled, or hollow for a point flagged so (the threaded plot's model-bound
 * points), explained by a legend entry.
 */

/** A point: batch size, value, and whether its marker is hollow (default filled). */
export type PlotPoint = [batch: number, value: number, hollow?: boolean];

/** One line of the plot. */
export interface PlotSeries {
  /** Legend text. */
  label: string;
  /** CSS colour. */
  color: string;
  /** Dashed line (the native reference). */
  dashed: boolean;
  /** Points, any order. */
  points: PlotPoint[];
}

/** What the legend says about hollow markers (lines of text), when any point is hollow. */
export interface PlotOptions {
  /** y axis label. Default `Mpps`. */
  yLabel?: string;
  /** Legend text of the hollow marker, one string per line. Default `['hollow: flagged']`. */
  hollowLabel?: readonly string[];
}

const W = 720;
const H = 440;
const LEFT = 60;
const RIGHT = 190;
const TOP = 40;
const BOTTOM = 50;

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A "nice" upper bound for the y axis (1, 2 or 5 times a power of ten, at least `max`). */
export function niceCeil(max: number): number {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

const MARKER_R = 3.5;

function marker(cx: string, cy: string, color: string, hollow: boolean): string {
  return `<circle cx="${cx}" cy="${cy}" r="${MARKER_R}" fill="${hollow ? 'white' : color}" stroke="${color}" stroke-width="1.5"/>`;
}

/** Renders the series as a complete SVG document titled `title`. */
export function renderPlot(title: string, series: readonly PlotSeries[], options: PlotOptions = {}): string {
  const yLabel = options.yLabel ?? 'Mpps';
  const xs = series.flatMap((s) => s.points.map((p) => p[0])).filter((x) => x > 0);
  const xMin = xs.length > 0 ? Math.min(...xs) : 1;
  const xMax = xs.length > 0 ? Math.max(...xs, xMin * 2) : 2;
  const yMax = niceCeil(Math.max(0, ...series.flatMap((s) => s.points.map((p) => p[1]))));
  const plotW = W - LEFT - RIGHT;
  const plotH = H - TOP - BOTTOM;
  const x = (v: number): number => LEFT + ((Math.log2(v) - Math.log2(xMin)) / (Math.log2(xMax) - Math.log2(xMin))) * plotW;
  const y = (v: number): number => TOP + plotH - (v / yMax) * plotH;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`);
  // Axes, grid and ticks.
  out.push(`<line x1="${LEFT}" y1="${TOP + plotH}" x2="${LEFT + plotW}" y2="${TOP + plotH}" stroke="black"/>`);
  out.push(`<line x1="${LEFT}" y1="${TOP}" x2="${LEFT}" y2="${TOP + plotH}" stroke="black"/>`);
  for (let b = xMin; b <= xMax; b *= 2) {
    const px = x(b).toFixed(1);
    out.push(`<line x1="${px}" y1="${TOP}" x2="${px}" y2="${TOP + plotH}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${px}" y="${TOP + plotH + 16}" text-anchor="middle">${b}</text>`);
  }
  for (let i = 0; i <= 5; i++) {
    const v = (yMax * i) / 5;
    const py = y(v).toFixed(1);
    out.push(`<line x1="${LEFT}" y1="${py}" x2="${LEFT + plotW}" y2="${py}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${LEFT - 6}" y="${py}" text-anchor="end" dominant-baseline="middle">${Number(v.toFixed(2))}</text>`);
  }
  out.push(`<text x="${LEFT + plotW / 2}" y="${H - 12}" text-anchor="middle">batch size (packets per rx/tx call)</text>`);
  out.push(`<text x="16" y="${TOP + plotH / 2}" text-anchor="middle" transform="rotate(-90 16 ${TOP + plotH / 2})">${escapeXml(yLabel)}</text>`);
  // One polyline per series with a marker per point, and its legend entry.
  const lx = LEFT + plotW + 16;
  series.forEach((s, i) => {
    const color = escapeXml(s.color);
    const pts = [...s.points].filter((p) => p[0] > 0).sort((a, b) => a[0] - b[0]);
    const d = pts.map((p) => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${d}"/>`);
    for (const p of pts) out.push(marker(x(p[0]).toFixed(1), y(p[1]).toFixed(1), color, p[2] === true));
    const ly = TOP + 10 + i * 20;
    out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 28}" y2="${ly}" stroke="${color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${lx + 34}" y="${ly}" dominant-baseline="middle">${escapeXml(s.label)}</text>`);
  });
  if (series.some((s) => s.points.some((p) => p[2] === true))) {
    const ly = TOP + 10 + series.length * 20 + 6;
    out.push(marker(String(lx + 14), String(ly), 'black', true));
    (options.hollowLabel ?? ['hollow: flagged']).forEach((line, k) => {
      out.push(`<text x="${lx + 34}" y="${ly + k * 15}" dominant-baseline="middle">${escapeXml(line)}</text>`);
    });
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
