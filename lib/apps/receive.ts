/**
 * The async-iterator flavour of receiving, for scripts that do not need the last nanosecond: built on
 * the same {@link NetDevice.rxBatch} call as the busy-poll apps, it yields non-empty batches and lets
 * the event loop run while the queue is idle. How it waits follows the queue's {@link RxMode}: `'poll'`
 * spins (yielding to the event loop every few ms), `'adaptive'` polls while frames come and sleeps on
 * the queue's interrupt once a poll comes back empty (NAPI), `'interrupt'` goes through the interrupt
 * wait after every batch.
 */
import { performance } from 'node:perf_hooks';
import type { NetDevice, RxMode } from '../device';
import { checkInteger, TsnicError } from '../errors';
import { PacketBatch } from '../memory/batch';
import { batchSize, SLICE_MS, yieldToEventLoop } from './loop';

/** Options of {@link receive}. */
export interface ReceiveOptions {
  /** Rx queue. Default 0. */
  queue?: number;
  /** Frames per batch, 1..1024. Default 64. */
  batch?: number;
  /** Ends the iteration (also while it sleeps on an interrupt). */
  signal?: AbortSignal;
  /**
   * Most frames received in one turn of the event loop before it yields (NAPI's budget), whatever the
   * mode; a turn also ends after a few milliseconds. Default: no frame limit.
   */
  budget?: number;
}

/**
 * Yields batches of received frames from `dev` until `signal` aborts (or the loop body breaks out).
 * The same {@link PacketBatch} is reused: read (or transmit) its packets inside the loop body; whatever
 * is still in the batch when the body returns is freed to its pool before the next receive.
 *
 * @example
 * for await (const batch of receive(dev, { signal })) {
 *   for (let i = 0; i < batch.count; i++) console.log(packetBytes(batch, i).length);
 * }
 */
export async function* receive(dev: NetDevice, opts: ReceiveOptions = {}): AsyncGenerator<PacketBatch, void, undefined> {
  const queue = checkInteger('queue', opts.queue ?? 0, 0, dev.rxQueueCount - 1);
  const batch = new PacketBatch(batchSize(opts.batch));
  const budget = opts.budget === undefined ? Infinity : checkInteger('budget', opts.budget, 1, Number.MAX_SAFE_INTEGER);
  const signal = opts.signal;
  const mode: RxMode = dev.rxMode(queue);
  const waitOptions = signal === undefined ? {} : { signal };
  try {
    let sliceEnd = performance.now() + SLICE_MS;
    let turn = 0;
    while (signal?.aborted !== true) {
      // Timers and I/O must run even under steady traffic: yield to the event loop once per slice.
      if (turn >= budget || performance.now() >= sliceEnd) {
        await yieldToEventLoop();
        sliceEnd = performance.now() + SLICE_MS;
        turn = 0;
        continue;
      }
      const n = dev.rxBatch(queue, batch);
      if (n === 0) {
        if (mode === 'poll') continue;
        // Ran dry: re-arm the interrupt, look once more, sleep (waitForRx does all three).
        await dev.waitForRx(queue, waitOptions);
        sliceEnd = performance.now() + SLICE_MS;
        turn = 0;
        continue;
      }
      turn += n;
      yield batch;
      batch.freeAll();
      if (mode === 'interrupt') await dev.waitForRx(queue, waitOptions);
    }
  } finally {
    if (!dev.closed) batch.freeAll();
  }
}

/**
 * The bytes of packet `i` of `batch` as a Uint8Array view into its pool (no copy; valid until the
 * buffer is freed or transmitted). Allocates a view per call: for scripts, not for hot loops, which
 * index `batch.pool.data` at `batch.pool.offsetOf(batch.ids[i])` directly.
 */
export function packetBytes(batch: PacketBatch, i: number): Uint8Array {
  const pool = batch.pool;
  if (pool === null || !(i >= 0 && i < batch.count)) {
    throw new TsnicError('ERR_BATCH', `packet ${String(i)} is not in the batch (it holds ${batch.count}): use 0 to count - 1`);
  }
  const start = pool.offsetOf(batch.ids[i]);
  return pool.data.subarray(start, start + batch.lengths[i]);
}
