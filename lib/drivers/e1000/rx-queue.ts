/**
 * The e1000's single receive ring (SDM 3.2 and 14.4): legacy descriptors over a DMA region, every slot
 * holding a buffer of one mempool. Received buffers go to the caller; each taken slot is re-armed with
 * a fresh buffer, and RDT is written once per batch.
 */
import type { PacketBatch } from '../../memory/batch';
import type { Mempool } from '../../memory/mempool';
import { RxRing } from '../common/ring-slots';
import { armRxDescriptor, RXD_ERR_FRAME, RXD_STAT } from './descriptors';
import { REG } from './registers';

/** Receive ring state; the registers are programmed by the device. */
export class RxQueue extends RxRing {
  /** Frames dropped because their descriptor reported an error (or spanned several buffers). */
  errors = 0;

  /**
   * @param bar0 the device registers
   * @param ring the descriptor ring (4 words per descriptor), `size` descriptors long
   * @param size ring size, a power of two
   * @param pool the buffers the NIC receives into
   */
  constructor(bar0: Uint32Array, ring: Uint32Array, size: number, pool: Mempool) {
    super(bar0, REG.RDT, ring, size, pool);
  }

  /** Receives up to `max` frames into `batch` (emptied first). Returns how many. */
  receive(batch: PacketBatch, max: number): number {
    const ring = this.ring;
    const pool = this.pool;
    const ids = batch.ids;
    const lengths = batch.lengths;
    const mask = this.mask;
    batch.count = 0;
    batch.pool = pool;
    let i = this.next;
    let taken = 0;
    let seen = 0;
    while (taken < max) {
      const status = ring[(i << 2) + 3];
      if ((status & RXD_STAT.DD) === 0) break;
      // A buffer for the slot first: without one the frame stays in the ring until the pool refills.
      const fresh = pool.alloc();
      if (fresh < 0) break;
      if ((status & RXD_STAT.EOP) === 0 || ((status >>> 8) & RXD_ERR_FRAME) !== 0) {
        // Bad or multi-buffer frame (cannot happen with 2 KiB buffers and LPE off): drop it, keep the buffer.
        this.errors++;
        pool.free(fresh);
      } else {
        ids[taken] = this.slotIds[i];
        lengths[taken] = ring[(i << 2) + 2] & 0xffff;
        taken++;
        this.slotIds[i] = fresh;
      }
      armRxDescriptor(ring, i, pool.iovaOf(this.slotIds[i]));
      seen++;
      i = (i + 1) & mask;
    }
    if (seen > 0) this.advance(i);
    batch.count = taken;
    return taken;
  }
}
