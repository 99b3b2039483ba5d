/**
 * One 82599 transmit queue (datasheet 7.2): the shared advanced-descriptor ring
 * (lib/drivers/common/adv-tx-queue.ts) with the 82599's TDT offsets.
 */
import { AdvTxQueue } from '../common/adv-tx-queue';
import { tdt } from './registers';

export { TX_CLEAN_CHUNK, TX_MAX_FRAME, TX_MIN_FRAME } from '../common/adv-tx-queue';

/** Transmit ring state of one 82599 queue; the device programs the registers. */
export class TxQueue extends AdvTxQueue {
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
}
