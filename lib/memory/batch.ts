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
  /**
   * For frames in several buffers (tx only): `more[k]` is 1 when packet k+1 continues packet k's frame.
   * Set through {@link chain}; all zero otherwise.
   */
  readonly more: Uint8Array;
  /** True once {@link chain} was used, until the batch is emptied: txBatch then reads {@link more}. */
  hasChains = false;

  constructor(capacity: number) {
    this.capacity = checkInteger('batch capacity', capacity, 1, 65536);
    this.ids = new Uint32Array(capacity);
    this.lengths = new Uint16Array(capacity);
    this.more = new Uint8Array(capacity);
  }

  /**
   * Marks packet `k` as continued by packet `k + 1`: one frame whose bytes are the packets' bytes in
   * order, sent over several tx descriptors (rxBatch never makes chains). The frame's last packet is
   * not marked.
   */
  chain(k: number): void {
    checkInteger('packet index', k, 0, this.capacity - 2);
    this.more[k] = 1;
    this.hasChains = true;
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
      if (this.hasChains) this.shiftChains(n, rest);
      this.count = rest;
    } else {
      this.count = 0;
      if (this.hasChains) this.clearChains();
    }
  }

  private shiftChains(n: number, rest: number): void {
    // Entries past the new count must read 0: they are where the next packets go.
    this.more.copyWithin(0, n, n + rest);
    this.more.fill(0, rest, n + rest);
  }

  private clearChains(): void {
    this.more.fill(0);
    this.hasChains = false;
  }

  /** Returns every buffer still in the batch to its pool and empties it. */
  freeAll(): void {
    if (this.pool !== null && this.count > 0) this.pool.freeBulk(this.ids, 0, this.count);
    this.count = 0;
    if (this.hasChains) this.clearChains();
  }
}
