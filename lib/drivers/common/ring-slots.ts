/**
 * The bookkeeping every descriptor ring of tsnic shares (ixgbe's and igb's advanced rings and the
 * e1000's legacy ones): which mempool buffer each slot holds, filling an rx ring, the rx and tx
 * positions, one tail-register write per batch, and returning the buffers of completed or abandoned
 * tx slots to their pools. The chip-specific ring classes extend these and keep only the descriptor
 * formats and their completion rules.
 */
import { TsnicError } from '../../errors';
import type { PacketBatch } from '../../memory/batch';
import { Mempool } from '../../memory/mempool';
import { armRxDescriptor } from './adv-descriptors';

/** A receive ring whose every slot holds a buffer of one pool. */
export abstract class RxRing {
  /** Buffer id held by each slot (Int32Array: an int32 element stays a machine word in V8). */
  protected readonly slotIds: Int32Array;
  protected readonly mask: number;
  /** Next slot to look at (the driver's view of RDH). */
  protected next = 0;
  private readonly tailIndex: number;

  /**
   * @param bar0 the device registers
   * @param tailOffset byte offset of the ring's RDT register
   * @param ring the descriptor ring, `size` descriptors of 4 words
   * @param size ring size, a power of two
   * @param pool the buffers the NIC receives into
   */
  constructor(
    protected readonly bar0: Uint32Array,
    tailOffset: number,
    readonly ring: Uint32Array,
    readonly size: number,
    readonly pool: Mempool,
  ) {
    this.mask = size - 1;
    this.slotIds = new Int32Array(size);
    this.tailIndex = tailOffset >>> 2;
  }

  /** The next slot to look at, whose descriptor's DD bit says whether a frame is waiting (interrupt wake-ups). */
  get nextSlot(): number {
    return this.next;
  }

  /** Arms every slot with a buffer from the pool (which holds more buffers than the ring has slots). */
  fill(): void {
    for (let i = 0; i < this.size; i++) {
      const id = this.pool.alloc();
      this.slotIds[i] = id;
      armRxDescriptor(this.ring, i, this.pool.iovaOf(id));
    }
  }

  /**
   * Records that every slot before `i` was handled and re-armed, and gives them back to the NIC with
   * one RDT write: RDT is the last re-armed slot, one behind the next one to be filled (RDT == RDH would
   * tell the NIC "no free descriptors").
   */
  protected advance(i: number): void {
    this.next = i;
    this.bar0[this.tailIndex] = (i - 1) & this.mask;
  }
}

/** Words per slot in {@link TxRing.slots}. */
export const TX_SLOT_WORDS = 4;

/**
 * A transmit ring: which buffer each slot holds, and of which pool ({@link Mempool.registry} index),
 * so that a ring fed from several pools returns each buffer to its own.
 */
export abstract class TxRing {
  /**
   * Software state of every slot, {@link TX_SLOT_WORDS} words a slot (slot `t` at `t << 2`): +0 the
   * buffer id, +1 its pool's {@link Mempool.registry} index, +2 the slot of the last descriptor of the
   * frame the slot belongs to (advanced rings: where DD appears), +3 unused. One interleaved table
   * rather than one array per field: in a V8 loop every distinct typed array costs a map check and a
   * length and base load per iteration, and the tx loop writes all three fields per packet.
   */
  protected readonly slots: Int32Array;
  protected readonly mask: number;
  /** Next slot to fill (the driver's TDT). */
  protected tail = 0;
  /** Oldest slot not yet cleaned. */
  protected clean = 0;
  private readonly tailIndex: number;

  /**
   * @param bar0 the device registers
   * @param tailOffset byte offset of the ring's TDT register
   * @param ring the descriptor ring, `size` descriptors of 4 words
   * @param size ring size, a power of two
   */
  constructor(
    protected readonly bar0: Uint32Array,
    tailOffset: number,
    readonly ring: Uint32Array,
    readonly size: number,
  ) {
    this.mask = size - 1;
    this.slots = new Int32Array(size * TX_SLOT_WORDS);
    this.tailIndex = tailOffset >>> 2;
  }

  /** Descriptors handed to the NIC and not yet cleaned. */
  get inFlight(): number {
    return (this.tail - this.clean) & this.mask;
  }

  /** Descriptors that can be filled now: one slot stays empty, as TDH == TDT means "nothing to send". */
  protected freeSlots(): number {
    return this.size - 1 - ((this.tail - this.clean) & this.mask);
  }

  /** Hands the slots up to `t` to the NIC with one TDT write; the `n` packets taken leave `batch`. */
  protected commit(t: number, batch: PacketBatch, n: number): void {
    this.tail = t;
    this.bar0[this.tailIndex] = t;
    batch.consume(n);
  }

  /**
   * Returns the buffers of `count` slots from {@link clean} on to their pools and moves `clean` past
   * them. A pool destroyed while its buffers were in flight has nothing to return them to.
   */
  protected release(count: number): void {
    const registry = Mempool.registry;
    const slots = this.slots;
    const mask = this.mask | 0;
    const n = count | 0;
    let i = this.clean | 0;
    let k = 0;
    // Runs of slots from one pool (usually the whole chunk), pushed onto that pool's free stack inline
    // (Mempool.freeIds).
    while (k < n) {
      const p = slots[(i << 2) + 1];
      const pool = registry[p];
      if (pool === undefined) {
        // Destroyed while its buffers were in flight: nothing to return them to.
        do {
          i = (i + 1) & mask;
          k++;
        } while (k < n && slots[(i << 2) + 1] === p);
        continue;
      }
      const free = pool.freeIds;
      let top = pool.top | 0;
      do {
        const s = i << 2;
        if (slots[s + 1] !== p) break;
        free[top++] = slots[s];
        i = (i + 1) & mask;
        k++;
      } while (k < n);
      pool.top = top;
    }
    this.clean = i;
  }

  /** Returns every buffer still in the ring to its pool. The NIC must be stopped. */
  drop(): void {
    this.release((this.tail - this.clean) & this.mask);
  }
}

/** The pool of a non-empty batch handed to txBatch; ERR_BATCH when the application set none. */
export function poolOf(batch: PacketBatch): Mempool {
  const pool = batch.pool;
  if (pool === null) throw new TsnicError('ERR_BATCH', 'txBatch: the batch has packets but no pool: set batch.pool to their mempool');
  return pool;
}
