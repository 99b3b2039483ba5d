/**
 * The async-iterator flavour of receiving, for scripts that do not need the last nanosecond: built on
 * the same {@link NetDevice.rxBatch} call as the busy-poll apps, it yields non-empty batches and lets
 * the event loop run while the queue is idle.
 */
import { performance } from 'node:perf_hooks';
import type { NetDevice } from '../device';
import { checkInteger, TsnicError } from '../errors';
import { PacketBatch } from '../memory/batch';
import { batchSize, SLICE_MS, yieldToEventLoop } from './loop';

/** Options of {@link receive}. */
export interface ReceiveOptions {
  /** Rx queue. Default 0. */
  queue?: number;
  /** Frames per batch, 1..1024. Default 64. */
  batch?: number;
  /** Ends the iteration. */
  signal?: AbortSignal;
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
  const signal = opts.signal;
  try {
    let sliceEnd = performance.now() + SLICE_MS;
    while (signal?.aborted !== true) {
      // Timers and I/O must run even under steady traffic: yield to the event loop once per slice.
      if (performance.now() >= sliceEnd) {
        await yieldToEventLoop();
        sliceEnd = performance.now() + SLICE_MS;
        continue;
      }
      if (dev.rxBatch(queue, batch) === 0) continue;
      yield batch;
      batch.freeAll();
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
