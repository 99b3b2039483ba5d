/**
 * RFC 2544 benchmark of a device under test between two tsnic devices: for each frame size, the
 * throughput (highest zero-loss rate, binary search), the latency at that rate (probes timed by the
 * NICs' IEEE 1588 units, or the host's clock on NICs without one), and the loss rate at 10%..100% of
 * line rate. Frame sizes follow RFC 2544 (with the 4-byte FCS: 64..1518); the trials send them as
 * frames of size - 4 bytes to the driver.
 */
import type { NetDevice } from '../../device';
import { checkInteger, TsnicError } from '../../errors';
import { parseMac } from '../frame-builder';
import { ProbeScheduler } from '../latency/probes';
import type { LatencySummary, TimestampKind } from '../latency/stats';
import { probeTimerFor } from '../latency/timer';
import { searchThroughput } from './search';
import { runTrial, type TrialResult } from './trial';

export { renderRfc2544Plot } from './plot';
export { formatRfc2544Table } from './report';
export { searchThroughput, type SearchResult, type TrialRunner } from './search';
export { runTrial, type TrialOptions, type TrialResult } from './trial';

/** RFC 2544's frame sizes for Ethernet, FCS included (section 9.1). */
export const RFC2544_FRAME_SIZES: readonly number[] = [64, 128, 256, 512, 1024, 1280, 1518];

/** Options of {@link runRfc2544}. */
export interface Rfc2544Options {
  /** Frame sizes with FCS, 64..1518. Default {@link RFC2544_FRAME_SIZES}. */
  frameSizes?: readonly number[];
  /** Seconds per trial (RFC 2544 asks for 60; shorter trials find shorter bursts of loss less often). Default 1. */
  trialS?: number;
  /** Search resolution, percent of line rate. Default 0.5. */
  resolutionPct?: number;
  /** Loss-rate steps, percent of line rate. Default 10, 20, .., 100. */
  lossSteps?: readonly number[];
  /** Milliseconds between latency probes in the latency trial. Default 1. */
  probeIntervalMs?: number;
  /** Destination MAC of the load. Default: the receiving device's. */
  dstMac?: string;
  /** Source MAC. Default: the sending device's. */
  srcMac?: string;
  /** After each trial, receive until every frame is back or none of the trial's came for this long (ms). Default 500. */
  drainMs?: number;
  /** Line rate in Mbit/s. Default: the sending device's link speed. */
  lineMbps?: number;
  /** Called after every trial (progress). */
  onTrial?: (frameSize: number, phase: 'search' | 'latency' | 'loss', t: TrialResult) => void;
  /** Stops early (the result covers what ran). */
  signal?: AbortSignal;
}

/** One point of the loss curve. */
export interface LossPoint {
  /** Percent of line rate asked for. */
  percent: number;
  /** The trial. */
  trial: TrialResult;
}

/** Results for one frame size. */
export interface Rfc2544SizeResult {
  /** Frame size with FCS. */
  frameSize: number;
  /** Line rate for this size, frames per second (preamble, SFD and inter-frame gap included). */
  lineRatePps: number;
  /** Highest zero-loss rate found, frames per second (0: none). */
  throughputPps: number;
  /** {@link throughputPps} as percent of line rate. */
  throughputPct: number;
  /** Trials of the search. */
  searchTrials: TrialResult[];
  /** Latency at the throughput rate (absent when no rate passed). */
  latency?: LatencySummary;
  /** The load trial the latency was measured in. */
  latencyTrial?: TrialResult;
  /** Loss at each step of line rate. */
  loss: LossPoint[];
}

/** A whole run. */
export interface Rfc2544Result {
  /** Sending and receiving device (PCI addresses or sim ports). */
  tx: string;
  rx: string;
  /** Where latency timestamps came from. */
  timestamps: TimestampKind;
  /** Line rate used, Mbit/s. */
  lineMbps: number;
  /** Seconds per trial. */
  trialS: number;
  /** Search resolution, percent of line rate. */
  resolutionPct: number;
  /** Per frame size, in the order asked. */
  sizes: Rfc2544SizeResult[];
}

