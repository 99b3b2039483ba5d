/**
 * One receive queue over advanced one-buffer descriptors (82599 datasheet 7.1, 82576 datasheet 7.1):
 * a ring whose every slot holds a buffer of the device's rx mempool. Completed descriptors (DD) hand
 * their buffer to the caller and get a fresh one; the tail register (RDT) is written once per call.
 * Frames with error bits, and frames that span several descriptors (larger than one buffer: cannot
 * happen without jumbo frames), are dropped, their buffers re-armed, and counted in
 * {@link AdvRxQueue.errors}. What differs between the chips is a parameter: the RDT offset of the
 * queue and which write-back error bits mean "bad frame".
 */
import type { Mempool } from '../../memory/mempool';
import { armRxDescriptorWords, RX_LENGTH_MASK, RX_STATUS } from './adv-descriptors';
import { RxRing } from './ring-slots';

const DD = RX_STATUS.DD;
const EOP = RX_STATUS.EOP;

/** Receive ring state of one queue; the device programs the registers. */
export class AdvRxQueue extends RxRing {
  /** Frames dropped for error bits or for spanning several descriptors. */
  errors = 0;
  /** Inside a multi-descriptor frame being dropped. */
  private discarding = false;
  /** EOP plus every frame error bit: a good, complete frame has exactly EOP of these. */
  private readonly eopOrError: number;

  /**
   * @param bar0 the device registers
   * @param tailOffset byte offset of this queue's RDT register
   * @param ring the descriptor ring, `size` descriptors of 4 words
   * @param size ring size, a power of two
   * @param pool the buffers the NIC receives into
   * @param errorMask write-back dword 2 error bits that mean "the frame is bad" on this chip
   */
  constructor(bar0: Uint32Array, tailOffset: number, ring: Uint32Array, size: number, pool: Mempool, errorMask: number) {
    super(bar0, tailOffset, ring, size, pool);
    this.eopOrError = (EOP | errorMask) >>> 0;
  }

  /**
   * Takes up to `max` received frames into `ids[start..]` / `lengths[start..]` (buffers of
   * {@link pool}). Stops early when the pool has no buffer to re-arm a slot with: a slot is never left
   * without a buffer. Returns how many frames it took.
   */
  receive(ids: Uint32Array, lengths: Uint16Array, start: number, max: number): number {
    const ring = this.ring;
    const slots = this.slotIds;
    const pool = this.pool;
    const iovaLow = pool.iovaLow;
    const iovaHigh = pool.iovaHigh;
    const bufferSize = pool.bufferSize;
    const mask = this.mask;
    const eopOrError = this.eopOrError;
    const end = start + max;
    let discarding = this.discarding;
    let i = this.next;
    let taken = start;
    let seen = 0;
    while (taken < end) {
      const w = i << 2;
      const status = ring[w + 2];
      if ((status & DD) === 0) break;
      let id = slots[i];
      if ((status & eopOrError) === EOP && !discarding) {
        const fresh = pool.alloc();
        if (fresh < 0) break;
        ids[taken] = id;
        lengths[taken] = ring[w + 3] & RX_LENGTH_MASK;
        taken++;
        id = fresh;
        slots[i] = fresh;
      } else if ((status & EOP) !== 0) {
        // The last descriptor of a bad or multi-descriptor frame: one dropped frame.
        this.errors++;
        discarding = false;
      } else {
        discarding = true;
      }
      // Re-arm the slot (read format: buffer address, header address 0 also clears DD). The pool spans
      // at most 4 GiB: the offset fits 32 bits and carries at most once into the high word.
      const low = (iovaLow + Math.imul(id, bufferSize)) >>> 0;
      armRxDescriptorWords(ring, i, low, low < iovaLow ? iovaHigh + 1 : iovaHigh);
      seen++;
      i = (i + 1) & mask;
    }
    this.discarding = discarding;
    if (seen > 0) this.advance(i);
    return taken - start;
  }
}
