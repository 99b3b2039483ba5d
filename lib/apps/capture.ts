/**
 * capture: receives frames from a device and writes them to a pcap file (lib/pcap/writer.ts), each
 * stamped with the time its batch was received.
 */
import { performance } from 'node:perf_hooks';
import type { NetDevice } from '../device';
import { checkInteger } from '../errors';
import { PacketBatch } from '../memory/batch';
import { PcapWriter } from '../pcap/writer';
import { PortMeter, type IntervalStats } from './interval-stats';
import { batchSize, REPORT_MS, runLimits, SLICE_MS } from './loop';
import { peerOf, type TrafficSource } from './peer';
import { RunEnd } from './run-end';
import { endSlice } from './rx-sleep';

/** Options of {@link runCapture}. With neither `count` nor `durationS` it runs until `signal` aborts. */
export interface CaptureOptions {
  /** The pcap file to write (created or truncated). */
  out: string;
  /** Frames to capture. */
  count?: number;
  /** Seconds to run. */
  durationS?: number;
  /** Bytes kept of each frame. Default 65535. */
  snaplen?: number;
  /** Nanosecond timestamps (pcap magic 0xA1B23C4D). Default false: microseconds. */
  nanosecond?: boolean;
  /** Frames per rxBatch call, 1..1024. Default 64. */
  batch?: number;
  /** Rx queue. Default 0. */
  queue?: number;
  /** Called once per second with the interval's counters. */
  onInterval?: (s: IntervalStats) => void;
  /** Stops the capture early (the file is still completed). */
  signal?: AbortSignal;
  /**
   * The traffic feeding the device for this run: started once the counters' baselines are taken,
   * stopped at the end, and what it sent is received (and written, up to `count`) before the totals.
   * Without `durationS`, the run also ends once the source finished and every frame it sent is
   * received or counted lost (a `count` that misses made unreachable).
   */
  source?: TrafficSource;
}

/** What a capture did: a `type: 'total'` {@link IntervalStats} plus the file. */
export interface CaptureTotals extends IntervalStats {
  /** The pcap file written. */
  file: string;
  /** Frames received while draining the ring after `count` was reached: freed, not written. */
  rx_discarded: number;
}

/** Captures frames from `dev` into `opts.out` until a limit is reached; resolves with the totals. */
export async function runCapture(dev: NetDevice, opts: CaptureOptions): Promise<CaptureTotals> {
  const capacity = batchSize(opts.batch);
  const queue = checkInteger('queue', opts.queue ?? 0, 0, dev.rxQueueCount - 1);
  runLimits(opts.count, opts.durationS, 0);
  const writer = PcapWriter.open(opts.out, {
    ...(opts.snaplen === undefined ? {} : { snaplen: opts.snaplen }),
    nanosecond: opts.nanosecond === true,
  });
  try {
    const batch = new PacketBatch(capacity);
    const ids = batch.ids;
    const lengths = batch.lengths;
    const unitsPerMs = writer.nanosecond ? 1e6 : 1e3;
    const unitsPerSecond = unitsPerMs * 1000;
    const start = performance.now();
    const limits = runLimits(opts.count, opts.durationS, start);
    const meter = new PortMeter(dev, peerOf(dev), 'rx', start);
    const end = new RunEnd([meter], opts.source === undefined ? [] : [opts.source]);
    const signal = opts.signal;
    const onInterval = opts.onInterval;
    const count = limits.count;
    const untimed = opts.durationS === undefined;
    const origin = performance.timeOrigin;
    let nextReport = start + REPORT_MS;
    let captured = 0;
    let discarded = 0;
    let bytes = 0;
    let now = start;
    // Interrupt modes: an empty poll ends the slice, which then sleeps on the queue's interrupt.
    const sleeps = dev.rxMode(queue) !== 'poll';
    let idle = false;
    try {
      end.start();
      for (;;) {
        const sliceEnd = now + SLICE_MS;
        idle = false;
        while (now < sliceEnd && (captured < count || end.draining)) {
          const left = count - captured;
          const n = dev.rxBatch(queue, batch, left > 0 && left < capacity ? left : capacity);
          now = performance.now();
          if (n === 0) {
            if (!sleeps) continue;
            idle = true;
            break;
          }
          const pool = batch.pool;
          if (pool === null) continue;
          // One timestamp per batch: whole seconds and the fraction in the file's unit.
          const epochMs = origin + now;
          const seconds = Math.floor(epochMs / 1000);
          const fraction = Math.floor((epochMs - seconds * 1000) * unitsPerMs) % unitsPerSecond;
          const data = pool.data;
          const bufSize = pool.bufferSize;
          const keep = n < left ? n : left > 0 ? left : 0;
          for (let i = 0; i < keep; i++) {
            writer.write(data, ids[i] * bufSize, lengths[i], seconds, fraction);
            bytes += lengths[i];
          }
          batch.freeAll();
          captured += keep;
          discarded += n - keep;
        }
        meter.rxPackets = captured;
        meter.rxBytes = bytes;
        meter.rxDiscarded = discarded;
        if (end.draining) {
          if (end.drained(now, captured + discarded)) break;
        } else {
          if (now >= nextReport) {
            nextReport += REPORT_MS;
            if (onInterval !== undefined) onInterval(meter.interval(now));
          }
          const limit = captured >= count || now >= limits.deadlineMs || signal?.aborted === true || (untimed && end.exhausted());
          if (limit && end.begin(now)) break;
        }
        await endSlice(dev, queue, idle, now, end.draining ? Infinity : Math.min(nextReport, limits.deadlineMs), signal);
        now = performance.now();
      }
    } finally {
      end.stop();
    }
    const totals = meter.total(performance.now());
    writer.close();
    return { ...totals, file: writer.file, rx_discarded: discarded };
  } finally {
    writer.close();
  }
}
