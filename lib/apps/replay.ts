/**
 * replay: sends the frames of a capture file (lib/pcap/reader.ts) in order, once, N times or until
 * stopped; as fast as the tx ring takes them, at a set rate, or following the capture's own gaps.
 *
 * The frames are copied once into a tx mempool of their own before the run: buffer `b` holds frame
 * `b mod frames`, and the pool holds the file as many times over as it takes to have at least
 * {@link MIN_POOL_BUFFERS} buffers. The run sends buffer `s mod poolCount` as its `s`-th frame. Every
 * buffer is taken from the pool at the start; the tx ring returns sent ones to it in ring order, and
 * the loop takes them back, counting them: the `s`-th frame may go once `s - poolCount` frames came
 * back, i.e. once that buffer's previous send completed. Per frame the loop writes one id and one
 * length, and allocates nothing.
 */
import { performance } from 'node:perf_hooks';
import type { NetDevice } from '../device';
import { checkInteger, TsnicError } from '../errors';
import { PacketBatch } from '../memory/batch';
import { Mempool } from '../memory/mempool';
import type { CaptureFile } from '../pcap/reader';
import { MAX_FRAME_SIZE } from './frame-builder';
import { PortMeter, type IntervalStats } from './interval-stats';
import { batchSize, REPORT_MS, runLimits, SLICE_MS, yieldToEventLoop } from './loop';
import { peerOf } from './peer';
import { RateLimiter } from './rate-limiter';
import { waitForTxDrain } from './tx-drain';
import { lineBpsOf, ratePps, toRate, type Rate } from './traffic/rate';

/** Options of {@link runReplay}. */
export interface ReplayOptions {
  /** Times to send the file, 0 for endless (until `durationS` or `signal`). Default 1. */
  loop?: number;
  /**
   * Rate in tsnic's rate syntax (lib/apps/traffic/rate.ts: `1Mpps`, `5Gbps` on the wire, `50%` of line
   * rate, or a {@link Rate}); bit rates and shares of line rate are paced for the file's mean frame
   * size. Default: as fast as possible. Not with `preserveTiming`.
   */
  rate?: Rate | string;
  /** Send each frame at its capture time relative to the first (the capture's gaps). Default false. */
  preserveTiming?: boolean;
  /** Seconds to run at most. */
  durationS?: number;
  /** Frames per txBatch call, 1..1024. Default 64. */
  batch?: number;
  /** Tx queue. Default 0. */
  queue?: number;
  /** Called once per second with the interval's counters. */
  onInterval?: (s: IntervalStats) => void;
  /** Stops the run early (the totals are still returned). */
  signal?: AbortSignal;
}

/** What a replay did: a `type: 'total'` {@link IntervalStats} plus the file. */
export interface ReplayTotals extends IntervalStats {
  /** The capture file replayed. */
  file: string;
  /** Frames in the file. */
  file_frames: number;
  /** Frames the capture's snaplen had cut: sent with their captured bytes only. */
  file_truncated: number;
}

/** Fewest buffers in the replay pool (more than the largest tx ring the drivers take, 4096, plus a batch). */
export const MIN_POOL_BUFFERS = 8192;
/** Most buffers in the replay pool (a Mempool's limit). */
export const MAX_POOL_BUFFERS = 1 << 20;
/** Bytes per buffer: one frame of up to {@link MAX_FRAME_SIZE} bytes. */
const BUFFER_BYTES = 2048;

/** Checks that every frame can be sent; returns how many the snaplen cut. */
function checkFrames(capture: CaptureFile): number {
  if (capture.count > MAX_POOL_BUFFERS) {
    throw new TsnicError('ERR_PCAP_FILE', `${capture.file}: ${capture.count} frames, more than the ${MAX_POOL_BUFFERS} tsnic preloads: cut the file with editcap -r`);
  }
  let truncated = 0;
  for (let i = 0; i < capture.count; i++) {
    const length = capture.lengths[i];
    if (length === 0 || length > MAX_FRAME_SIZE) {
      throw new TsnicError(
        'ERR_PCAP_FILE',
        `${capture.file}: frame ${i + 1} is ${length} bytes; tsnic sends frames of 1 to ${MAX_FRAME_SIZE} bytes (FCS excluded, no jumbo frames)` +
          (length > MAX_FRAME_SIZE ? ': the capture likely holds offloaded (TSO/GRO) segments; capture with offloads off (ethtool -K IF gro off tso off) or drop the frame with editcap' : ''),
      );
    }
    if (capture.originalLengths[i] > length) truncated++;
  }
  return truncated;
}

/**
 * The frame schedule of a preserve-timing run: the `s`-th frame is due at its capture time after the
 * first (pass `p` of the file adding `p` times the pass length: the capture's span plus its mean gap).
 */
export class ReplaySchedule {
  private readonly timesMs: Float64Array;
  private readonly loopMs: number;
  private readonly frames: number;

  constructor(capture: CaptureFile) {
    const n = capture.count;
    this.frames = n;
    this.timesMs = Float64Array.from(capture.timesNs, (t) => t / 1e6);
    // One pass lasts the capture's span plus its mean gap, so the next pass's first frame keeps a gap.
    const span = this.timesMs[n - 1];
    this.loopMs = n > 1 ? span + span / (n - 1) : 0;
  }

  /** Milliseconds from the start of one pass to the start of the next. */
  get passMs(): number {
    return this.loopMs;
  }

