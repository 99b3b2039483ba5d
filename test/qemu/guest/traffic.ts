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

/** Receives test frames of `size` on `dev` until `count` arrived or `done()` says stop after a quiet spell. */
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

/** Forwards in both directions between `a` and `b` until `stop()` is true; returns frames forwarded each way. */
export async function forward(a: NetDevice, b: NetDevice, stop: () => boolean): Promise<{ aToB: number; bToA: number }> {
  const batch = new PacketBatch(64);
  const totals = { aToB: 0, bToA: 0 };
  while (!stop()) {
    let moved = 0;
    for (const [from, to, key] of [[a, b, 'aToB'], [b, a, 'bToA']] as const) {
      const n = from.rxBatch(0, batch);
      if (n === 0) continue;
      const sent = to.txBatch(0, batch);
      totals[key] += sent;
      moved += n;
      batch.freeAll(); // what did not fit in the tx ring is dropped, as a forwarder does
    }
    if (moved === 0) await yieldNow();
  }
  return totals;
}
