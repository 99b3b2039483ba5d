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
 *
 * The common case costs one slot word per packet: while every buffer queued since {@link poolHorizon}
 * comes from one pool ({@link uniformPool}), the slots' pool words are not written, and released
 * buffers go straight back to that pool. A batch from another pool first writes the pool word of every
 * slot still in flight and moves the horizon: slots queued before it carry their pool, slots after it
 * belong to the new uniform pool. Positions are counted in descriptors ever queued ({@link queuedTotal})
 * and cleaned ({@link cleanedTotal}), so a horizon never wraps with the ring.
 */
export abstract class TxRing {
  /**
   * Software state of every slot, {@link TX_SLOT_WORDS} words a slot (slot `t` at `t << 2`): +0 the
   * buffer id; +1 its pool's {@link Mempool.registry} index, valid for slots queued before
   * {@link poolHorizon}; +2 the slot of the last descriptor of the frame the slot belongs to (advanced
   * rings, where chained frames keep it: AdvTxQueue); +3 unused. One interleaved table rather than one
   * array per field: in a V8 loop every distinct typed array costs a map check and a length and base
   * load per iteration.
   */
  protected readonly slots: Int32Array;
  protected readonly mask: number;
  /** Next slot to fill (the driver's TDT). */
  protected tail = 0;
  /** Oldest slot not yet cleaned. */
  protected clean = 0;
  /** Descriptors queued since the ring was set up. */
  protected queuedTotal = 0;
  /** Descriptors cleaned since the ring was set up. */
  protected cleanedTotal = 0;
  /** Slots queued before this position carry their pool in word +1; slots after it hold {@link uniformPool}'s buffers. */
  private poolHorizon = 0;
  /** Registry index of the pool of every buffer queued since {@link poolHorizon} (-1: none queued yet). */
  private uniformPool = -1;
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

  /**
   * Makes `pool` the ring's uniform pool before buffers of it are queued: when it is not already, the
   * slots in flight since {@link poolHorizon} get their pool word (the old uniform pool) and the horizon
   * moves to the tail. Called once per transmit call, before any slot of it is written.
   */
  protected useSlotPool(pool: Mempool): void {
    const index = pool.index;
    if (index === this.uniformPool) return;
    const n = this.inFlightSince(this.poolHorizon);
    for (let k = 0; k < n; k++) this.slots[(((this.tail - n + k) & this.mask) << 2) + 1] = this.uniformPool;
    this.poolHorizon = this.queuedTotal;
    this.uniformPool = index;
  }

  /** Descriptors in flight that were queued at or after `position` ({@link queuedTotal} counting): the last ones before {@link tail}. */
  protected inFlightSince(position: number): number {
    return this.queuedTotal - Math.max(position, this.cleanedTotal);
  }

  /** Hands the slots up to `t` (`n` descriptors) to the NIC with one TDT write; the `n` packets taken leave `batch`. */
  protected commit(t: number, batch: PacketBatch, n: number): void {
    this.tail = t;
    this.queuedTotal += n;
    this.bar0[this.tailIndex] = t;
    batch.consume(n);
  }

  /**
   * Returns the buffers of `count` slots from {@link clean} on to their pools and moves `clean` past
   * them: slots from before {@link poolHorizon} to the pool in their word, the others to the uniform
   * pool. A pool destroyed while its buffers were in flight has nothing to return them to.
   */
  protected release(count: number): void {
    const marked = this.poolHorizon - this.cleanedTotal;
    const byWord = marked <= 0 ? 0 : marked < count ? marked : count;
    // Slots from before the horizon, in runs of slots of one pool.
    let k = 0;
    while (k < byWord) {
      const p = this.slots[(this.clean << 2) + 1];
      let run = 1;
      while (k + run < byWord && this.slots[(((this.clean + run) & this.mask) << 2) + 1] === p) run++;
      this.returnRun(Mempool.registry[p], run);
      k += run;
    }
    this.returnRun(Mempool.registry[this.uniformPool], count - byWord);
  }

  /**
   * Returns the buffers of `count` slots from {@link clean} on to `pool`, pushed onto its free stack
   * inline (Mempool.freeIds), and moves `clean` past them. A pool destroyed while its buffers were in
   * flight (undefined) has nothing to return them to.
   */
  private returnRun(pool: Mempool | undefined, count: number): void {
    const slots = this.slots;
    const mask = this.mask | 0;
    const n = count | 0;
    let i = this.clean | 0;
    if (pool === undefined) {
      i = (i + n) & mask;
    } else {
      const free = pool.freeIds;
      let top = pool.top | 0;
      for (let k = 0; k < n; k++) {
        free[top++] = slots[i << 2];
        i = (i + 1) & mask;
      }
      pool.top = top;
    }
    this.clean = i;
    this.cleanedTotal += n;
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
