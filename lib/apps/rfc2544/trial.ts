/**
 * One RFC 2544 trial (RFC 2544 section 23): send test frames on one device at a set rate for a set
 * time, receive on another, count what came back. Load frames are pktgen's (frame-builder.ts: IPv4 /
 * UDP 1024 -> 1024 with a sequence number), with the trial's number in the IPv4 identification field
 * so a frame of an earlier trial still in the device under test is not counted. Latency probes
 * (../latency/probes.ts) go in between when a scheduler is given. One loop polls both devices, so the
 * sender never waits on the receiver for longer than a batch.
 *
 * Interface for the lead to swap this for the traffic generator's send/receive mode: `runTrial(tx,
 * rx, options) -> TrialResult`; nothing else in lib/apps/rfc2544 sends or receives.
 */
import { performance } from 'node:perf_hooks';
import type { NetDevice } from '../../device';
import { checkInteger, TsnicError } from '../../errors';
import { PacketBatch } from '../../memory/batch';
import type { Mempool } from '../../memory/mempool';
import { buildFrame, readSequence, writeSequence } from '../frame-builder';
import { SLICE_MS, yieldToEventLoop } from '../loop';
import type { ProbeScheduler } from '../latency/probes';
import { generatorTxPool } from '../tx-pool';

/** Options of one trial. */
export interface TrialOptions {
  /** Offered rate, frames per second (above 0). */
  ratePps: number;
  /** Seconds of sending. */
  durationS: number;
  /** Frame size without FCS, 60..1514. */
  size: number;
  /** Destination MAC of the load (the receiving device's, or what the device under test forwards). */
  dstMac: Uint8Array;
  /** Source MAC of the load (the sending device's). */
  srcMac: Uint8Array;
  /** Frames per txBatch, 1..1024. Default 32. */
  batch?: number;
  /**
   * After sending, keep receiving until every frame is back or none of this trial's came for this long
   * (ms), at most {@link DRAIN_LIMIT_MS}. Default 500.
   */
  drainMs?: number;
  /** Latency probes to mix in. */
  probes?: ProbeScheduler;
  /** Stops the trial early (the result covers what was sent). */
  signal?: AbortSignal;
}

/** What one trial saw. `received + lost = sent` always. */
export interface TrialResult {
  /** The rate asked for, frames per second. */
  ratePps: number;
  /** The rate the sender achieved (load frames over the sending time). */
  offeredPps: number;
  /** Seconds of sending. */
  durationS: number;
  /** Load frames sent (probes not included). */
  sent: number;
  /** Load frames of this trial received. */
  received: number;
  /** sent - received (never negative: a duplicate counts in `duplicates` instead). */
  lost: number;
  /** Sequence numbers never seen: the lost frames found by number (equals `lost` without reordering). */
  seqGaps: number;
  /** Frames that came later than a higher-numbered one (reordered or duplicated). */
  reordered: number;
  /** Received frames beyond the sent count (duplicates). */
  duplicates: number;
  /** lost / sent (0 when nothing was sent). */
  lossRatio: number;
  /** Other frames the receiver saw (earlier trials, the device under test's own traffic). */
  foreign: number;
  /** Frames the sender skipped because it fell more than a millisecond behind its schedule (the host was busy). */
  skipped: number;
  /** The sender offered less than 90% of the rate asked: the trial says nothing about that rate. */
  senderLimited: boolean;
}

/**
 * Longest drain after sending, ms (or `drainMs` when longer): RFC 2544 section 23 waits two seconds
 * for residual frames.
 */
export const DRAIN_LIMIT_MS = 2000;

/** A trial whose sender offered less than this share of the rate asked is sender-limited. */
export const SENDER_LIMIT_SHARE = 0.9;

let trialCounter = 0;

