/**
 * One transmit queue over advanced data descriptors (82599 datasheet 7.2, 82576 datasheet 7.2): a
 * ring of descriptors pointing at mempool buffers, one descriptor per frame, or one per buffer for a
 * frame chained over several buffers ({@link PacketBatch.chain}). Only a frame's last descriptor asks
 * for status write-back (RS with EOP: 82599 7.2.3.2.4, 82576 7.2.2.3), and the NIC completes
 * descriptors in order. Sent buffers return to their pools lazily, ixy-style, about 32 at a time: the
 * chunk's last descriptor is looked up, and DD is checked on the last descriptor of the frame it
 * belongs to (which carries RS), so a chunk ends on a frame boundary. The tail register (TDT) is
 * written once per call; the chip-specific part is its offset.
 */
import { TsnicError } from '../../errors';
import type { PacketBatch } from '../../memory/batch';
import type { Mempool } from '../../memory/mempool';
import { TX_STATUS_DD, writeTxDescriptorWords, writeTxSegment } from './adv-descriptors';
import { poolOf, TxRing } from './ring-slots';

/** Descriptors cleaned at a time. */
export const TX_CLEAN_CHUNK = 32;
/**
 * Shortest frame a descriptor may carry: PAYLEN must be at least 17 on both chips (Linux's ixgbe and
 * igb pad to 17 for this reason). Shorter frames are zero-padded to 17 in their buffer; the NIC then
 * pads on the wire to the Ethernet minimum of 64 bytes with FCS (82599 HLREG0.TXPADEN, 82576 TCTL.PSP).
 */
export const TX_MIN_FRAME = 17;
/** Longest frame without jumbo frames: 1518 bytes with FCS (82599 MAXFRS, 82576 RLPML) less the FCS. */
export const TX_MAX_FRAME = 1514;

/** Transmit ring state of one queue; the device programs the registers. */
export class AdvTxQueue extends TxRing {
  /** Slot of the last descriptor (EOP, RS) of the frame each slot belongs to: where DD appears. */
  private readonly frameEnds: Uint32Array;

  /**
   * @param bar0 the device registers
   * @param tailOffset byte offset of this queue's TDT register
   * @param ring the descriptor ring, `size` descriptors of 4 words
   * @param size ring size, a power of two of at least 2 x {@link TX_CLEAN_CHUNK}
   * @param address the PCI address, for error messages
   */
  constructor(bar0: Uint32Array, tailOffset: number, ring: Uint32Array, size: number, private readonly address: string) {
    super(bar0, tailOffset, ring, size);
    this.frameEnds = new Uint32Array(size);
  }

  /**
   * Returns the buffers of sent frames to their pools, at least {@link TX_CLEAN_CHUNK} descriptors at a
   * time (a chunk grows to the end of the frame its last descriptor belongs to).
   */
  reclaim(): void {
    const ring = this.ring;
    const mask = this.mask;
    const frameEnds = this.frameEnds;
    const tail = this.tail;
    while (((tail - this.clean) & mask) >= TX_CLEAN_CHUNK) {
      const last = frameEnds[(this.clean + TX_CLEAN_CHUNK - 1) & mask];
      if ((ring[(last << 2) + 3] & TX_STATUS_DD) === 0) break;
      this.release(((last - this.clean) & mask) + 1);
    }
  }

