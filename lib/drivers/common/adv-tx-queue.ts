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
import { TX_CMD_ONE_BUFFER, TX_PAYLEN_SHIFT, TX_STATUS_DD, writeTxSegment } from './adv-descriptors';
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
  /**
   * Slots queued before this position ({@link TxRing.queuedTotal}) carry the slot of their frame's last
   * descriptor in word +2; it is past the last chained frame queued, and the one-descriptor frames
   * queued after it need no word (a frame that ends where it starts).
   */
  private chainHorizon = 0;

  /**
   * @param bar0 the device registers
   * @param tailOffset byte offset of this queue's TDT register
   * @param ring the descriptor ring, `size` descriptors of 4 words
   * @param size ring size, a power of two of at least 2 x {@link TX_CLEAN_CHUNK}
   * @param address the PCI address, for error messages
   */
  constructor(bar0: Uint32Array, tailOffset: number, ring: Uint32Array, size: number, private readonly address: string) {
    super(bar0, tailOffset, ring, size);
  }

  /**
   * Returns the buffers of sent frames to their pools, at least {@link TX_CLEAN_CHUNK} descriptors at a
   * time (a chunk grows to the end of the frame its last descriptor belongs to).
   */
  reclaim(): void {
    const ring = this.ring;
    const mask = this.mask;
    const slots = this.slots;
    const tail = this.tail;
    while (((tail - this.clean) & mask) >= TX_CLEAN_CHUNK) {
      // The chunk's last slot, moved to the end of its frame (slot word +2) when chained frames may be
      // in flight there; every other frame is one descriptor and ends where it starts.
      const candidate = (this.clean + TX_CLEAN_CHUNK - 1) & mask;
      const last = this.cleanedTotal + TX_CLEAN_CHUNK - 1 < this.chainHorizon ? slots[(candidate << 2) + 2] : candidate;
      if ((ring[(last << 2) + 3] & TX_STATUS_DD) === 0) break;
      this.release(((last - this.clean) & mask) + 1);
    }
  }

  /**
   * Queues as many packets of `batch` as there are free descriptors, removes them from its front and
   * returns how many. A frame of 0 bytes or longer than {@link TX_MAX_FRAME} (or than its buffer)
   * throws ERR_FRAME_SIZE with nothing handed to the NIC and the batch as it was (short frames before
   * it may have been padded to {@link TX_MIN_FRAME} bytes).
   */
  transmit(batch: PacketBatch): number {
    this.reclaim();
    const count = batch.count;
    if (count === 0) return 0;
    const pool = poolOf(batch);
    const free = this.freeSlots();
    if (batch.hasChains) return this.transmitChained(batch, pool, free);
    const n = count < free ? count : free;
    if (n === 0) return 0;
    this.useSlotPool(pool);
    const maxFrame = pool.bufferSize < TX_MAX_FRAME ? pool.bufferSize : TX_MAX_FRAME;
    // A frame out of range stops the descriptor loop; it is padded (or refused) out of line, and the
    // loop goes on from it. Nothing is handed to the NIC before the tail moves.
    let k = this.writeDescriptors(batch, pool, 0, n, maxFrame);
    while (k < n) {
      this.padShortFrame(batch, pool, k, maxFrame);
      k = this.writeDescriptors(batch, pool, k, n, maxFrame);
    }
    this.commit((this.tail + n) & this.mask, batch, n);
    return n;
  }

  /**
   * Writes one descriptor for each packet `from..n-1` of `batch` (all from `pool`), packet `k` in slot
   * {@link tail} + `k`, up to the first frame outside {@link TX_MIN_FRAME}..`maxFrame` bytes. Returns
   * the index of that packet, or `n`.
   */
  private writeDescriptors(batch: PacketBatch, pool: Mempool, from: number, n: number, maxFrame: number): number {
    // Loop invariants as int32 locals (`| 0`), constants included: V8 keeps them in registers as
    // machine words, where a constant imported from another module would be a property load of that
    // module's exports object per packet.
    const ring = this.ring;
    const ids = batch.ids;
    const lengths = batch.lengths;
    const slots = this.slots;
    const iovaLow = pool.iovaLow | 0;
    const iovaHigh = pool.iovaHigh | 0;
    const bufferSize = pool.bufferSize | 0;
    const minFrame = TX_MIN_FRAME | 0;
    const maxLength = maxFrame | 0;
    const command = TX_CMD_ONE_BUFFER | 0;
    const paylenShift = TX_PAYLEN_SHIFT | 0;
    const mask = this.mask | 0;
    const end = n | 0;
    let t = (this.tail + from) & mask;
    let k = from | 0;
    for (; k < end; k++) {
      const length = lengths[k];
      if (length < minFrame || length > maxLength) break;
      const id = ids[k] | 0;
      // The advanced data descriptor (adv-descriptors.ts writeTxDescriptor), written here: V8 does
      // not reliably inline a helper into this loop. As in the rx loop, the buffer's address is a
      // 32-bit offset into a pool of at most 4 GiB, with at most one carry into the high word,
      // computed without a branch (see AdvRxQueue.takeRun).
      const offset = Math.imul(id, bufferSize);
      const low = (iovaLow + offset) | 0;
      const w = t << 2;
      ring[w] = low;
      ring[w + 1] = iovaHigh + (((iovaLow & offset) | ((iovaLow | offset) & ~low)) >>> 31);
      ring[w + 2] = command | length;
      ring[w + 3] = length << paylenShift;
      // The slot's buffer (its pool is the ring's uniform pool, and the frame ends here: TxRing.slots).
      slots[w] = id;
      t = (t + 1) & mask;
    }
    return k;
  }

  /**
   * Packet `k` of `batch` is outside {@link TX_MIN_FRAME}..`maxFrame` bytes: throws ERR_FRAME_SIZE for
   * 0 bytes or more than `maxFrame`; otherwise zero-pads the short frame to {@link TX_MIN_FRAME} bytes
   * in its buffer and sets its length in the batch to that (it is about to be sent and leave the batch).
   */
  private padShortFrame(batch: PacketBatch, pool: Mempool, k: number, maxFrame: number): void {
    const length = batch.lengths[k];
    if (length === 0 || length > maxFrame) this.frameSizeError(k, length, maxFrame);
    const at = batch.ids[k] * pool.bufferSize;
    pool.data.fill(0, at + length, at + TX_MIN_FRAME);
    batch.lengths[k] = TX_MIN_FRAME;
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
    this.useSlotPool(pool);
    this.markFrameEnds();
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
        this.slots[t << 2] = batch.ids[s];
        this.slots[(t << 2) + 2] = frameEnd;
        t = (t + 1) & this.mask;
      }
      k = end + 1;
    }
    if (k > 0) {
      this.commit(t, batch, k);
      this.chainHorizon = this.queuedTotal;
    }
    return k;
  }

  /**
   * Before chained frames are queued: the one-descriptor frames in flight since {@link chainHorizon}
   * get their frame-end word (themselves), so that {@link reclaim} can read the word of any slot before
   * the horizon the chained frames will move.
   */
  private markFrameEnds(): void {
    const n = this.inFlightSince(this.chainHorizon);
    for (let k = 0; k < n; k++) {
      const slot = (this.tail - n + k) & this.mask;
      this.slots[(slot << 2) + 2] = slot;
    }
  }

  private frameSizeError(k: number, length: number, maxFrame: number): never {
    throw new TsnicError(
      'ERR_FRAME_SIZE',
      `${this.address}: txBatch: packet ${k} is ${length} bytes; frames must be 1 to ${maxFrame} bytes without FCS ` +
        '(the longest frame without jumbo frames, and no longer than one buffer): shorten or split the frame. Nothing was queued',
    );
  }
}
