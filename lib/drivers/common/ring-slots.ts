/**
 * The buffer bookkeeping every descriptor ring of tsnic shares (ixgbe's and igb's advanced rings and
 * the e1000's legacy ones): which mempool buffer each slot holds, filling an rx ring, and returning
 * the buffers of completed tx slots to their pools.
 */
import { Mempool } from '../../memory/mempool';
import { armRxDescriptor } from './adv-descriptors';

/** Buffer id held by each rx slot; {@link fillRxRing} arms them all. */
export function fillRxRing(ring: Uint32Array, slotIds: Uint32Array, size: number, pool: Mempool): void {
  for (let i = 0; i < size; i++) {
    const id = pool.alloc();
    slotIds[i] = id;
    armRxDescriptor(ring, i, pool.iovaOf(id));
  }
}

/**
 * Which buffer each tx slot holds, and of which pool ({@link Mempool.registry} index), so that a ring
 * fed from several pools returns each buffer to its own.
 */
export class TxSlots {
  /** Buffer id per slot. */
  readonly ids: Uint32Array;
  /** Mempool.registry index per slot. */
  readonly pools: Uint32Array;
  private readonly mask: number;

  /** @param size ring size, a power of two */
  constructor(size: number) {
    this.ids = new Uint32Array(size);
    this.pools = new Uint32Array(size);
    this.mask = size - 1;
  }

  /** Records that slot `i` holds buffer `id` of the pool with registry index `poolIndex`. */
  hold(i: number, id: number, poolIndex: number): void {
    this.ids[i] = id;
    this.pools[i] = poolIndex;
  }

  /**
   * Returns the buffers of `count` slots from `from` on to their pools; returns the slot after the
   * last. A pool destroyed while its buffers were in flight has nothing to return them to.
   */
  release(from: number, count: number): number {
    const registry = Mempool.registry;
    const ids = this.ids;
    const pools = this.pools;
    const mask = this.mask;
    let poolIndex = -1;
    let pool: Mempool | undefined;
    let i = from;
    for (let k = 0; k < count; k++) {
      const p = pools[i];
      if (p !== poolIndex) {
        poolIndex = p;
        pool = registry[p];
      }
      if (pool !== undefined) pool.free(ids[i]);
      i = (i + 1) & mask;
    }
    return i;
  }

  /** Returns the buffers of every slot from `from` up to (not including) `to`; the queue must be stopped. */
  releaseUntil(from: number, to: number): void {
    this.release(from, (to - from) & this.mask);
  }
}
