/**
 * What the threaded benchmark reports beside its table: the plot's series (model-bound points hollow),
 * the targets, and the JSON's per-pair comparisons. A model-bound pair (results.ts
 * `modelBound`) never shows as a driver ratio in any of them.
 */
import type { PlotSeries } from './plot';
import { BENCH_MODES, comparison, MODEL_BOUND_BUSY, modelBound, mpps, pairPoints, ratio, type BenchComparison, type BenchPair, type BenchPoint } from './results';
import { formatBytes } from './table';

/** One colour per mode, shared by the threaded and the lockstep plot. */
export const MODE_COLORS = { tx: '#1f77b4', rx: '#ff7f0e', forward: '#2ca02c' } as const;

/** The legend lines of the threaded plot's hollow marker. */
export const MODEL_BOUND_LEGEND = ['model-bound: model', `thread busy >= ${MODEL_BOUND_BUSY * 100}%`, '(no TS/C++ ratio)'];

/**
 * The threaded plot: Mpps against batch for `frameSize`, one series per mode and implementation; a
 * point is hollow where its pair is model-bound (both sides of the pair, so the two lines agree).
 */
export function threadedSeries(points: readonly BenchPoint[], frameSize: number): PlotSeries[] {
  const bound = new Set(pairPoints(points).filter(modelBound).map((p) => `${p.mode}/${p.batch}/${p.frameSize}`));
  const series: PlotSeries[] = [];
  for (const mode of BENCH_MODES) {
    for (const impl of ['ts', 'native'] as const) {
      const pts = points.filter((p) => p.mode === mode && p.impl === impl && p.frameSize === frameSize);
      if (pts.length === 0) continue;
      series.push({
        label: `${mode} ${impl === 'ts' ? 'TypeScript' : 'C++ reference'}`,
        color: MODE_COLORS[mode],
        dashed: impl === 'native',
        points: pts.map((p) => [p.batch, mpps(p), bound.has(`${p.mode}/${p.batch}/${p.frameSize}`)]),
      });
    }
  }
  return series;
}

function busyOf(pair: BenchPair): string {
  const pct = (p: BenchPoint | undefined): string => (p === undefined ? '-' : `${(p.modelBusy * 100).toFixed(0)}%`);
  return `model thread busy TS ${pct(pair.ts)}, C++ ${pct(pair.native)}`;
}

/** Where the targets are read: the pairs of `frameSize` frames. */
export interface TargetOptions {
  frameSize: number;
  /** The --long run: its heap figure covers this many forwarded frames. */
  longFrames?: number;
}

/**
 * The targets, one line each: forward at batch 32 against the reference (never judged on a
 * model-bound pair), tx at batch 32 in Mpps (a miss is not judged when the TypeScript point was
 * model-bound), and the worst heap growth.
 */
export function threadedTargets(points: readonly BenchPoint[], o: TargetOptions): string[] {
  const pairs = pairPoints(points);
  const find = (mode: string, batch: number): BenchPair | undefined =>
    pairs.find((p) => p.mode === mode && p.batch === batch && p.frameSize === o.frameSize);
  const lines: string[] = [];
  const fwd = find('forward', 32);
  if (fwd?.ts !== undefined && fwd.native !== undefined) {
    if (modelBound(fwd)) {
      lines.push(`forward batch 32: model-bound (${busyOf(fwd)}): no driver ratio, target (>= 60% of native) not judged; see the lockstep driver cost`);
    } else {
      const r = ratio(fwd);
      lines.push(`forward batch 32: ${(r * 100).toFixed(0)}% of native (target >= 60%): ${r >= 0.6 ? 'met' : 'NOT met'}`);
    }
  }
  const tx = find('tx', 32);
  if (tx?.ts !== undefined) {
    // An absolute rate: reached is reached, but a model-bound miss is the model's ceiling, not the driver's.
    const m = mpps(tx.ts);
    const bound = tx.ts.modelBusy >= MODEL_BOUND_BUSY;
    const verdict = m > 14.88 ? 'met' : bound ? `not judged: model-bound (${busyOf(tx)})` : 'NOT met';
    lines.push(`tx batch 32: ${m.toFixed(2)} Mpps (target > 14.88): ${verdict}`);
  }
  const heaps = points.filter((p) => p.heapGrowthBytes !== undefined).map((p) => p.heapGrowthBytes ?? 0);
  if (heaps.length > 0) {
    const worst = Math.max(...heaps);
    const what = o.longFrames !== undefined ? `over ${o.longFrames / 1e6} M forwarded frames` : 'per run (worst)';
    lines.push(`heap growth ${what}: ${formatBytes(worst)} (target < 1 MiB): ${worst < 1024 * 1024 ? 'met' : 'NOT met'}`);
  }
  return lines;
}

/** The JSON's `comparisons`: every pair's ratio (null when model-bound) and both busy fractions. */
export function threadedComparisons(points: readonly BenchPoint[]): BenchComparison[] {
  return pairPoints(points).map(comparison);
}