  /** How many frames from the `sent`-th on are due at `elapsedMs`, at most `max`. */
  due(sent: number, elapsedMs: number, max: number): number {
    const times = this.timesMs;
    const n = this.frames;
    let pass = Math.floor(sent / n);
    let i = sent - pass * n;
    let k = 0;
    while (k < max && pass * this.loopMs + times[i] <= elapsedMs) {
      k++;
      if (++i === n) {
        i = 0;
        pass++;
      }
    }
    return k;
  }
}

/** Fills a pool of `copies` times the file's frames. */
function preload(dev: NetDevice, capture: CaptureFile): Mempool {
  const copies = Math.max(1, Math.ceil(MIN_POOL_BUFFERS / capture.count));
  const count = Math.min(capture.count * copies, MAX_POOL_BUFFERS - (MAX_POOL_BUFFERS % capture.count));
  const pool = Mempool.create(dev.pci, { count, bufferSize: BUFFER_BYTES });
  const data = pool.data;
  const bytes = capture.bytes;
  for (let b = 0; b < count; b++) {
    const f = b % capture.count;
    const from = capture.offsets[f];
    data.set(bytes.subarray(from, from + capture.lengths[f]), b * BUFFER_BYTES);
  }
  return pool;
}

/** The mean size of the file's frames (FCS excluded), for pacing a bit rate. */
function meanFrameSize(capture: CaptureFile): number {
  let bytes = 0;
  for (let i = 0; i < capture.count; i++) bytes += capture.lengths[i];
  return capture.count === 0 ? 60 : bytes / capture.count;
}

/**
 * Sends the frames of `capture` on `dev`, in order, `loop` times (0: until `durationS` or `signal`),
 * and resolves with the totals once the last frame left (on a simulated port: reached the far end).
 * The frames' pool stays with the device until it closes (the tx ring may still hold its buffers).
 */
export async function runReplay(dev: NetDevice, capture: CaptureFile, opts: ReplayOptions = {}): Promise<ReplayTotals> {
  const capacity = batchSize(opts.batch);
  const queue = checkInteger('queue', opts.queue ?? 0, 0, dev.txQueueCount - 1);
  const loops = checkInteger('loop', opts.loop ?? 1, 0, Number.MAX_SAFE_INTEGER);
  const rate = opts.rate === undefined ? undefined : toRate('rate', opts.rate);
  if (opts.preserveTiming === true && rate !== undefined) {
    throw new TsnicError('ERR_INVALID_ARG', 'a rate and preserveTiming exclude each other: the capture\'s gaps set the rate');
  }
  runLimits(undefined, opts.durationS, 0);
  const truncated = checkFrames(capture);
  const pool = preload(dev, capture);
  const poolCount = pool.count;
  const frames = capture.count;
  const frameLengths = capture.lengths;
  const total = loops === 0 ? Infinity : frames * loops;
  const schedule = opts.preserveTiming === true ? new ReplaySchedule(capture) : undefined;
  // Every buffer is taken now; `returned` counts those the ring gives back.
  const back = new Uint32Array(poolCount);
  pool.allocBulk(back, 0, poolCount);
  const batch = new PacketBatch(capacity);
  batch.pool = pool;
  const ids = batch.ids;
  const lengths = batch.lengths;

  const peer = peerOf(dev);
  peer?.resetStats();
  const start = performance.now();
  const limits = runLimits(undefined, opts.durationS, start);
  const limiter = new RateLimiter(rate === undefined ? 0 : ratePps(rate, meanFrameSize(capture), lineBpsOf(dev, undefined)), start);
  const meter = new PortMeter(dev, peer, 'tx', start);
  const signal = opts.signal;
  const onInterval = opts.onInterval;
  let nextReport = start + REPORT_MS;
  let sent = 0;
  let queued = 0;  // frames put in the batch so far (sent + the batch's count)
  let returned = 0;
  let bytes = 0;
  let now = start;

  while (sent < total && now < limits.deadlineMs && signal?.aborted !== true) {
    const sliceEnd = now + SLICE_MS;
    while (sent < total && now < sliceEnd) {
      returned += pool.allocBulk(back, 0, pool.available);
      const have = batch.count;
      let want = capacity - have;
      if (want > total - queued) want = total - queued;
      const free = poolCount - (queued - returned);
      if (want > free) want = free;
      want = schedule === undefined ? limiter.allowance(now, queued, want) : schedule.due(queued, now - start, want);
      for (let i = have; i < have + want; i++) {
        const b = queued % poolCount;
        ids[i] = b;
        const length = frameLengths[b % frames];
        lengths[i] = length;
        bytes += length;
        queued++;
      }
      batch.count = have + want;
      sent += dev.txBatch(queue, batch);
      now = performance.now();
    }
    meter.txPackets = sent;
    meter.txBytes = bytes - batchBytes(batch);
    if (now >= nextReport) {
      nextReport += REPORT_MS;
      if (onInterval !== undefined) onInterval(meter.interval(now));
    }
    await yieldToEventLoop();
    now = performance.now();
  }
  // Frames put in the batch but not taken by the ring were never sent: give them back.
  meter.txBytes = bytes - batchBytes(batch);
  batch.count = 0;
  const end = performance.now();
  await waitForTxDrain(dev, peer === undefined ? undefined : () => meter.peerRxPackets() ?? 0, sent);
  return { ...meter.total(end), file: capture.file, file_frames: frames, file_truncated: truncated };
}

/** Bytes of the frames still in `batch` (not sent). */
function batchBytes(batch: PacketBatch): number {
  let n = 0;
  for (let i = 0; i < batch.count; i++) n += batch.lengths[i];
  return n;
}