  /**
   * Queues as many packets of `batch` as there are free descriptors, removes them from its front and
   * returns how many. A frame of 0 bytes or longer than {@link TX_MAX_FRAME} (or than its buffer)
   * throws ERR_FRAME_SIZE with the ring untouched.
   */
  transmit(batch: PacketBatch): number {
    this.reclaim();
    const count = batch.count;
    if (count === 0) return 0;
    const pool = poolOf(batch);
    const mask = this.mask;
    const free = this.freeSlots();
    if (batch.hasChains) return this.transmitChained(batch, pool, free);
    const n = count < free ? count : free;
    const ring = this.ring;
    const ids = batch.ids;
    const lengths = batch.lengths;
    const slotIds = this.slotIds;
    const slotPools = this.slotPools;
    const frameEnds = this.frameEnds;
    const poolIndex = pool.index;
    const iovaLow = pool.iovaLow;
    const iovaHigh = pool.iovaHigh;
    const bufferSize = pool.bufferSize;
    const maxFrame = bufferSize < TX_MAX_FRAME ? bufferSize : TX_MAX_FRAME;
    let t = this.tail;
    for (let k = 0; k < n; k++) {
      const id = ids[k];
      let length = lengths[k];
      if (length < TX_MIN_FRAME || length > maxFrame) {
        if (length === 0 || length > maxFrame) this.frameSizeError(k, length, maxFrame);
        pool.data.fill(0, id * bufferSize + length, id * bufferSize + TX_MIN_FRAME);
        length = TX_MIN_FRAME;
      }
      // As in the rx loop: a 32-bit offset into a pool of at most 4 GiB, at most one carry.
      const low = (iovaLow + Math.imul(id, bufferSize)) >>> 0;
      writeTxDescriptorWords(ring, t, low, low < iovaLow ? iovaHigh + 1 : iovaHigh, length);
      slotIds[t] = id;
      slotPools[t] = poolIndex;
      frameEnds[t] = t;
      t = (t + 1) & mask;
    }
    if (n > 0) this.commit(t, batch, n);
    return n;
  }

  /**
   * {@link transmit} for a batch with chained packets: whole frames only (a frame's segments never
   * straddle two calls), one descriptor per segment.
   */
  private transmitChained(batch: PacketBatch, pool: Mempool, free: number): number {
    const count = batch.count;
    const more = batch.more;
    const lengths = batch.lengths;
    const bufferSize = pool.bufferSize;
    let t = this.tail;
    let k = 0;
    while (k < count) {
      let end = k;
      let frameLength = lengths[k];
      while (more[end] === 1) {
        end++;
        if (end === count) {
          throw new TsnicError('ERR_BATCH', `${this.address}: txBatch: packet ${end - 1} is chained to a packet the batch does not have: unchain it or add the frame's last part. Nothing was queued`);
        }
        frameLength += lengths[end];
      }
      for (let s = k; s <= end; s++) {
        if (lengths[s] === 0 || lengths[s] > bufferSize) this.frameSizeError(s, lengths[s], bufferSize);
      }
      if (frameLength < TX_MIN_FRAME || frameLength > TX_MAX_FRAME) {
        throw new TsnicError(
          'ERR_FRAME_SIZE',
          `${this.address}: txBatch: the frame of packets ${k}..${end} is ${frameLength} bytes; a frame in several buffers must be ${TX_MIN_FRAME} to ${TX_MAX_FRAME} bytes: shorten or merge it. Nothing was queued`,
        );
      }
      if (end - k + 1 > free - ((t - this.tail) & this.mask)) break;
      const frameEnd = (t + end - k) & this.mask;
      for (let s = k; s <= end; s++) {
        writeTxSegment(this.ring, t, pool.iovaBase + batch.ids[s] * bufferSize, lengths[s], frameLength, s === end);
        this.slotIds[t] = batch.ids[s];
        this.slotPools[t] = pool.index;
        this.frameEnds[t] = frameEnd;
        t = (t + 1) & this.mask;
      }
      k = end + 1;
    }
    if (k > 0) this.commit(t, batch, k);
    return k;
  }

  private frameSizeError(k: number, length: number, maxFrame: number): never {
    throw new TsnicError(
      'ERR_FRAME_SIZE',
      `${this.address}: txBatch: packet ${k} is ${length} bytes; frames must be 1 to ${maxFrame} bytes without FCS ` +
        '(the longest frame without jumbo frames, and no longer than one buffer): shorten or split the frame. Nothing was queued',
    );
  }
}
