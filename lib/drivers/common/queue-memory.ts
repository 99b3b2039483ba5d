/**
 * The memory of a multi-queue NIC over advanced descriptors: every descriptor ring in one DMA region
 * (rx rings first; ring sizes are multiples of 128 bytes, so each ring stays 128-byte aligned, as both
 * the 82599 and the 82576 require), one mempool for all rx queues (so a fair receive over all queues
 * fills one batch), and the queue objects over them.
 */
import type { DmaRegion, PciFunction } from '../../bus/types';
import { Mempool } from '../../memory/mempool';
import { DESCRIPTOR_BYTES } from './adv-descriptors';
import type { AdvRxQueue } from './adv-rx-queue';
import type { AdvTxQueue } from './adv-tx-queue';
import type { QueueSettings } from './settings';

/** Where a ring lives: its bus address and its length in descriptors. */
export interface RingPlacement {
  iova: number;
  size: number;
}

/** What {@link allocateQueues} made. */
export interface QueueMemory {
  /** The region of every ring; free it (after stopping the NIC) with `pci.freeDma`. */
  rings: DmaRegion;
  /** The rx queues' buffers (`mempoolSize` per queue). */
  pool: Mempool;
  rx: AdvRxQueue[];
  tx: AdvTxQueue[];
  /** Ring addresses for the registers, by queue. */
  rxPlaces: RingPlacement[];
  txPlaces: RingPlacement[];
}

/** Makes a chip's queue `q` over `ring` (`size` descriptors). */
export type RxQueueFactory = (q: number, ring: Uint32Array, size: number, pool: Mempool) => AdvRxQueue;
export type TxQueueFactory = (q: number, ring: Uint32Array, size: number) => AdvTxQueue;

/** Allocates the rings and the pool of `s` and makes the queues; frees what it took if it fails. */
export function allocateQueues(pci: PciFunction, s: QueueSettings, makeRx: RxQueueFactory, makeTx: TxQueueFactory): QueueMemory {
  const rxBytes = s.rxRingSize * DESCRIPTOR_BYTES;
  const txBytes = s.txRingSize * DESCRIPTOR_BYTES;
  const rings = pci.allocDma(s.rxQueues * rxBytes + s.txQueues * txBytes, { hugepages: s.hugepages });
  let pool: Mempool;
  try {
    pool = Mempool.create(pci, { count: s.rxQueues * s.mempoolSize, bufferSize: s.bufferSize, hugepages: s.hugepages });
  } catch (err) {
    pci.freeDma(rings);
    throw err;
  }
  const memory: QueueMemory = { rings, pool, rx: [], tx: [], rxPlaces: [], txPlaces: [] };
  for (let q = 0; q < s.rxQueues; q++) {
    memory.rxPlaces.push({ iova: rings.iova + q * rxBytes, size: s.rxRingSize });
    memory.rx.push(makeRx(q, new Uint32Array(rings.bytes, q * rxBytes, rxBytes >>> 2), s.rxRingSize, pool));
  }
  const txStart = s.rxQueues * rxBytes;
  for (let q = 0; q < s.txQueues; q++) {
    memory.txPlaces.push({ iova: rings.iova + txStart + q * txBytes, size: s.txRingSize });
    memory.tx.push(makeTx(q, new Uint32Array(rings.bytes, txStart + q * txBytes, txBytes >>> 2), s.txRingSize));
  }
  return memory;
}

/**
 * After an open failed with `err` once the queues existed: `stop` stops and resets the NIC, and only
 * then the pool and the rings are freed. A NIC that cannot even reset keeps its memory (freeing memory
 * it may still write would be worse); `err`, which says what went wrong first, is thrown either way.
 */
export function abandonQueues(pci: PciFunction, memory: QueueMemory, stop: () => void, err: unknown): never {
  try {
    stop();
  } catch {
    throw err;
  }
  memory.pool.destroy();
  pci.freeDma(memory.rings);
  throw err;
}
