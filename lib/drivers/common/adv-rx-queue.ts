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
  /** Write-back dword 2 of the descriptor that ended {@link takeRun}'s last run short. */
  private runEndStatus = 0;

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
   * Good one-descriptor frames go through {@link takeRun}'s loop; a bad or multi-descriptor frame
   * ends the run and is dropped here, one descriptor at a time.
   */
  receive(ids: Uint32Array, lengths: Uint16Array, start: number, max: number): number {
    const mask = this.mask | 0;
    const end = (start + max) | 0;
    let i = this.next | 0;
    let taken = start | 0;
    let seen = 0;
    while (taken < end) {
      const free = this.pool.top | 0;
      const room = end - taken < free ? end - taken : free;
      let n = 0;
      let status: number;
      if (this.discarding) {
        status = this.ring[(i << 2) + 2] | 0;
      } else {
        n = this.takeRun(ids, lengths, taken, i, room);
        // Read once, by takeRun: the NIC may write the descriptor back at any moment, and a second look
        // could see DD where the first saw an unfinished descriptor.
        status = this.runEndStatus;
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
   * Takes the good one-descriptor frames from slot `first` on, at most `max` (the pool holds at least
   * `max` buffers), into `ids[at..]` / `lengths[at..]`, and re-arms each slot with a fresh buffer
   * popped inline from the pool's free stack (Mempool.freeIds). Returns how many it took; when fewer
   * than `max`, the status word of the descriptor that stopped it is in {@link runEndStatus}. Loop
   * invariants are int32 locals (`| 0`), constants included: V8 then keeps them in registers as machine
   * words, where an imported constant would be a property load of the exporting module per descriptor.
   */
  private takeRun(ids: Uint32Array, lengths: Uint16Array, at: number, first: number, max: number): number {
    const ring = this.ring;
    const slots = this.slotIds;
    const pool = this.pool;
    const free = pool.freeIds;
    let top = pool.top | 0;
    const iovaLow = pool.iovaLow | 0;
    const iovaHigh = pool.iovaHigh | 0;
    const bufferSize = pool.bufferSize | 0;
    const doneEopOrError = this.doneEopOrError | 0;
    const goodFrame = this.goodFrame | 0;
    const lengthMask = RX_LENGTH_MASK | 0;
    const mask = this.mask | 0;
    const end = (at + max) | 0;
    let i = first | 0;
    let k = at | 0;
    while (k < end) {
      const w = i << 2;
      const status = ring[w + 2] | 0;
      if ((status & doneEopOrError) !== goodFrame) {
        this.runEndStatus = status;
        break;
      }
      ids[k] = slots[i];
      lengths[k] = ring[w + 3] & lengthMask;
      const fresh = free[--top];
      slots[i] = fresh;
      // Re-arm in the read format (adv-descriptors.ts armRxDescriptor, written here: V8 does not
      // reliably inline a helper into this loop): buffer address, header address 0, which also clears
      // DD. The pool spans at most 4 GiB: the buffer's offset fits 32 bits and carries at most once
      // into the high word: bit 31 of (a & b) | ((a | b) & ~sum), computed without a branch.
      const offset = Math.imul(fresh, bufferSize);
      const low = (iovaLow + offset) | 0;
      ring[w] = low;
      ring[w + 1] = iovaHigh + (((iovaLow & offset) | ((iovaLow | offset) & ~low)) >>> 31);
      ring[w + 2] = 0;
      ring[w + 3] = 0;
      i = (i + 1) & mask;
      k++;
    }
    pool.top = top;
    return k - at;
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
