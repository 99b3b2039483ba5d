/**
 * Latency of a path from one device to another, with probes mixed into a load: {@link measureLatency}
 * runs one trial (../rfc2544/trial.ts) at a set rate with a probe every `intervalMs`, timed by the
 * NICs' IEEE 1588 units when both have one (82599), by the host's clock otherwise.
 */
import type { NetDevice } from '../../device';
import { parseMac } from '../frame-builder';
import { runTrial, type TrialResult } from '../rfc2544/trial';
import { ProbeScheduler } from './probes';
import type { LatencySummary } from './stats';
import { probeTimerFor } from './timer';

export { renderLatencyPlot } from './plot';
export { formatNs, LatencyRecorder, type LatencyBin, type LatencySummary, type TimestampKind } from './stats';
export { measureClockOffset, probeTimerFor, type ClockOffset, type ProbeTimer } from './timer';
export { ProbeScheduler, type ProbeOptions } from './probes';

/** Options of {@link measureLatency}. */
export interface LatencyOptions {
  /** Load rate in frames per second (above 0). */
  ratePps: number;
  /** Seconds. */
  durationS: number;
  /** Frame size without FCS, 60..1514. Default 60. */
  size?: number;
  /** Milliseconds between probes. Default 1. */
  intervalMs?: number;
  /** Destination MAC of load and probes. Default: the receiving device's. */
  dstMac?: string;
  /** Source MAC. Default: the sending device's. */
  srcMac?: string;
  /** Stops early. */
  signal?: AbortSignal;
}

/** The load trial and the probes' latency. */
export interface LatencyResult {
  /** What the load did. */
  trial: TrialResult;
  /** The probes' latency distribution. */
  latency: LatencySummary;
}

/** Sends a load from `tx` to `rx` with latency probes in between; resolves with both. */
export async function measureLatency(tx: NetDevice, rx: NetDevice, opts: LatencyOptions): Promise<LatencyResult> {
  const size = opts.size ?? 60;
  const dstMac = parseMac('dstMac', opts.dstMac ?? rx.mac);
  const srcMac = parseMac('srcMac', opts.srcMac ?? tx.mac);
  const probes = new ProbeScheduler(tx, probeTimerFor(tx, rx), { size, dstMac, srcMac, intervalMs: opts.intervalMs });
  const trial = await runTrial(tx, rx, { ratePps: opts.ratePps, durationS: opts.durationS, size, dstMac, srcMac, probes, signal: opts.signal });
  return { trial, latency: probes.recorder.summary() };
}
