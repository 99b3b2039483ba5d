/**
 * capture: receives frames from a device, keeps those a tcpdump-syntax filter accepts (compiled by
 * libpcap, run by lib/pcap/bpf.ts) and writes them to a pcap or pcapng file, optionally rotated by size
 * or frame count (lib/pcap/open-writer.ts). Timestamps: one clock read per rxBatch call that returned
 * frames, right after it returned, stamps every frame of that batch (docs/capture.md says how precise
 * that is).
 */
import { performance } from 'node:perf_hooks';
import type { NetDevice } from '../device';
import { checkInteger } from '../errors';
import { PacketBatch } from '../memory/batch';
import { BpfProgram } from '../pcap/bpf';
import { compileFilter } from '../pcap/filter';
import { openCaptureWriter, type CaptureFormat } from '../pcap/open-writer';
import { EpochClock } from '../pcap/epoch-clock';
import { RotatingWriter, type RotationLimits } from '../pcap/rotating-writer';
import { PortMeter, type IntervalStats } from './interval-stats';
import { batchSize, REPORT_MS, runLimits, SLICE_MS } from './loop';
import { peerOf, type TrafficSource } from './peer';
import { RunEnd } from './run-end';
import { endSlice } from './rx-sleep';

/** Options of {@link runCapture}. With neither `count` nor `durationS` it runs until `signal` aborts. */
export interface CaptureOptions {
  /** The capture file to write (created or truncated). */
  out: string;
  /** File format. Default: pcapng when `out` ends in `.pcapng`, else pcap. */
  format?: CaptureFormat;
  /** pcapng: the interface name recorded (if_name). Default: the device's address (`sim:0`, `0000:03:00.0`). */
  interfaceName?: string;
  /**
   * Keep only the frames this filter accepts: a tcpdump-syntax expression (e.g. `udp port 53`, compiled
   * with libpcap0.8) or a program compiled before ({@link compileFilter}).
   */
  filter?: string | BpfProgram;
  /** Start a new file at these limits (tcpdump -C naming: `out`, `out`1, `out`2 ...). */
  rotate?: RotationLimits;
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

/** What a capture did: a `type: 'total'` {@link IntervalStats} plus the files. */
export interface CaptureTotals extends IntervalStats {
  /** The capture file written (with rotation: the first). */
  file: string;
  /** With rotation: every file written, in order. */
  files?: string[];
  /**
   * Frames received but not written: rejected by the filter, or received while draining the ring
   * after `count` was reached.
   */
  rx_discarded: number;
  /** With a filter: the frames it rejected (a part of {@link rx_discarded}). */
  rx_filtered?: number;
  /** True when the file's reader went away (a pipe closed: `--out - | head -c 100`) and the run ended for it. */
  out_closed?: boolean;
}

/** Captures frames from `dev` into `opts.out` until a limit is reached; resolves with the totals. */
export async function runCapture(dev: NetDevice, opts: CaptureOptions): Promise<CaptureTotals> {
  const capacity = batchSize(opts.batch);
  const queue = checkInteger('queue', opts.queue ?? 0, 0, dev.rxQueueCount - 1);
  runLimits(opts.count, opts.durationS, 0);
  const filter = typeof opts.filter === 'string' && opts.filter !== '' ? compileFilter(opts.filter, { snaplen: opts.snaplen })
    : opts.filter instanceof BpfProgram ? opts.filter : undefined;
  const accept = filter?.compiled;
  const writer = openCaptureWriter(opts.out, {
    ...(opts.snaplen === undefined ? {} : { snaplen: opts.snaplen }),
    ...(opts.format === undefined ? {} : { format: opts.format }),
    ...(opts.rotate === undefined ? {} : { rotate: opts.rotate }),
    interfaceName: opts.interfaceName ?? dev.pci.address,
    nanosecond: opts.nanosecond === true,
  });
  try {
    const batch = new PacketBatch(capacity);
    const ids = batch.ids;
    const lengths = batch.lengths;
    const clock = new EpochClock(writer.nanosecond);
    const start = performance.now();
    const limits = runLimits(opts.count, opts.durationS, start);
    const meter = new PortMeter(dev, peerOf(dev), 'rx', start);
    const end = new RunEnd([meter], opts.source === undefined ? [] : [opts.source]);
    const signal = opts.signal;
    const onInterval = opts.onInterval;
    const count = limits.count;
    const untimed = opts.durationS === undefined;
    let nextReport = start + REPORT_MS;
    let captured = 0;
    let discarded = 0;
    let filtered = 0;
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
          clock.set(now);
          const seconds = clock.seconds;
          const fraction = clock.fraction;
          const data = pool.data;
          const bufSize = pool.bufferSize;
          for (let i = 0; i < n; i++) {
            const length = lengths[i];
            const at = ids[i] * bufSize;
            if (captured >= count) discarded++;
            else if (accept !== undefined && accept(data, at, length, length) === 0) filtered++;
            else {
              writer.write(data, at, length, seconds, fraction);
              bytes += length;
              captured++;
            }
          }
          batch.freeAll();
        }
        meter.rxPackets = captured;
        meter.rxBytes = bytes;
        meter.rxDiscarded = discarded + filtered;
        if (end.draining) {
          if (end.drained(now, captured + discarded + filtered)) break;
        } else {
          if (now >= nextReport) {
            nextReport += REPORT_MS;
            writer.flush();
            if (onInterval !== undefined) onInterval(meter.interval(now));
          }
          const limit = captured >= count || now >= limits.deadlineMs || signal?.aborted === true || writer.broken || (untimed && end.exhausted());
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
    const files = writer instanceof RotatingWriter ? writer.files : undefined;
    return {
      ...totals,
      file: files?.[0] ?? writer.file,
      ...(files === undefined ? {} : { files }),
      rx_discarded: discarded + filtered,
      ...(filter === undefined ? {} : { rx_filtered: filtered }),
      ...(writer.broken ? { out_closed: true } : {}),
    };
  } finally {
    writer.close();
  }
}
