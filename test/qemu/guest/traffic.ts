/** Moving test frames through tsnic devices inside the guest (busy-poll loops that yield to the event loop). */
import type { NetDevice } from '../../../lib/device';
import { PacketBatch } from '../../../lib/memory/batch';
import { checkTestFrame, macBytes, writeTestFrame } from './frames';

const yieldNow = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Sends `count` test frames of `size` bytes to `dst` on `dev`, from its own rx pool's buffers. */
export async function sendTestFrames(dev: NetDevice, dst: string, count: number, size: number): Promise<number> {
  const pool = dev.rxPool(0);
  const batch = new PacketBatch(32);
  batch.pool = pool;
  const dstBytes = macBytes(dst);
  const srcBytes = macBytes(dev.mac);
  let seq = 0;
  while (seq < count || batch.count > 0) {
    while (batch.count < batch.capacity && seq < count) {
      const id = pool.alloc();
      if (id < 0) break;
      writeTestFrame(pool.data, pool.offsetOf(id), dstBytes, srcBytes, seq++, size);
      batch.ids[batch.count] = id;
      batch.lengths[batch.count++] = size;
    }
    dev.txBatch(0, batch);
    await yieldNow();
  }
  return seq;
}

/** What {@link receiveTestFrames} saw. */
export interface ReceiveReport {
  received: number;
  /** Frames whose bytes matched the pattern, in order 0..n-1 without gaps. */
  inOrder: number;
  /** Problems found (first 5). */
  problems: string[];
}

/** Receives test frames of `size` on `dev` until `count` arrived or `timeoutMs` passed, checking every byte. */
export async function receiveTestFrames(dev: NetDevice, count: number, size: number, timeoutMs: number): Promise<ReceiveReport> {
  const batch = new PacketBatch(64);
  const report: ReceiveReport = { received: 0, inOrder: 0, problems: [] };
  const end = Date.now() + timeoutMs;
  while (report.received < count && Date.now() < end) {
    const n = dev.rxBatch(0, batch);
    const pool = dev.rxPool(0);
    for (let k = 0; k < n; k++) {
      const result = checkTestFrame(pool.data, pool.offsetOf(batch.ids[k]), batch.lengths[k], size);
      report.received++;
      if (typeof result === 'string') {
        if (report.problems.length < 5) report.problems.push(result);
      } else if (result === report.inOrder) report.inOrder++;
      else if (report.problems.length < 5) report.problems.push(`frame ${result} arrived where ${report.inOrder} was expected`);
    }
    batch.freeAll();
    if (n === 0) await yieldNow();
  }
  return report;
}

/** Moves one batch from `from` to `to`; what does not fit in the tx ring is dropped, as a forwarder does. */
function forwardOnce(from: NetDevice, to: NetDevice, batch: PacketBatch): { received: number; sent: number } {
  const received = from.rxBatch(0, batch);
  const sent = received === 0 ? 0 : to.txBatch(0, batch);
  batch.freeAll();
  return { received, sent };
}

/** Forwards in both directions between `a` and `b` until `stop()` is true; returns frames forwarded each way. */
export async function forward(a: NetDevice, b: NetDevice, stop: () => boolean): Promise<{ aToB: number; bToA: number }> {
  const batch = new PacketBatch(64);
  const totals = { aToB: 0, bToA: 0 };
  while (!stop()) {
    const ab = forwardOnce(a, b, batch);
    const ba = forwardOnce(b, a, batch);
    totals.aToB += ab.sent;
    totals.bToA += ba.sent;
    if (ab.received === 0 && ba.received === 0) await yieldNow();
  }
  return totals;
}
