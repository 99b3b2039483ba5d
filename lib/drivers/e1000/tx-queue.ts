/**
 * The e1000's single transmit ring (SDM 3.3 and 14.5): legacy descriptors pointing at mempool buffers.
 * Sent buffers return to their pools lazily, in chunks of up to 32, found by checking only the chunk's
 * last descriptor (every descriptor asks for a status write-back, and the NIC completes them in order).
 */
import { TsnicError } from '../../errors';
import type { PacketBatch } from '../../memory/batch';
import { poolOf, TxRing } from '../common/ring-slots';
import { writeTxDescriptor, TXD_STAT_DD } from './descriptors';
import { REG } from './registers';

/** Descriptors cleaned at a time. */
export const TX_CLEAN_CHUNK = 32;

/** Largest frame one legacy descriptor may carry (SDM 3.3.3: 16288 bytes). */
export const TX_MAX_FRAME = 16288;

/** Transmit ring state; the registers are programmed by the device. */
export class TxQueue extends TxRing {
  /**
   * @param bar0 the device registers
   * @param ring the descriptor ring (4 words per descriptor), `size` descriptors long
   * @param size ring size, a power of two
   * @param address the PCI address, for error messages
   */
  constructor(bar0: Uint32Array, ring: Uint32Array, size: number, private readonly address: string) {
    super(bar0, REG.TDT, ring, size);
  }

  /** Returns the buffers of sent descriptors to their pools. */
  reclaim(): void {
    const ring = this.ring;
    const mask = this.mask;
    for (;;) {
      const inFlight = (this.tail - this.clean) & mask;
      if (inFlight === 0) return;
      const chunk = inFlight < TX_CLEAN_CHUNK ? inFlight : TX_CLEAN_CHUNK;
      const last = (this.clean + chunk - 1) & mask;
      if ((ring[(last << 2) + 3] & TXD_STAT_DD) === 0) return;
      this.release(chunk);
    }
  }

  /** Queues as many packets of `batch` as fit; removes them from its front. Returns how many. */
  transmit(batch: PacketBatch): number {
    this.reclaim();
    const count = batch.count;
    if (count === 0) return 0;
    const pool = poolOf(batch);
    if (batch.hasChains) {
      throw new TsnicError(
        'ERR_BATCH',
        `${this.address}: txBatch: the e1000 driver sends each frame from one buffer; chained packets (PacketBatch.chain) are not supported: copy the frame into one buffer. Nothing was queued`,
      );
    }
    const free = this.freeSlots();
    const n = count < free ? count : free;
    this.useSlotPool(pool);
    const ring = this.ring;
    const ids = batch.ids;
    const lengths = batch.lengths;
    const limit = pool.bufferSize < TX_MAX_FRAME ? pool.bufferSize : TX_MAX_FRAME;
    const mask = this.mask;
    let t = this.tail;
    for (let k = 0; k < n; k++) {
      const length = lengths[k];
      if (length === 0 || length > limit) {
        throw new TsnicError('ERR_FRAME_SIZE', `${this.address}: txBatch: packet ${k} is ${length} bytes; frames must be 1 to ${limit} bytes`);
      }
      const id = ids[k];
      writeTxDescriptor(ring, t, pool.iovaOf(id), length);
      this.slots[t << 2] = id;
      t = (t + 1) & mask;
    }
    if (n > 0) this.commit(t, batch, n);
    return n;
  }
}
