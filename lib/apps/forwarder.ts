/**
 * The forwarder: frames received on one device go out of the other, both ways, ixy-style: each frame's
 * byte 1 is touched (so the payload is really read and written), and frames the tx ring does not take
 * are freed and counted as dropped.
 */
import { performance } from 'node:perf_hooks';
import type { NetDevice } from '../device';
import { PacketBatch } from '../memory/batch';
import { PortMeter, type IntervalStats } from './interval-stats';
import { batchSize, REPORT_MS, runLimits, SLICE_MS, yieldToEventLoop } from './loop';
import { peerOf } from './peer';

/** Options of {@link runForwarder}. With neither `count` nor `durationS` it runs until `signal` aborts. */
export interface ForwarderOptions {
  /** Seconds to run. */
  durationS?: number;
  /** Stop after this many frames were forwarded (both directions together). */
  count?: number;
  /** Frames per rxBatch call, 1..1024. Default 64. */
  batch?: number;
  /** Called once per second for each device (a's record first). */
  onInterval?: (s: IntervalStats) => void;
  /** Stops the run early (the totals are still returned). */
  signal?: AbortSignal;
}

/** What a forwarder run did, per device: rx counts frames received on it, tx frames sent out of it. */
export interface ForwarderTotals {
  /** The first device. */
  a: IntervalStats;
  /** The second device. */
  b: IntervalStats;
}

/**
 * Moves one batch from `from` (rx queue 0) to `to` (tx queue 0); returns the frames received. Counts
 * into the meters; what `to` did not take is freed and counted as dropped.
 */
function forwardBatch(from: NetDevice, to: NetDevice, batch: PacketBatch, rxMeter: PortMeter, txMeter: PortMeter): number {
  const n = from.rxBatch(0, batch);
  if (n === 0) return 0;
  const pool = batch.pool;
  if (pool === null) return n;
  const data = pool.data;
  const bufSize = pool.bufferSize;
  const ids = batch.ids;
  const lengths = batch.lengths;
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const off = ids[i] * bufSize + 1;
    data[off] = (data[off] + 1) & 0xff;
    bytes += lengths[i];
  }
  rxMeter.rxPackets += n;
  rxMeter.rxBytes += bytes;
  const sent = to.txBatch(0, batch);
  if (batch.count > 0) {
    // Bytes of the dropped tail, so tx_bytes counts exactly the frames sent.
    let dropped = 0;
    for (let i = 0; i < batch.count; i++) dropped += lengths[i];
    bytes -= dropped;
    txMeter.txDropped += batch.count;
    batch.freeAll();
  }
  txMeter.txPackets += sent;
  txMeter.txBytes += bytes;
  return n;
}

/** Forwards between `a` and `b` in both directions until a limit is reached; resolves with the totals. */
export async function runForwarder(a: NetDevice, b: NetDevice, opts: ForwarderOptions = {}): Promise<ForwarderTotals> {
  const capacity = batchSize(opts.batch);
  runLimits(opts.count, opts.durationS, 0);
  const batchA = new PacketBatch(capacity);
  const batchB = new PacketBatch(capacity);
  const start = performance.now();
  const limits = runLimits(opts.count, opts.durationS, start);
  const meterA = new PortMeter(a, peerOf(a), 'tx', start);
  const meterB = new PortMeter(b, peerOf(b), 'tx', start);
  const signal = opts.signal;
  const onInterval = opts.onInterval;
  const count = limits.count;
  let nextReport = start + REPORT_MS;
  let forwarded = 0;
  let now = start;
  while (forwarded < count && now < limits.deadlineMs && signal?.aborted !== true) {
    const sliceEnd = now + SLICE_MS;
    while (forwarded < count && now < sliceEnd) {
      forwarded += forwardBatch(a, b, batchA, meterA, meterB);
      forwarded += forwardBatch(b, a, batchB, meterB, meterA);
      now = performance.now();
    }
    if (now >= nextReport) {
      nextReport += REPORT_MS;
      if (onInterval !== undefined) {
        onInterval(meterA.interval(now));
        onInterval(meterB.interval(now));
      }
    }
    await yieldToEventLoop();
    now = performance.now();
  }
  const end = performance.now();
  return { a: meterA.total(end), b: meterB.total(end) };
}
