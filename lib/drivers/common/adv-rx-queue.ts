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
import { RX_LENGTH_MASK, RX_STATUS } from './adv-descriptors';
import { RxRing } from './ring-slots';

/** Receive ring state of one queue; the device programs the registers. */
export class AdvRxQueue extends RxRing {
  /** Frames dropped for error bits or for spanning several descriptors. */
  errors = 0;
  /** Inside a multi-descriptor frame being dropped. */
  private discarding = false;
  /** DD, EOP and every frame error bit of write-back dword 2. */
  private readonly doneEopOrError: number;
  /** What {@link doneEopOrError} leaves of a good, complete one-descriptor frame: DD and EOP. */
  private readonly goodFrame: number;

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
    this.doneEopOrError = RX_STATUS.DD | RX_STATUS.EOP | errorMask;
    this.goodFrame = RX_STATUS.DD | RX_STATUS.EOP;
  }

  /**
   * Takes up to `max` received frames into `ids[start..]` / `lengths[start..]` (buffers of
   * {@link pool}). Stops early when the pool has no buffer to re-arm a slot with: a slot is never left
   * without a buffer. Returns how many frames it took.
   *
   * The work is split into small loops, which V8 compiles far better than one loop with every case
   * in it: a scan for a run of good frames (one load and one compare per descriptor), then
   * {@link takeRun} for the run, and one descriptor at a time only for bad or multi-descriptor frames.
   */
  receive(ids: Uint32Array, lengths: Uint16Array, start: number, max: number): number {
    const ring = this.ring;
    const mask = this.mask | 0;
    const doneEopOrError = this.doneEopOrError | 0;
    const goodFrame = this.goodFrame | 0;
    const end = (start + max) | 0;
    let i = this.next | 0;
    let taken = start | 0;
    let seen = 0;
    while (taken < end) {
      const free = this.pool.top | 0;
      const room = end - taken < free ? end - taken : free;
      // The status word that ended the run is read once: the NIC may write the descriptor back at any
      // moment, and a second look could see DD where the first saw an unfinished descriptor.
      let status = 0;
      let n = 0;
      if (!this.discarding) {
        while (n < room) {
          status = ring[(((i + n) & mask) << 2) + 2] | 0;
          if ((status & doneEopOrError) !== goodFrame) break;
          n++;
        }
      } else {
        status = ring[(i << 2) + 2] | 0;
      }
      if (n > 0) {
        this.takeRun(ids, lengths, taken, i, n);
        i = (i + n) & mask;
        taken += n;
        seen += n;
      }
      if (n === room) break;
      // The run ended on a descriptor the NIC has not written back yet, or on one of a bad frame.
      if ((status & RX_STATUS.DD) === 0) break;
      this.dropDescriptor(i, status);
      i = (i + 1) & mask;
      seen++;
    }
    if (seen > 0) this.advance(i);
    return taken - start;
  }

  /**
   * Hands the `n` frames of slots `first..` to the caller at `ids[at..]` / `lengths[at..]` and re-arms
   * each slot with a fresh buffer popped inline from the pool's free stack (Mempool.freeIds); the pool
   * holds at least `n`. Loop invariants are int32 locals (`| 0`), constants included: V8 then keeps
   * them in registers as machine words, where an imported constant would be a property load of the
   * exporting module per descriptor.
   */
  private takeRun(ids: Uint32Array, lengths: Uint16Array, at: number, first: number, n: number): void {
    const ring = this.ring;
    const slots = this.slotIds;
    const pool = this.pool;
    const free = pool.freeIds;
    let top = pool.top | 0;
    const iovaLow = pool.iovaLow | 0;
    const iovaHigh = pool.iovaHigh | 0;
    const bufferSize = pool.bufferSize | 0;
    const lengthMask = RX_LENGTH_MASK | 0;
    const mask = this.mask | 0;
    const end = (at + n) | 0;
    let i = first | 0;
    for (let k = at | 0; k < end; k++) {
      const w = i << 2;
      ids[k] = slots[i];
      lengths[k] = ring[w + 3] & lengthMask;
      const fresh = free[--top];
      slots[i] = fresh;
      // Re-arm in the read format (adv-descriptors.ts armRxDescriptor, written here: V8 does not
      // reliably inline a helper into this loop): buffer address, header address 0, which also clears
      // DD. The pool spans at most 4 GiB: the buffer's offset fits 32 bits and carries at most once
      // into the high word. The carry out of the 32-bit add is bit 31 of (a & b) | ((a | b) & ~sum),
      // computed without a branch: V8 peels the first iteration only of a loop without branches, and
      // the peeled copy's typed-array checks then cover every later iteration.
      const offset = Math.imul(fresh, bufferSize);
      const low = (iovaLow + offset) | 0;
      ring[w] = low;
      ring[w + 1] = iovaHigh + (((iovaLow & offset) | ((iovaLow | offset) & ~low)) >>> 31);
      ring[w + 2] = 0;
      ring[w + 3] = 0;
      i = (i + 1) & mask;
    }
    pool.top = top;
  }

  /**
   * Drops the frame part in slot `i`, whose write-back dword 2 is `status` (with DD): a bad frame's
   * descriptor, or one of a frame spanning several descriptors. Its last descriptor (EOP) counts one
   * error. The slot keeps its buffer.
   */
  private dropDescriptor(i: number, status: number): void {
    if ((status & RX_STATUS.EOP) !== 0) {
      this.errors++;
      this.discarding = false;
    } else {
      this.discarding = true;
    }
    // Re-armed with its own buffer, as in takeRun.
    const pool = this.pool;
    const low = (pool.iovaLow + Math.imul(this.slotIds[i], pool.bufferSize)) | 0;
    const w = i << 2;
    this.ring[w] = low;
    this.ring[w + 1] = (low >>> 0) < pool.iovaLow ? pool.iovaHigh + 1 : pool.iovaHigh;
    this.ring[w + 2] = 0;
    this.ring[w + 3] = 0;
  }
}
