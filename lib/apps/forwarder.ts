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
import { peerOf, type TrafficSource } from './peer';
import { RunEnd } from './run-end';
import { waitForTxDrain } from './tx-drain';

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
  /**
   * The traffic feeding the devices for this run: started once the counters' baselines are taken,
   * stopped at the end, and what they sent is forwarded (or dropped) and has reached the far ends
   * before the totals are taken. Without `durationS`, the run also ends once every source finished and
   * every frame it sent is received or counted lost.
   */
  sources?: TrafficSource[];
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

/** The peer's received count of `meter`'s device, as a function, or undefined without a peer. */
function peerRxOf(meter: PortMeter): (() => number) | undefined {
  return meter.peerRxPackets() === undefined ? undefined : () => meter.peerRxPackets() ?? 0;
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
  const end = new RunEnd([meterA, meterB], opts.sources ?? []);
  const signal = opts.signal;
  const onInterval = opts.onInterval;
  const count = limits.count;
  const untimed = opts.durationS === undefined;
  let nextReport = start + REPORT_MS;
  let forwarded = 0;
  let now = start;
  try {
    end.start();
    for (;;) {
      const sliceEnd = now + SLICE_MS;
      while (now < sliceEnd && (forwarded < count || end.draining)) {
        forwarded += forwardBatch(a, b, batchA, meterA, meterB);
        forwarded += forwardBatch(b, a, batchB, meterB, meterA);
        now = performance.now();
      }
      if (end.draining) {
        if (end.drained(now, forwarded)) break;
      } else {
        if (now >= nextReport) {
          nextReport += REPORT_MS;
          if (onInterval !== undefined) {
            onInterval(meterA.interval(now));
            onInterval(meterB.interval(now));
          }
        }
        const limit = forwarded >= count || now >= limits.deadlineMs || signal?.aborted === true || (untimed && end.exhausted());
        if (limit && end.begin(now)) break;
      }
      await yieldToEventLoop();
      now = performance.now();
    }
  } finally {
    end.stop();
  }
  const endMs = performance.now();
  if (end.draining) {
    // The frames forwarded last may still be in the tx rings: let them reach the far ends.
    await waitForTxDrain(a, peerRxOf(meterA), meterA.txPackets);
    await waitForTxDrain(b, peerRxOf(meterB), meterB.txPackets);
  }
  return { a: meterA.total(endMs), b: meterB.total(endMs) };
}
