/**
 * pktgen: transmits test frames (frame-builder.ts) as fast as the tx ring takes them, or at a set rate.
 * As in ixy, every buffer of a dedicated tx mempool is filled with the frame once; per packet the loop
 * only writes the sequence number and the UDP checksum. On a simulated port the far-end tester's
 * checker counts and validates every frame, and the totals wait until it has seen the last one.
 */
import { performance } from 'node:perf_hooks';
import type { NetDevice } from '../device';
import { checkInteger, TsnicError } from '../errors';
import { PacketBatch } from '../memory/batch';
import { Mempool } from '../memory/mempool';
import { buildFrame, DEFAULT_SRC_MAC, MAX_FRAME_SIZE, MIN_FRAME_SIZE, parseMac, writeSequence } from './frame-builder';
import { PortMeter, type IntervalStats } from './interval-stats';
import { batchSize, REPORT_MS, runLimits, SLICE_MS, yieldToEventLoop } from './loop';
import { peerOf } from './peer';
import { RateLimiter } from './rate-limiter';
import { waitForTxDrain } from './tx-drain';

/** Options of {@link runPktgen}. With neither `count` nor `durationS` it runs until `signal` aborts. */
export interface PktgenOptions {
  /** Frames to send. */
  count?: number;
  /** Seconds to run. */
  durationS?: number;
  /** Rate in million frames per second (default: as fast as possible). */
  rateMpps?: number;
  /** Frame size without FCS, 60..1514. Default 60 (a 64-byte frame on the wire). */
  size?: number;
  /** Frames per txBatch call, 1..1024. Default 64. */
  batch?: number;
  /** Destination MAC. Default 02:00:00:00:ee:01 (the simulated tester). */
  dstMac?: string;
  /** Source MAC. Default the device's own. */
  srcMac?: string;
  /** Tx queue. Default 0. */
  queue?: number;
  /** Called once per second with the interval's counters. */
  onInterval?: (s: IntervalStats) => void;
  /** Stops the run early (the totals are still returned). */
  signal?: AbortSignal;
}

/** What a pktgen run did: a `type: 'total'` {@link IntervalStats}. */
export type PktgenTotals = IntervalStats;

/** Buffers in pktgen's tx pool: a full 4096-descriptor ring plus a batch. */
const TX_POOL_BUFFERS = 8192;

const txPools = new WeakMap<NetDevice, Mempool>();

/** The device's pktgen pool, kept for the device's life (its buffers may sit in the tx ring after a run). */
function txPoolOf(dev: NetDevice): Mempool {
  let pool = txPools.get(dev);
  if (pool === undefined) {
    pool = Mempool.create(dev.pci, { count: TX_POOL_BUFFERS, bufferSize: 2048 });
    txPools.set(dev, pool);
  }
  return pool;
}

/**
 * Sends test frames on `dev` until `count` frames went out, `durationS` passed or `signal` aborted, and
 * resolves with the totals. On a simulated port the tester's counters are reset first, and the
 * totals include what its checker received (`peer_rx_packets`, `peer_seq_gaps`, `peer_bad_checksums`).
 */
export async function runPktgen(dev: NetDevice, opts: PktgenOptions = {}): Promise<PktgenTotals> {
  const size = checkInteger('size', opts.size ?? MIN_FRAME_SIZE, MIN_FRAME_SIZE, MAX_FRAME_SIZE);
  const capacity = batchSize(opts.batch);
  const queue = checkInteger('queue', opts.queue ?? 0, 0, dev.txQueueCount - 1);
  const rateMpps = opts.rateMpps ?? 0;
  if (typeof rateMpps !== 'number' || !(rateMpps >= 0 && rateMpps <= 1000)) {
    throw new TsnicError('ERR_INVALID_ARG', `rate must be 0 to 1000 Mpps (0: as fast as possible), got ${String(rateMpps)}`);
  }
  const dst = parseMac('dstMac', opts.dstMac ?? DEFAULT_SRC_MAC);
  const src = parseMac('srcMac', opts.srcMac ?? dev.mac);
  const frame = buildFrame(size, dst, src);
  runLimits(opts.count, opts.durationS, 0);

  const pool = txPoolOf(dev);
  const data = pool.data;
  const bufSize = pool.bufferSize;
  for (let id = 0; id < pool.count; id++) data.set(frame.bytes, id * bufSize);
  const udpSum = frame.udpPartialSum;
  const batch = new PacketBatch(capacity);
  batch.pool = pool;
  const ids = batch.ids;
  const lengths = batch.lengths;

  const peer = peerOf(dev);
  peer?.resetStats();
  const start = performance.now();
  const limits = runLimits(opts.count, opts.durationS, start);
  const limiter = new RateLimiter(rateMpps * 1e6, start);
  const meter = new PortMeter(dev, peer, 'tx', start);
  const signal = opts.signal;
  const onInterval = opts.onInterval;
  const count = limits.count;
  let nextReport = start + REPORT_MS;
  let sent = 0;
  let seq = 0;
  let now = start;

  while (sent < count && now < limits.deadlineMs && signal?.aborted !== true) {
    const sliceEnd = now + SLICE_MS;
    while (sent < count && now < sliceEnd) {
      // Fill the batch up to what the rate and the count allow; unsent frames stay for the next call.
      const have = batch.count;
      let want = limiter.allowance(now, sent + have, capacity - have);
      if (want > count - sent - have) want = count - sent - have;
      const got = want > 0 ? pool.allocBulk(ids, have, want) : 0;
      for (let i = have; i < have + got; i++) {
        writeSequence(data, ids[i] * bufSize, seq, udpSum);
        lengths[i] = size;
        seq = (seq + 1) >>> 0;
      }
      batch.count = have + got;
      sent += dev.txBatch(queue, batch);
      now = performance.now();
    }
    meter.txPackets = sent;
    meter.txBytes = sent * size;
    if (now >= nextReport) {
      nextReport += REPORT_MS;
      if (onInterval !== undefined) onInterval(meter.interval(now));
    }
    await yieldToEventLoop();
    now = performance.now();
  }
  // Frames allocated but not taken by the ring were never sent: return them.
  batch.freeAll();
  const end = performance.now();
  await waitForTxDrain(dev, peer === undefined ? undefined : () => meter.peerRxPackets() ?? 0, sent);
  const totals = meter.total(end);
  return totals;
}
