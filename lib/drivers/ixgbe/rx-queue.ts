/**
 * One 82599 receive queue (datasheet 7.1): the shared advanced-descriptor ring
 * (lib/drivers/common/adv-rx-queue.ts) with the 82599's RDT offsets and rx error bits.
 */
import type { Mempool } from '../../memory/mempool';
import { AdvRxQueue } from '../common/adv-rx-queue';
import { RX_ERROR_FRAME } from './descriptors';
import { rdt } from './registers';

/** Receive ring state of one 82599 queue; the device programs the registers. */
export class RxQueue extends AdvRxQueue {
  /**
   * @param bar0 the device registers
   * @param queue the queue index (for RDT)
   * @param ring the descriptor ring, `size` descriptors of 4 words
   * @param size ring size, a power of two
   * @param pool the buffers the NIC receives into
   */
  constructor(bar0: Uint32Array, queue: number, ring: Uint32Array, size: number, pool: Mempool) {
    super(bar0, rdt(queue), ring, size, pool, RX_ERROR_FRAME);
  }
}
