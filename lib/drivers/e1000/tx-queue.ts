/**
 * The e1000's single transmit ring (SDM 3.3 and 14.5): legacy descriptors pointing at mempool buffers.
 * Sent buffers return to their pools lazily, in chunks of up to 32, found by checking only the chunk's
 * last descriptor (every descriptor asks for a status write-back, and the NIC completes them in order).
 */
import { TsnicError } from '../../errors';
import type { PacketBatch } from '../../memory/batch';
import { TxSlots } from '../common/ring-slots';
import { writeTxDescriptor, TXD_STAT_DD } from './descriptors';
import { REG } from './registers';

/** Descriptors cleaned at a time. */
export const TX_CLEAN_CHUNK = 32;

/** Largest frame one legacy descriptor may carry (SDM 3.3.3: 16288 bytes). */
export const TX_MAX_FRAME = 16288;

/** Transmit ring state; the registers are programmed by the device. */
export class TxQueue {
  /** The buffer (and its pool) each slot holds. */
  private readonly slots: TxSlots;
  private readonly mask: number;
  /** Next descriptor to fill (software's tail). */
  private tail = 0;
  /** Oldest descriptor not yet cleaned. */
  private clean = 0;
  private readonly tdt = REG.TDT >>> 2;

  constructor(
    private readonly bar0: Uint32Array,
    readonly ring: Uint32Array,
    readonly size: number,
    private readonly address: string,
  ) {
    this.mask = size - 1;
    this.slots = new TxSlots(size);
  }

  /** Descriptors handed to the NIC and not yet cleaned. */
  get inFlight(): number {
    return (this.tail - this.clean) & this.mask;
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
      this.clean = this.slots.release(this.clean, chunk);
    }
  }

  /** Queues as many packets of `batch` as fit; removes them from its front. Returns how many. */
  transmit(batch: PacketBatch): number {
    this.reclaim();
    const count = batch.count;
    if (count === 0) return 0;
    const pool = batch.pool;
    if (pool === null) {
      throw new TsnicError('ERR_BATCH', 'txBatch: the batch has packets but no pool: set batch.pool to their mempool');
    }
    if (batch.hasChains) {
      throw new TsnicError(
        'ERR_BATCH',
        `${this.address}: txBatch: the e1000 driver sends each frame from one buffer; chained packets (PacketBatch.chain) are not supported: copy the frame into one buffer. Nothing was queued`,
      );
    }
    // One slot stays empty: TDH == TDT means "nothing to send" to the NIC.
    const free = this.size - 1 - this.inFlight;
    const n = count < free ? count : free;
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
      this.slots.hold(t, id, pool.index);
      t = (t + 1) & mask;
    }
    if (n > 0) {
      this.tail = t;
      this.bar0[this.tdt] = t;
      batch.consume(n);
    }
    return n;
  }

  /** Returns every buffer still in the ring to its pool (the NIC must be stopped). */
  drop(): void {
    this.slots.releaseUntil(this.clean, this.tail);
    this.clean = this.tail;
  }
}
