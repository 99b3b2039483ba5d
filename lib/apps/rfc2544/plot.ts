/**
 * The RFC 2544 loss curves as hand-written SVG, in the style of the benchmark's plot
 * (lib/bench/plot.ts): frame loss (percent) against offered load (percent of line rate), one line per
 * frame size, with the throughput found marked on the x axis.
 */
import type { Rfc2544Result } from './index';

const W = 720;
const H = 440;
const LEFT = 60;
const RIGHT = 150;
const TOP = 40;
const BOTTOM = 50;
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Renders the loss curves of `r` as a complete SVG document titled `title`. */
export function renderRfc2544Plot(title: string, r: Rfc2544Result): string {
  const plotW = W - LEFT - RIGHT;
  const plotH = H - TOP - BOTTOM;
  const x = (p: number): number => LEFT + (p / 100) * plotW;
  const y = (p: number): number => TOP + plotH - (p / 100) * plotH;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${(LEFT + plotW / 2).toFixed(0)}" y="22" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`);
  out.push(`<line x1="${LEFT}" y1="${TOP + plotH}" x2="${LEFT + plotW}" y2="${TOP + plotH}" stroke="black"/>`);
  out.push(`<line x1="${LEFT}" y1="${TOP}" x2="${LEFT}" y2="${TOP + plotH}" stroke="black"/>`);
  for (let v = 0; v <= 100; v += 20) {
    out.push(`<line x1="${x(v).toFixed(1)}" y1="${TOP}" x2="${x(v).toFixed(1)}" y2="${TOP + plotH}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${x(v).toFixed(1)}" y="${TOP + plotH + 16}" text-anchor="middle">${v}%</text>`);
    out.push(`<line x1="${LEFT}" y1="${y(v).toFixed(1)}" x2="${LEFT + plotW}" y2="${y(v).toFixed(1)}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${LEFT - 6}" y="${y(v).toFixed(1)}" text-anchor="end" dominant-baseline="middle">${v}%</text>`);
  }
  out.push(`<text x="${LEFT + plotW / 2}" y="${H - 12}" text-anchor="middle">offered load (percent of line rate)</text>`);
  out.push(`<text x="16" y="${TOP + plotH / 2}" text-anchor="middle" transform="rotate(-90 16 ${TOP + plotH / 2})">frame loss</text>`);
  r.sizes.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const pts = s.loss.map((p) => `${x(p.percent).toFixed(1)},${y(100 * p.trial.lossRatio).toFixed(1)}`);
    if (pts.length > 0) out.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`);
    out.push(`<path d="M${x(s.throughputPct).toFixed(1)},${TOP + plotH} l-5,8 l10,0 z" fill="${color}"/>`);
    const ly = TOP + 10 + i * 18;
    out.push(`<line x1="${LEFT + plotW + 12}" y1="${ly}" x2="${LEFT + plotW + 36}" y2="${ly}" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${LEFT + plotW + 42}" y="${ly}" dominant-baseline="middle">${s.frameSize} B (${s.throughputPct.toFixed(1)}%)</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
