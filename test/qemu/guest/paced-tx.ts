/**
 * tsnic sending pktgen's UDP test frames (lib/apps/frame-builder.ts) at the pace the peer absorbs: at
 * most `window` frames are ahead of what the peer has counted, so an emulated NIC and a Linux softirq
 * sharing two virtual CPUs with the sender are never overrun, however loaded the host is. Frames can
 * be chained over several buffers (one tx descriptor each). Never waits past `timeoutMs` for the peer:
 * it returns what it saw instead, for the caller to explain with the peer's drop counters.
 */
import { buildFrame, parseMac, writeSequence } from '../../../lib/apps/frame-builder';
import type { NetDevice } from '../../../lib/device';
import { PacketBatch } from '../../../lib/memory/batch';
import { Mempool } from '../../../lib/memory/mempool';

/** Options of {@link sendPaced}. */
export interface PacedOptions {
  /** Frames to send. */
  count: number;
  /** Frame size without FCS. */
  size: number;
  dstMac: string;
  /** Tx queue. Default 0. */
  queue?: number;
  /** Frames in flight at most (sent, not yet counted by the peer). */
  window: number;
  /** The peer's running count of received frames (what it counted before the run is subtracted). */
  peerCount: () => number;
  /** Buffers per frame: 1, or several to send each frame as a chain of descriptors. Default 1. */
  segments?: number;
  /** Longest wait for the peer to take the next frames, ms. */
  timeoutMs: number;
}

/** What {@link sendPaced} did. */
export interface PacedResult {
  /** Frames the tx ring took. */
  sent: number;
  /** Frames the peer counted during the run. */
  peerCounted: number;
  /** Set when the peer stopped counting for `timeoutMs`. */
  stalled?: string;
}

const yieldNow = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Sends `count` frames on `dev`, paced by the peer's count; see the file comment. */
export async function sendPaced(dev: NetDevice, o: PacedOptions): Promise<PacedResult> {
  const segments = o.segments ?? 1;
  const template = buildFrame(o.size, parseMac('dst', o.dstMac), parseMac('src', dev.mac));
  const pool = Mempool.create(dev.pci, { count: 2048, bufferSize: 2048 });
  const batch = new PacketBatch(32 * segments);
  const base = o.peerCount();
  const counted = (): number => o.peerCount() - base;
  // Segment k of a frame: bytes [cut[k], cut[k+1]).
  const cut = Array.from({ length: segments + 1 }, (_, k) => Math.floor((o.size * k) / segments));
  let sent = 0;
  let lastProgress = Date.now();
  let lastCount = 0;
  try {
    while (sent < o.count) {
      const seen = counted();
      if (seen !== lastCount) {
        lastCount = seen;
        lastProgress = Date.now();
      }
      if (Date.now() - lastProgress > o.timeoutMs) {
        return { sent, peerCounted: seen, stalled: `the peer counted nothing for ${o.timeoutMs} ms after ${seen} frames` };
      }
      const room = Math.min(o.window - (sent - seen), o.count - sent, 32);
      if (room <= 0) {
        await yieldNow();
        continue;
      }
      if (batch.count === 0) {
        batch.pool = pool;
        for (let f = 0; f < room; f++) {
          const frame = pool.alloc();
          if (frame < 0) break;
          const data = new Uint8Array(o.size);
          data.set(template.bytes);
          writeSequence(data, 0, sent + f, template.udpPartialSum);
          for (let k = 0; k < segments; k++) {
            const id = k === 0 ? frame : pool.alloc();
            if (id < 0) throw new Error('sendPaced: the tx pool ran out of buffers (it holds 2048)');
            pool.data.set(data.subarray(cut[k], cut[k + 1]), pool.offsetOf(id));
            batch.ids[batch.count] = id;
            batch.lengths[batch.count] = cut[k + 1] - cut[k];
            if (k < segments - 1) batch.chain(batch.count);
            batch.count++;
          }
        }
      }
      const before = batch.count;
      dev.txBatch(o.queue ?? 0, batch);
      sent += (before - batch.count) / segments;
      await yieldNow();
    }
    return { sent, peerCounted: counted() };
  } finally {
    batch.freeAll();
    // Buffers still in the tx ring belong to the pool: it stays alive with the device (closing the
    // device returns them), so it is not destroyed here.
  }
}
