/** The benchmark's data model: what one measured point is, and how a TypeScript point pairs with its native reference. */

/** What is measured: transmit only (pktgen), receive only, or forwarding between the two ports. */
export type BenchMode = 'tx' | 'rx' | 'forward';

/** Every mode, in report order. */
export const BENCH_MODES: readonly BenchMode[] = ['tx', 'rx', 'forward'];

/** Who drove the simulated NIC: the TypeScript ixgbe driver or the C++ reference loop. */
export type BenchImpl = 'ts' | 'native';

/** One measured run. */
export interface BenchPoint {
  mode: BenchMode;
  impl: BenchImpl;
  /** Packets per rx/tx call. */
  batch: number;
  /** Frame size in bytes without FCS (60 = a 64-byte frame on the wire). */
  frameSize: number;
  /** tx: frames queued; rx: frames received; forward: frames forwarded, both directions together. */
  packets: number;
  /** Duration of the measured loop, ns. */
  ns: number;
  /** Heap growth over the run (heapUsed after a forced gc, after minus before); TypeScript runs only. */
  heapGrowthBytes?: number;
  /**
   * The model thread's busy fraction over the measured loop, 0..1 (`SimCard.modelThreadLoad`): the
   * share of its time spent on passes that did work. At {@link MODEL_BOUND_BUSY} or above the point
   * is model-bound ({@link modelBound}).
   */
  modelBusy: number;
  /**
   * The share of a CPU the model thread got over the measured loop, 0..1: below ~1 other work took its
   * CPU (docs/benchmark.md, "Model-bound points", caveats). Context only; `modelBusy` decides.
   */
  modelCpu: number;
}

/** A TypeScript point beside the native reference for the same mode, batch and frame size. */
export interface BenchPair {
  mode: BenchMode;
  batch: number;
  frameSize: number;
  ts?: BenchPoint;
  native?: BenchPoint;
}

/** Million packets per second of a point (0 when nothing was measured). */
export function mpps(p: BenchPoint | undefined): number {
  return p === undefined || p.ns <= 0 ? 0 : (p.packets * 1e3) / p.ns;
}

/** Nanoseconds per packet of a point (Infinity when no packet passed). */
export function nsPerPacket(p: BenchPoint | undefined): number {
  return p === undefined || p.packets <= 0 ? Infinity : p.ns / p.packets;
}

/**
 * A point whose model thread was busy at least this share of the measured loop is model-bound
 * (docs/benchmark.md, "Model-bound points"): the model had under 10% slack, less than the +-30% the
 * same point swings between runs on this machine, so its rate is the model's and the driver's
 * together and a TS/C++ ratio of it says nothing about the drivers.
 */
export const MODEL_BOUND_BUSY = 0.9;

/** True when either side of the pair ran with its model thread busy at or above {@link MODEL_BOUND_BUSY}. */
export function modelBound(pair: BenchPair): boolean {
  return (pair.ts?.modelBusy ?? 0) >= MODEL_BOUND_BUSY || (pair.native?.modelBusy ?? 0) >= MODEL_BOUND_BUSY;
}

/**
 * TypeScript rate over native rate: a driver ratio. NaN when either side is missing or the pair is
 * {@link modelBound} (then the rates are the model's, not the drivers'): callers show why from
 * {@link modelBound}, never a ratio.
 */
export function ratio(pair: BenchPair): number {
  const n = mpps(pair.native);
  return pair.ts === undefined || n === 0 || modelBound(pair) ? NaN : mpps(pair.ts) / n;
}

/** A pair as the JSON summary gives it (`comparisons` of `npm run bench -- --json`). */
export interface BenchComparison {
  mode: BenchMode;
  batch: number;
  frameSize: number;
  /** {@link ratio} of the pair; null when a side is missing or the pair is model-bound. */
  tsOverNative: number | null;
  /** See {@link modelBound}. */
  modelBound: boolean;
  /** Each side's model busy fraction (null: that side was not measured). */
  modelBusy: { ts: number | null; native: number | null };
}

/** The JSON summary of `pair`. */
export function comparison(pair: BenchPair): BenchComparison {
  const r = ratio(pair);
  return {
    mode: pair.mode, batch: pair.batch, frameSize: pair.frameSize,
    tsOverNative: Number.isNaN(r) ? null : r,
    modelBound: modelBound(pair),
    modelBusy: { ts: pair.ts?.modelBusy ?? null, native: pair.native?.modelBusy ?? null },
  };
}

/** Groups points into pairs by mode, batch and frame size, in the order the points first appear. */
export function pairPoints(points: readonly BenchPoint[]): BenchPair[] {
  const pairs = new Map<string, BenchPair>();
  for (const p of points) {
    const key = `${p.mode}/${p.batch}/${p.frameSize}`;
    let pair = pairs.get(key);
    if (pair === undefined) {
      pair = { mode: p.mode, batch: p.batch, frameSize: p.frameSize };
      pairs.set(key, pair);
    }
    pair[p.impl] = p;
  }
  return [...pairs.values()];
}

/**
 * A lockstep point (docs/benchmark.md, "Driver cost in lockstep"): the driver's own cost per packet, the
 * model's passes timed natively and subtracted. The `driverCost` records of `npm run bench -- --json`.
 */
export interface DriverCost {
  mode: BenchMode;
  impl: BenchImpl;
  batch: number;
  /** Frame size in bytes without FCS (60 = a 64-byte frame on the wire). */
  frameSize: number;
  /** tx: frames queued; rx: frames received; forward: frames forwarded, both directions together. */
  packets: number;
  /** (loop time - model pass time) / packets, ns. */
  driverNsPerPacket: number;
  /** Model pass time / packets, ns. */
  modelNsPerPacket: number;
  /**
   * The driver's instructions per packet, counted under callgrind (`--instructions`,
   * lib/bench/instructions.ts); null when not counted.
   */
  instructionsPerPacket: number | null;
  /**
   * TypeScript points counted with `--instructions`: instructions per packet of V8-optimized code in
   * the loop (InstructionCount.optimizedJsPerPacket), the count that does not depend on tier-up timing.
   */
  optimizedJsInstructionsPerPacket?: number;
  /** TypeScript points: heap growth over the measured loop (heapUsed after forced full collections). */
  heapGrowthBytes?: number;
}

/**
 * A lockstep record from a loop's packets, total ns and model ns. `modelCallNs` is the time spent
 * getting into and out of the model outside its own clock (the JavaScript -> native call of `step()`),
 * counted as the model's: the driver is not billed for the benchmark's way of running the model.
 */
export function driverCost(mode: BenchMode, impl: BenchImpl, batch: number, frameSize: number, r: { packets: number; ns: number; modelNs: number }, modelCallNs = 0): DriverCost {
  const per = (ns: number): number => (r.packets > 0 ? ns / r.packets : Infinity);
  const model = r.modelNs + modelCallNs;
  return { mode, impl, batch, frameSize, packets: r.packets, driverNsPerPacket: per(r.ns - model), modelNsPerPacket: per(model), instructionsPerPacket: null };
}
