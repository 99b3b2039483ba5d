/**
 * One 82599 receive queue (datasheet 7.1): a ring of advanced one-buffer descriptors, every slot
 * holding a buffer of the device's rx mempool. Completed descriptors (DD) hand their buffer to the
 * caller and get a fresh one; RDT is written once per call. Frames with error bits, and frames that
 * span several descriptors (larger than one buffer: cannot happen without jumbo frames), are dropped,
 * their buffers re-armed, and counted in {@link RxQueue.errors}.
 */
import type { Mempool } from '../../memory/mempool';
import { armRxDescriptor, RX_ERROR_FRAME, RX_LENGTH_MASK, RX_STATUS } from './descriptors';
import { rdt } from './registers';

const DD = RX_STATUS.DD;
const EOP = RX_STATUS.EOP;
/** EOP plus every frame error bit: a good, complete frame has exactly EOP of these. */
const EOP_OR_ERROR = (RX_STATUS.EOP | RX_ERROR_FRAME) >>> 0;

/** Receive ring state of one queue; the device programs the registers. */
export class RxQueue {
  /** Frames dropped for error bits or for spanning several descriptors. */
  errors = 0;
  /** Buffer id held by each slot. */
  private readonly slotIds: Uint32Array;
  private readonly mask: number;
  /** Next slot to look at (the driver's view of RDH). */
  private next = 0;
  /** Inside a multi-descriptor frame being dropped. */
  private discarding = false;
  private readonly rdtIndex: number;

  /**
   * @param bar0 the device registers
   * @param queue the queue index (for RDT)
   * @param ring the descriptor ring, `size` descriptors of 4 words
   * @param size ring size, a power of two
   * @param pool the buffers the NIC receives into
   */
  constructor(
    private readonly bar0: Uint32Array,
    queue: number,
    readonly ring: Uint32Array,
    readonly size: number,
    readonly pool: Mempool,
  ) {
    this.mask = size - 1;
    this.slotIds = new Uint32Array(size);
    this.rdtIndex = rdt(queue) >>> 2;
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
   * Takes up to `max` received frames into `ids[start..]` / `lengths[start..]` (buffers of
   * {@link pool}). Stops early when the pool has no buffer to re-arm a slot with: a slot is never left
   * without a buffer. Returns how many frames it took.
   */
  receive(ids: Uint32Array, lengths: Uint16Array, start: number, max: number): number {
    const ring = this.ring;
    const slots = this.slotIds;
    const pool = this.pool;
    const iovaBase = pool.iovaBase;
    const bufferSize = pool.bufferSize;
    const mask = this.mask;
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
      if ((status & EOP_OR_ERROR) === EOP && !discarding) {
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
      // Re-arm the slot (read format: buffer address, header address 0 also clears DD).
      armRxDescriptor(ring, i, iovaBase + id * bufferSize);
      seen++;
      i = (i + 1) & mask;
    }
    this.discarding = discarding;
    if (seen > 0) {
      this.next = i;
      // RDT is the last re-armed slot, one behind the next one to be filled: RDT == RDH would tell the
      // NIC "no free descriptors".
      this.bar0[this.rdtIndex] = (i - 1) & mask;
    }
    return taken - start;
  }
}
