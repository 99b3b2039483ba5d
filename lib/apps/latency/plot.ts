/**
 * The latency histogram as hand-written SVG, in the style of the benchmark's plot (lib/bench/plot.ts):
 * one bar per bin, the percentiles as dashed vertical lines, the timestamp source in the title.
 */
import { niceCeil } from '../../bench/plot';
import type { LatencySummary } from './stats';
import { formatNs } from './stats';

const W = 720;
const H = 440;
const LEFT = 60;
const RIGHT = 30;
const TOP = 40;
const BOTTOM = 60;

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Renders `s` as a complete SVG document titled `title`. */
export function renderLatencyPlot(title: string, s: LatencySummary): string {
  const bins = s.histogram;
  const plotW = W - LEFT - RIGHT;
  const plotH = H - TOP - BOTTOM;
  const lo = bins.length > 0 ? bins[0].fromNs : 0;
  const hi = bins.length > 0 ? bins[bins.length - 1].toNs : 1;
  const yMax = niceCeil(Math.max(1, ...bins.map((b) => b.count)));
  const x = (ns: number): number => LEFT + ((ns - lo) / (hi - lo)) * plotW;
  const y = (v: number): number => TOP + plotH - (v / yMax) * plotH;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(`${title} (${s.timestamps} timestamps, ${s.samples} samples)`)}</text>`);
  out.push(`<line x1="${LEFT}" y1="${TOP + plotH}" x2="${LEFT + plotW}" y2="${TOP + plotH}" stroke="black"/>`);
  out.push(`<line x1="${LEFT}" y1="${TOP}" x2="${LEFT}" y2="${TOP + plotH}" stroke="black"/>`);
  for (let i = 0; i <= 5; i++) {
    const v = (yMax * i) / 5;
    const py = y(v).toFixed(1);
    out.push(`<line x1="${LEFT}" y1="${py}" x2="${LEFT + plotW}" y2="${py}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${LEFT - 6}" y="${py}" text-anchor="end" dominant-baseline="middle">${v}</text>`);
  }
  for (let i = 0; i <= 4; i++) {
    const ns = lo + ((hi - lo) * i) / 4;
    out.push(`<text x="${x(ns).toFixed(1)}" y="${TOP + plotH + 16}" text-anchor="middle">${escapeXml(formatNs(ns))}</text>`);
  }
  out.push(`<text x="${LEFT + plotW / 2}" y="${H - 12}" text-anchor="middle">latency</text>`);
  out.push(`<text x="16" y="${TOP + plotH / 2}" text-anchor="middle" transform="rotate(-90 16 ${TOP + plotH / 2})">probes</text>`);
  for (const b of bins) {
    const x0 = x(b.fromNs);
    const w = Math.max(1, x(b.toNs) - x0 - 1);
    out.push(`<rect x="${x0.toFixed(1)}" y="${y(b.count).toFixed(1)}" width="${w.toFixed(1)}" height="${(TOP + plotH - y(b.count)).toFixed(1)}" fill="#1f77b4"/>`);
  }
  const marks: [string, number, string][] = [['p50', s.p50Ns, '#2ca02c'], ['p99', s.p99Ns, '#ff7f0e'], ['p99.9', s.p999Ns, '#d62728']];
  marks.forEach(([name, ns, color], i) => {
    if (!Number.isFinite(ns) || bins.length === 0) return;
    const px = x(ns).toFixed(1);
    out.push(`<line x1="${px}" y1="${TOP}" x2="${px}" y2="${TOP + plotH}" stroke="${color}" stroke-dasharray="6,4"/>`);
    out.push(`<text x="${px}" y="${TOP + 12 + 14 * i}" fill="${color}" text-anchor="start">${escapeXml(` ${name} ${formatNs(ns)}`)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
