/** The benchmark's short table on stdout: one line per mode, batch and frame size, TypeScript beside native. */
import { modelBound, mpps, nsPerPacket, ratio, type BenchPair, type BenchPoint, type DriverCost } from './results';

const HEADER = ['mode', 'frame', 'batch', 'TS Mpps', 'TS ns/pkt', 'C++ Mpps', 'C++ ns/pkt', 'TS/C++', 'model busy TS/C++', 'heap growth'];

/** What the TS/C++ cell says for a model-bound pair (results.ts `modelBound`) instead of a ratio. */
export const MODEL_BOUND_CELL = 'model-bound';

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

function busy(p: BenchPoint | undefined): string {
  return p === undefined ? '-' : `${(p.modelBusy * 100).toFixed(0)}%`;
}

/** The TS/C++ cell: the ratio as a percentage, `model-bound`, or `-` when a side is missing. */
function ratioCell(pair: BenchPair): string {
  if (pair.ts !== undefined && pair.native !== undefined && modelBound(pair)) return MODEL_BOUND_CELL;
  const r = ratio(pair);
  return Number.isNaN(r) ? '-' : `${(r * 100).toFixed(0)}%`;
}

/** The cells of one pair's row (`-` for what was not measured). */
export function rowCells(pair: BenchPair): string[] {
  return [
    pair.mode,
    String(pair.frameSize + 4),
    String(pair.batch),
    pair.ts === undefined ? '-' : fixed(mpps(pair.ts), 2),
    pair.ts === undefined ? '-' : fixed(nsPerPacket(pair.ts), 1),
    pair.native === undefined ? '-' : fixed(mpps(pair.native), 2),
    pair.native === undefined ? '-' : fixed(nsPerPacket(pair.native), 1),
    ratioCell(pair),
    `${busy(pair.ts)} / ${busy(pair.native)}`,
    pair.ts?.heapGrowthBytes === undefined ? '-' : formatBytes(pair.ts.heapGrowthBytes),
  ];
}

/** Right-aligned columns with a header line; `frame` is the size on the wire (with FCS). */
export function formatTable(pairs: readonly BenchPair[]): string {
  return columns([HEADER, ...pairs.map(rowCells)]);
}

const COST_HEADER = ['mode', 'frame', 'batch', 'TS driver ns/pkt', 'C++ driver ns/pkt', 'TS/C++', 'TS model ns/pkt', 'C++ model ns/pkt'];

function columns(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]): string => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n') + '\n';
}

function instructions(c: DriverCost | undefined): string {
  return c?.instructionsPerPacket === null || c === undefined ? '-' : fixed(c.instructionsPerPacket, 0);
}

/** The lockstep table (with instructions per packet when any point was counted): driver ns per packet of TypeScript and C++ side by side, their ratio, and the model's share. */
export function formatDriverCostTable(costs: readonly DriverCost[]): string {
  const counted = costs.some((c) => c.instructionsPerPacket !== null);
  const rows: string[][] = [counted ? [...COST_HEADER, 'TS driver instr/pkt', 'C++ driver instr/pkt'] : COST_HEADER];
  const seen = new Set<string>();
  for (const c of costs) {
    const key = `${c.mode}/${c.frameSize}/${c.batch}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const same = (impl: string): DriverCost | undefined => costs.find((d) => d.impl === impl && `${d.mode}/${d.frameSize}/${d.batch}` === key);
    const ts = same('ts');
    const cc = same('native');
    const r = ts !== undefined && cc !== undefined ? ts.driverNsPerPacket / cc.driverNsPerPacket : NaN;
    const row = [
      c.mode, String(c.frameSize + 4), String(c.batch),
      ts === undefined ? '-' : fixed(ts.driverNsPerPacket, 1),
      cc === undefined ? '-' : fixed(cc.driverNsPerPacket, 1),
      Number.isFinite(r) ? `${r.toFixed(2)}x` : '-',
      ts === undefined ? '-' : fixed(ts.modelNsPerPacket, 1),
      cc === undefined ? '-' : fixed(cc.modelNsPerPacket, 1),
    ];
    if (counted) row.push(instructions(ts), instructions(cc));
    rows.push(row);
  }
  return columns(rows);
}
