/**
 * The 82576's rx and tx queues: the shared advanced-descriptor rings (lib/drivers/common) with the
 * 82576's tail register offsets and rx error bits.
 */
import type { Mempool } from '../../memory/mempool';
import { AdvRxQueue } from '../common/adv-rx-queue';
import { AdvTxQueue } from '../common/adv-tx-queue';
import { rdt, tdt } from './registers';

/**
 * Advanced rx write-back error bits that mean "the frame is bad" (82576 datasheet 7.1.5.2, Linux
 * igb's E1000_RXDEXT_ERR_FRAME_ERR_MASK): CE (24), SE (25), SEQ (26), CXE (28) and RXE (29). The
 * checksum errors TCPE/IPE (30/31) only describe the payload.
 */
export const RX_ERROR_FRAME = 0x37000000;

/** A receive queue of the 82576. */
export function igbRxQueue(bar0: Uint32Array, queue: number, ring: Uint32Array, size: number, pool: Mempool): AdvRxQueue {
  return new AdvRxQueue(bar0, rdt(queue), ring, size, pool, RX_ERROR_FRAME);
}

/** A transmit queue of the 82576. */
export function igbTxQueue(bar0: Uint32Array, queue: number, ring: Uint32Array, size: number, address: string): AdvTxQueue {
  return new AdvTxQueue(bar0, tdt(queue), ring, size, address);
}
