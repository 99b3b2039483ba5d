/** Receiving Linux's test frames with tsnic inside the guest (a busy-poll loop that yields to the event loop). */
import type { NetDevice } from '../../../lib/device';
import { PacketBatch } from '../../../lib/memory/batch';
import { checkTestFrame } from './frames';

const yieldNow = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

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

/** Per rx queue, how many frames {@link receivePerQueue} took that `match` accepted. */
export interface QueueCounts {
  perQueue: number[];
  total: number;
  /** Frames received that `match` rejected (other traffic). */
  other: number;
}

/**
 * Polls each of `queues` rx queues of `dev` in turn until `want` matching frames arrived or
 * `timeoutMs` passed (or `stop` says so), counting per queue.
 */
export async function receivePerQueue(
  dev: NetDevice, queues: number, want: number, match: (data: Uint8Array, offset: number, length: number) => boolean, timeoutMs: number,
): Promise<QueueCounts> {
  const batch = new PacketBatch(64);
  const counts: QueueCounts = { perQueue: new Array<number>(queues).fill(0), total: 0, other: 0 };
  const end = Date.now() + timeoutMs;
  while (counts.total < want && Date.now() < end) {
    let got = 0;
    for (let q = 0; q < queues; q++) {
      const n = dev.rxBatch(q, batch);
      const pool = dev.rxPool(q);
      for (let k = 0; k < n; k++) {
        if (match(pool.data, pool.offsetOf(batch.ids[k]), batch.lengths[k])) {
          counts.perQueue[q]++;
          counts.total++;
        } else counts.other++;
      }
      batch.freeAll();
      got += n;
    }
    if (got === 0) await yieldNow();
  }
  return counts;
}