/** Frames per second at `mbps` for frames of `frameSize` bytes with FCS, plus 20 bytes of preamble, SFD and gap. */
export function lineRateFor(mbps: number, frameSize: number): number {
  return (mbps * 1e6) / ((frameSize + 20) * 8);
}

/** Runs the RFC 2544 throughput, latency and loss-rate tests from `tx` through the device under test to `rx`. */
export async function runRfc2544(tx: NetDevice, rx: NetDevice, opts: Rfc2544Options = {}): Promise<Rfc2544Result> {
  const sizes = (opts.frameSizes ?? RFC2544_FRAME_SIZES).map((s) => checkInteger('frame size', s, 64, 1518));
  const trialS = opts.trialS ?? 1;
  if (!(trialS > 0) || !Number.isFinite(trialS)) throw new TsnicError('ERR_INVALID_ARG', `trial length must be above 0 s, got ${String(trialS)}`);
  const resolutionPct = opts.resolutionPct ?? 0.5;
  if (!(resolutionPct > 0 && resolutionPct <= 50)) {
    throw new TsnicError('ERR_INVALID_ARG', `resolution must be above 0 and at most 50 percent of line rate, got ${String(resolutionPct)}`);
  }
  const lossSteps = opts.lossSteps ?? [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
  for (const p of lossSteps) {
    if (!(p > 0 && p <= 100)) throw new TsnicError('ERR_INVALID_ARG', `loss steps must be percentages above 0 up to 100, got ${String(p)}`);
  }
  const lineMbps = opts.lineMbps ?? tx.linkStatus().speedMbps;
  if (!(lineMbps > 0)) {
    throw new TsnicError('ERR_LINK_TIMEOUT', `${tx.pci.address}: no link (speed 0): connect the device under test, wait for link, or give lineMbps`);
  }
  const dstMac = parseMac('dstMac', opts.dstMac ?? rx.mac);
  const srcMac = parseMac('srcMac', opts.srcMac ?? tx.mac);
  const signal = opts.signal;
  const aborted = (): boolean => signal?.aborted === true;
  const timer = probeTimerFor(tx, rx);
  const result: Rfc2544Result = {
    tx: tx.pci.address, rx: rx.pci.address, timestamps: timer.kind, lineMbps, trialS, resolutionPct, sizes: [],
  };
  for (const frameSize of sizes) {
    if (aborted()) break;
    const size = frameSize - 4;
    const line = lineRateFor(lineMbps, frameSize);
    const trial = (ratePps: number, phase: 'search' | 'latency' | 'loss', probes?: ProbeScheduler): Promise<TrialResult> =>
      runTrial(tx, rx, { ratePps, durationS: trialS, size, dstMac, srcMac, drainMs: opts.drainMs, probes, signal }).then((r) => {
        opts.onTrial?.(frameSize, phase, r);
        return r;
      });
    const search = await searchThroughput(line, resolutionPct / 100, (r) => trial(r, 'search'), signal);
    const entry: Rfc2544SizeResult = {
      frameSize, lineRatePps: line, throughputPps: search.throughputPps, throughputPct: (100 * search.throughputPps) / line,
      searchTrials: search.trials, loss: [],
    };
    if (search.throughputPps > 0 && !aborted()) {
      const probes = new ProbeScheduler(tx, timer, { size, dstMac, srcMac, intervalMs: opts.probeIntervalMs });
      entry.latencyTrial = await trial(search.throughputPps, 'latency', probes);
      entry.latency = probes.recorder.summary();
    }
    for (const percent of lossSteps) {
      if (aborted()) break;
      entry.loss.push({ percent, trial: await trial((line * percent) / 100, 'loss') });
    }
    result.sizes.push(entry);
  }
  return result;
}
