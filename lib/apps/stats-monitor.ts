/**
 * stats: a receive sink that reports what arrives. Frames are received on every poll and freed at
 * once (so the ring never fills and `rx_missed` shows only what the host could not keep up with), and
 * the counters are reported every interval.
 */
import { performance } from 'node:perf_hooks';
import type { NetDevice } from '../device';
import { TsnicError } from '../errors';
import { PacketBatch } from '../memory/batch';
import { PortMeter, type IntervalStats } from './interval-stats';
import { batchSize, runLimits, SLICE_MS } from './loop';
import { peerOf, type TrafficSource } from './peer';
import { RunEnd } from './run-end';
import { endSlice } from './rx-sleep';

/** Options of {@link runStatsMonitor}. Without `durationS` it runs until `signal` aborts. */
export interface StatsMonitorOptions {
  /** Seconds between reports. Default 1. */
  intervalS?: number;
  /** Seconds to run. */
  durationS?: number;
  /** Frames per rxBatch call, 1..1024. Default 64. */
  batch?: number;
  /** Called every interval with the interval's counters. */
  onInterval?: (s: IntervalStats) => void;
  /** Stops the run (the totals are still returned). */
  signal?: AbortSignal;
  /**
   * The traffic feeding the device for this run: started once the counters' baselines are taken,
   * stopped at the end, and what it sent is received before the totals are taken. Without
   * `durationS`, the run also ends once the source finished and every frame it sent is received or
   * counted lost.
   */
  source?: TrafficSource;
}

/** Receives and drops frames on `dev` (rx queue 0), reporting every interval; resolves with the totals. */
export async function runStatsMonitor(dev: NetDevice, opts: StatsMonitorOptions = {}): Promise<IntervalStats> {
  const capacity = batchSize(opts.batch);
  const intervalS = opts.intervalS ?? 1;
  if (typeof intervalS !== 'number' || !(intervalS >= 0.01 && intervalS <= 3600)) {
    throw new TsnicError('ERR_INVALID_ARG', `interval must be 0.01 to 3600 seconds, got ${String(intervalS)}`);
  }
  runLimits(undefined, opts.durationS, 0);
  const batch = new PacketBatch(capacity);
  const lengths = batch.lengths;
  const start = performance.now();
  const limits = runLimits(undefined, opts.durationS, start);
  const meter = new PortMeter(dev, peerOf(dev), 'rx', start);
  const end = new RunEnd([meter], opts.source === undefined ? [] : [opts.source]);
  const signal = opts.signal;
  const onInterval = opts.onInterval;
  const intervalMs = intervalS * 1000;
  const untimed = opts.durationS === undefined;
  let nextReport = start + intervalMs;
  let packets = 0;
  let bytes = 0;
  let now = start;
  // Interrupt modes: an empty poll ends the slice, which then sleeps on the queue's interrupt.
  const sleeps = dev.rxMode(0) !== 'poll';
  let idle = false;
  try {
    end.start();
    for (;;) {
      const sliceEnd = now + SLICE_MS;
      idle = false;
      while (now < sliceEnd) {
        const n = dev.rxBatch(0, batch);
        for (let i = 0; i < n; i++) bytes += lengths[i];
        packets += n;
        batch.freeAll();
        now = performance.now();
        if (n === 0 && sleeps) {
          idle = true;
          break;
        }
      }
      meter.rxPackets = packets;
      meter.rxBytes = bytes;
      if (end.draining) {
        if (end.drained(now, packets)) break;
      } else {
        if (now >= nextReport) {
          nextReport += intervalMs;
          if (onInterval !== undefined) onInterval(meter.interval(now));
        }
        const limit = now >= limits.deadlineMs || signal?.aborted === true || (untimed && end.exhausted());
        if (limit && end.begin(now)) break;
      }
      await endSlice(dev, 0, idle, now, end.draining ? Infinity : Math.min(nextReport, limits.deadlineMs), signal);
      now = performance.now();
    }
  } finally {
    end.stop();
  }
  return meter.total(performance.now());
}
