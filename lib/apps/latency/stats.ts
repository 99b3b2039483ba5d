/**
 * Latency samples and their summary: min, mean, percentiles (p50, p99, p99.9), max and a histogram.
 * Samples go into a preallocated array (no allocation per probe); the summary sorts a copy once.
 */
import { checkInteger } from '../../errors';

/** One histogram bin: samples in [fromNs, toNs). */
export interface LatencyBin {
  /** Lower edge, ns. */
  fromNs: number;
  /** Upper edge, ns (exclusive). */
  toNs: number;
  /** Samples in the bin. */
  count: number;
}

/** How the timestamps were taken. */
export type TimestampKind = 'hardware' | 'software';

/** A latency distribution (all times in ns). */
export interface LatencySummary {
  /** Where the timestamps came from: the NICs' IEEE 1588 units, or the host's clock around tx and rx. */
  timestamps: TimestampKind;
  /** Resolution of one timestamp, ns. */
  resolutionNs: number;
  /** Hardware: half the window in which the two NICs' clocks were compared (their offset's uncertainty), ns. */
  syncUncertaintyNs: number;
  /** Probes sent. */
  probesSent: number;
  /** Probes with a latency (both timestamps). */
  samples: number;
  /** Probes that never arrived (within the probe timeout). */
  probesLost: number;
  /** Probes that arrived without a usable timestamp (the NIC's latch was held or matched another frame). */
  probesUnstamped: number;
  /** Smallest latency (NaN without samples). */
  minNs: number;
  /** Mean. */
  meanNs: number;
  /** Median. */
  p50Ns: number;
  /** 99th percentile. */
  p99Ns: number;
  /** 99.9th percentile. */
  p999Ns: number;
  /** Largest. */
  maxNs: number;
  /** Histogram over [min, max] in equal bins. */
  histogram: LatencyBin[];
}

/** Collects latency samples of one run. */
export class LatencyRecorder {
  private readonly samples: Float64Array;
  private n = 0;
  /** Probes sent. */
  probesSent = 0;
  /** Probes that did not arrive in time. */
  probesLost = 0;
  /** Probes that arrived without a usable timestamp. */
  probesUnstamped = 0;
  /** Uncertainty of the offset between the two clocks, ns (hardware timestamps). */
  syncUncertaintyNs = 0;

  /**
   * @param kind where the timestamps come from
   * @param resolutionNs one timestamp's resolution
   * @param capacity most samples kept (later ones are counted in probesSent only)
   */
  constructor(readonly kind: TimestampKind, readonly resolutionNs: number, capacity = 200_000) {
    checkInteger('latency sample capacity', capacity, 1, 100_000_000);
    this.samples = new Float64Array(capacity);
  }

  /** Number of samples. */
  get count(): number {
    return this.n;
  }

  /** Adds one latency, ns. */
  add(ns: number): void {
    if (this.n < this.samples.length) this.samples[this.n++] = ns;
  }

  /** The distribution, with a histogram of `bins` equal bins (default 20). */
  summary(bins = 20): LatencySummary {
    const sorted = this.samples.slice(0, this.n).sort();
    const n = sorted.length;
    const at = (q: number): number => (n === 0 ? NaN : sorted[Math.min(n - 1, Math.ceil(q * n) - 1)]);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += sorted[i];
    return {
      timestamps: this.kind,
      resolutionNs: this.resolutionNs,
      syncUncertaintyNs: this.syncUncertaintyNs,
      probesSent: this.probesSent,
      samples: n,
      probesLost: this.probesLost,
      probesUnstamped: this.probesUnstamped,
      minNs: n === 0 ? NaN : sorted[0],
      meanNs: n === 0 ? NaN : sum / n,
      p50Ns: at(0.5),
      p99Ns: at(0.99),
      p999Ns: at(0.999),
      maxNs: n === 0 ? NaN : sorted[n - 1],
      histogram: histogram(sorted, bins),
    };
  }
}

/** `bins` equal bins from the smallest to the largest of `sorted` (ascending). */
export function histogram(sorted: Float64Array, bins: number): LatencyBin[] {
  checkInteger('histogram bins', bins, 1, 10_000);
  const n = sorted.length;
  if (n === 0) return [];
  const lo = sorted[0];
  const hi = sorted[n - 1];
  const width = hi > lo ? (hi - lo) / bins : 1;
  const out: LatencyBin[] = [];
  for (let b = 0; b < bins; b++) out.push({ fromNs: lo + b * width, toNs: lo + (b + 1) * width, count: 0 });
  for (let i = 0; i < n; i++) {
    const b = Math.min(bins - 1, Math.floor((sorted[i] - lo) / width));
    out[b].count++;
  }
  return out;
}

/** A latency in the unit that reads best: ns, us or ms, three significant digits. */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return '-';
  if (Math.abs(ns) < 1e3) return `${ns.toFixed(0)} ns`;
  if (Math.abs(ns) < 1e6) return `${(ns / 1e3).toPrecision(3)} us`;
  return `${(ns / 1e6).toPrecision(3)} ms`;
}
