/**
 * Helpers for the ixgbe driver's tests on the simulated 82599 (test/sim/ixgbe-*.test.ts).
 */
import type { Test } from 'tap';
import { SimCard, type SimCardOptions } from '../../lib/bus/sim';
import type { DeviceOptions } from '../../lib/device';
import { IxgbeDevice } from '../../lib/drivers/ixgbe';
import type { PacketBatch } from '../../lib/memory/batch';
import type { Mempool } from '../../lib/memory/mempool';

/** A card with short delays, closed when the test ends. */
export function testCard(t: Test, options: SimCardOptions = {}): SimCard {
  const card = SimCard.create({ linkUpDelayMs: 2, resetDelayMs: 1, ...options });
  t.teardown(() => card.close());
  return card;
}

/** Opens port `port` of `card` with the ixgbe driver. */
export function openPort(card: SimCard, port: 0 | 1 = 0, options: DeviceOptions = {}): Promise<IxgbeDevice> {
  return IxgbeDevice.open(card.port(port), options);
}

/** Asserts the model saw no datasheet violation on `port` and no DMA outside live memory. */
export function assertConformant(t: Test, card: SimCard, port: 0 | 1 = 0): void {
  const v = card.violations(port);
  t.same(Object.entries(v).filter(([, n]) => n !== 0), [], `port ${port}: no datasheet violations`);
  t.equal(card.dmaFaults().count, 0, 'no DMA outside live regions');
}

/** Writes `frame` into buffer `id` of `pool`. */
export function putFrame(pool: Mempool, id: number, frame: Uint8Array): void {
  pool.data.set(frame, pool.offsetOf(id));
}

/** A copy of the bytes of packet `k` of `batch`. */
export function frameOf(batch: PacketBatch, k: number): Uint8Array {
  const pool = batch.pool as Mempool;
  const off = pool.offsetOf(batch.ids[k]);
  return pool.data.slice(off, off + batch.lengths[k]);
}

/** Polls `cond` (which may move packets) until true, yielding to the event loop now and then. */
export async function pollUntil(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  let spins = 0;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    if ((++spins & 255) === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