/** IPv4 header checksum of `b[14..34)` after the identification field changed. */
function setIpId(b: Uint8Array, id: number): void {
  b[18] = id >>> 8;
  b[19] = id & 0xff;
  b[24] = 0;
  b[25] = 0;
  let sum = 0;
  for (let i = 14; i < 34; i += 2) sum += (b[i] << 8) | b[i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const c = ~sum & 0xffff;
  b[24] = c >>> 8;
  b[25] = c & 0xff;
}

/** Runs one trial: `opts.ratePps` frames per second from `tx` for `opts.durationS` seconds, received on `rx`. */
export async function runTrial(tx: NetDevice, rx: NetDevice, opts: TrialOptions): Promise<TrialResult> {
  const size = checkInteger('size', opts.size, 60, 1514);
  const capacity = checkInteger('batch', opts.batch ?? 32, 1, 1024);
  if (!(opts.ratePps > 0) || !Number.isFinite(opts.ratePps)) {
    throw new TsnicError('ERR_INVALID_ARG', `trial rate must be a number of frames per second above 0, got ${String(opts.ratePps)}`);
  }
  if (!(opts.durationS > 0) || !Number.isFinite(opts.durationS)) {
    throw new TsnicError('ERR_INVALID_ARG', `trial duration must be a number of seconds above 0, got ${String(opts.durationS)}`);
  }
  const drainMs = opts.drainMs ?? 500;
  const trialId = (trialCounter = (trialCounter + 1) & 0xffff);
  const frame = buildFrame(size, opts.dstMac, opts.srcMac);
  setIpId(frame.bytes, trialId);
  const pool = generatorTxPool(tx);
  const data = pool.data;
  const bufSize = pool.bufferSize;
  for (let id = 0; id < pool.count; id++) data.set(frame.bytes, id * bufSize);
  const udpSum = frame.udpPartialSum;
  const batch = new PacketBatch(capacity);
  batch.pool = pool;
  const ids = batch.ids;
  const lengths = batch.lengths;
  const rxBatch = new PacketBatch(64);
  const rxQueues = rx.rxQueueCount;
  const probes = opts.probes;
  const signal = opts.signal;

  const perMs = opts.ratePps / 1000;
  // At most 1 ms of frames (or one batch) owed at once: after a stall the sender skips the rest rather
  // than bursting them at line rate into the device under test.
  const maxCredit = Math.max(capacity, perMs);
  let credit = 0;
  let sent = 0;
  let skipped = 0;
  let received = 0;
  let foreign = 0;
  let expected = 0;
  let seqGaps = 0;
  let reordered = 0;

  /** Polls every rx queue once; returns the frames seen. */
  const receive = (): number => {
    let seen = 0;
    for (let q = 0; q < rxQueues; q++) {
      const n = rx.rxBatch(q, rxBatch);
      if (n === 0) continue;
      seen += n;
      const rxPool = rxBatch.pool as Mempool;
      const d = rxPool.data;
      for (let k = 0; k < n; k++) {
        const off = rxPool.offsetOf(rxBatch.ids[k]);
        const len = rxBatch.lengths[k];
        if (probes !== undefined && probes.onFrame(d, off, len)) continue;
        if (len >= 46 && d[off + 12] === 0x08 && d[off + 13] === 0x00 && d[off + 23] === 17 && d[off + 36] === 0x04 &&
            d[off + 37] === 0x00 && ((d[off + 18] << 8) | d[off + 19]) === trialId) {
          received++;
          const seq = readSequence(d, off);
          if (seq >= expected) {
            seqGaps += seq - expected;
            expected = seq + 1;
          } else {
            reordered++;
          }
        } else {
          foreign++;
        }
      }
      rxBatch.freeAll();
    }
    return seen;
  };

  const start = performance.now();
  const deadline = start + opts.durationS * 1000;
  let last = start;
  let now = start;
  while (now < deadline && signal?.aborted !== true) {
    const sliceEnd = Math.min(deadline, now + SLICE_MS);
    while (now < sliceEnd) {
      if (probes !== undefined) probes.poll(now);
      credit += (now - last) * perMs;
      last = now;
      if (credit > maxCredit) {
        skipped += Math.floor(credit - maxCredit);
        credit = maxCredit;
      }
      const have = batch.count;
      let want = Math.floor(credit) - have;
      if (want > capacity - have) want = capacity - have;
      const got = want > 0 ? pool.allocBulk(ids, have, want) : 0;
      for (let i = have; i < have + got; i++) {
        writeSequence(data, ids[i] * bufSize, sent + i, udpSum);
        lengths[i] = size;
      }
      batch.count = have + got;
      if (batch.count > 0) {
        const taken = tx.txBatch(0, batch);
        sent += taken;
        credit -= taken;
        // Frames the ring did not take keep their sequence numbers: renumber from the new `sent`.
        for (let i = 0; i < batch.count; i++) writeSequence(data, ids[i] * bufSize, sent + i, udpSum);
      }
      receive();
      now = performance.now();
    }
    await yieldToEventLoop();
    now = performance.now();
  }
  const sendEnd = now;
  batch.freeAll();
  // Drain: what is still in the rings and the device under test. No new probe goes out, and only this
  // trial's frames count as arrivals: a returning probe or foreign traffic would otherwise keep a
  // trial that lost frames draining for ever.
  const drainEnd = performance.now() + Math.max(drainMs, DRAIN_LIMIT_MS);
  let quietSince = performance.now();
  while (received < sent) {
    const before = received;
    receive();
    const t = performance.now();
    if (received > before) quietSince = t;
    else if (t - quietSince >= drainMs) break;
    if (t >= drainEnd) break;
    await yieldToEventLoop();
  }
  probes?.finish();
  const durationS = (sendEnd - start) / 1000;
  const inOrder = Math.min(received, sent);
  return {
    ratePps: opts.ratePps,
    offeredPps: durationS > 0 ? sent / durationS : 0,
    durationS,
    sent,
    received: inOrder,
    lost: sent - inOrder,
    seqGaps: seqGaps + (sent > expected ? sent - expected : 0),
    reordered,
    duplicates: received - inOrder,
    lossRatio: sent > 0 ? (sent - inOrder) / sent : 0,
    foreign,
    skipped,
    senderLimited: durationS > 0 && sent / durationS < SENDER_LIMIT_SHARE * opts.ratePps,
  };
}
