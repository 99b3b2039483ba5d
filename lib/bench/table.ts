/** The benchmark's short table on stdout: one line per mode, batch and frame size, TypeScript beside native. */
import { mpps, nsPerPacket, ratio, type BenchPair } from './results';

const HEADER = ['mode', 'frame', 'batch', 'TS Mpps', 'TS ns/pkt', 'C++ Mpps', 'C++ ns/pkt', 'TS/C++', 'heap growth'];

function fixed(v: number, digits: number): string {
  return Number.isFinite(v) ? v.toFixed(digits) : '-';
}

/** Bytes as a short human figure: `512 B`, `12.3 KiB`, `1.50 MiB` (signed). */
export function formatBytes(bytes: number): string {
  const a = Math.abs(bytes);
  if (a < 1024) return `${bytes} B`;
  if (a < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

/** The cells of one pair's row (`-` for what was not measured). */
export function rowCells(pair: BenchPair): string[] {
  const r = ratio(pair);
  return [
    pair.mode,
    String(pair.frameSize + 4),
    String(pair.batch),
    pair.ts === undefined ? '-' : fixed(mpps(pair.ts), 2),
    pair.ts === undefined ? '-' : fixed(nsPerPacket(pair.ts), 1),
    pair.native === undefined ? '-' : fixed(mpps(pair.native), 2),
    pair.native === undefined ? '-' : fixed(nsPerPacket(pair.native), 1),
    Number.isNaN(r) ? '-' : `${(r * 100).toFixed(0)}%`,
    pair.ts?.heapGrowthBytes === undefined ? '-' : formatBytes(pair.ts.heapGrowthBytes),
  ];
}

/** Right-aligned columns with a header line; `frame` is the size on the wire (with FCS). */
export function formatTable(pairs: readonly BenchPair[]): string {
  const rows = [HEADER, ...pairs.map(rowCells)];
  const widths = HEADER.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]): string => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n') + '\n';
}
