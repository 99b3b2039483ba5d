/**
 * The transmit pool the generators share (pktgen, `pktgen --rx` trials, RFC 2544 trials): one per
 * device, created on first use and kept for the device's life, because its buffers may still sit in
 * the tx ring after a run ends (they come back as the ring is cleaned by the next run or the close).
 */
import type { NetDevice } from '../device';
import { Mempool } from '../memory/mempool';

/** Buffers in the pool: a full 4096-descriptor ring plus a batch, with room to spare. */
const TX_POOL_BUFFERS = 8192;

const txPools = new WeakMap<NetDevice, Mempool>();

/** The device's generator tx pool (2 KiB buffers), created on first use. */
export function generatorTxPool(dev: NetDevice): Mempool {
  let pool = txPools.get(dev);
  if (pool === undefined) {
    pool = Mempool.create(dev.pci, { count: TX_POOL_BUFFERS, bufferSize: 2048 });
    txPools.set(dev, pool);
  }
  return pool;
}
