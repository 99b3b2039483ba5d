/**
 * A batch of packets: buffer ids of one {@link Mempool} plus their lengths, in preallocated typed arrays.
 * rxBatch fills a batch, txBatch consumes one; the same batch object is reused for the life of a loop.
 */
import { checkInteger } from '../errors';
import type { Mempool } from './mempool';

/** A reusable array of packets, all from {@link pool}. */
export class PacketBatch {
  /** Maximum packets the batch holds. */
  readonly capacity: number;
  /** Buffer ids in {@link pool}, valid in `[0, count)`. */
  readonly ids: Uint32Array;
  /** Frame lengths in bytes (without FCS), valid in `[0, count)`. */
  readonly lengths: Uint16Array;
  /** Packets currently in the batch. */
  count = 0;
  /** The pool every buffer in this batch belongs to (set by rxBatch or by the application). */
  pool: Mempool | null = null;

  constructor(capacity: number) {
    this.capacity = checkInteger('batch capacity', capacity, 1, 65536);
    this.ids = new Uint32Array(capacity);
    this.lengths = new Uint16Array(capacity);
  }

  /**
   * Drops the first `n` packets (those a txBatch took), moving the rest to the front so the caller can
   * retry or free them.
   */
  consume(n: number): void {
    const rest = this.count - n;
    if (rest > 0) {
      this.ids.copyWithin(0, n, this.count);
      this.lengths.copyWithin(0, n, this.count);
    }
    this.count = rest > 0 ? rest : 0;
  }

  /** Returns every buffer still in the batch to its pool and empties it. */
  freeAll(): void {
    if (this.pool !== null && this.count > 0) this.pool.freeBulk(this.ids, 0, this.count);
    this.count = 0;
  }
}
