/**
 * One 82599 transmit queue (datasheet 7.2): the shared advanced-descriptor ring
 * (lib/drivers/common/adv-tx-queue.ts) with the 82599's TDT offsets.
 */
import { AdvTxQueue } from '../common/adv-tx-queue';
import type { PacketBatch } from '../../memory/batch';
import { tdt } from './registers';
import { TX_CMD_TSTAMP } from './timesync';

export { TX_CLEAN_CHUNK, TX_MAX_FRAME, TX_MIN_FRAME } from '../common/adv-tx-queue';

/** Transmit ring state of one 82599 queue; the device programs the registers. */
export class TxQueue extends AdvTxQueue {
  /** Set by the IEEE 1588 clock (timesync.ts): the next frame queued asks for a transmit timestamp. */
  stampNext = false;

  /**
   * @param bar0 the device registers
   * @param queue the queue index (for TDT)
   * @param ring the descriptor ring, `size` descriptors of 4 words
   * @param size ring size, a power of two of at least 2 x TX_CLEAN_CHUNK
   * @param address the PCI address, for error messages
   */
  constructor(bar0: Uint32Array, queue: number, ring: Uint32Array, size: number, address: string) {
    super(bar0, tdt(queue), ring, size, address);
  }

  /** Marks the batch's first frame for a timestamp (MAC.TSTAMP, 7.2.3.2.4) before the tail moves. */
  protected override commit(t: number, batch: PacketBatch, n: number): void {
    if (this.stampNext) {
      this.ring[(this.tail << 2) + 2] |= TX_CMD_TSTAMP;
      this.stampNext = false;
    }
    super.commit(t, batch, n);
  }
}
