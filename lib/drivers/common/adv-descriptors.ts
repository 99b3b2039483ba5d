/**
 * Advanced rx and tx descriptors, as the 82599 (datasheet 7.1.6 and 7.2.3.2.4) and the 82576 (its
 * datasheet 7.1.5 and 7.2.2.3) lay them out: four 32-bit words in a Uint32Array ring, descriptor `i`
 * at words `4i .. 4i+3`, 64-bit bus addresses written as two halves. The fields this driver uses sit
 * at the same bits on both chips; only the set of rx error bits differs (each driver passes its own).
 * The writers below serve ring set-up and chained frames; the per-packet loops of adv-rx-queue.ts and
 * adv-tx-queue.ts write the same words inline (V8 does not reliably inline a helper there).
 */

/** Bytes per descriptor (rx and tx, both chips, and the 8254x's legacy descriptors too). */
export const DESCRIPTOR_BYTES = 16;

/** Rx write-back, dword 2: extended status in bits 19:0, extended errors in 31:20. */
export const RX_STATUS = {
  /** Descriptor done. */
  DD: 1 << 0,
  /** End of packet: the last descriptor of a frame. */
  EOP: 1 << 1,
} as const;

/** Rx write-back, dword 3 bits 15:0: bytes in this descriptor's buffer. */
export const RX_LENGTH_MASK = 0xffff;

/** Tx data descriptor, dword 2: DTALEN 15:0, DTYP 23:20, DCMD 31:24. */
export const TX_CMD = {
  /** DTYP = 0011b: advanced data descriptor. */
  DTYP_DATA: 0x3 << 20,
  /** End of packet. */
  EOP: 1 << 24,
  /** Insert FCS. */
  IFCS: 1 << 25,
  /** Report status: write DD back when done. */
  RS: 1 << 27,
  /** Descriptor extension: advanced format. */
  DEXT: 1 << 29,
} as const;

/** dword 2 of a one-descriptor frame without its length: data, EOP, insert FCS, report status. */
export const TX_CMD_ONE_BUFFER = (TX_CMD.DTYP_DATA | TX_CMD.EOP | TX_CMD.IFCS | TX_CMD.RS | TX_CMD.DEXT) >>> 0;

/**
 * dword 2 of a frame's segment before its last: as {@link TX_CMD_ONE_BUFFER} without EOP and without
 * RS. Both datasheets (82599 7.2.3.2.4, 82576 7.2.2.3, DCMD.RS) allow RS only on a frame's last
 * descriptor; the NIC writes DD back there, never on a segment in the middle of a frame.
 */
export const TX_CMD_SEGMENT = (TX_CMD.DTYP_DATA | TX_CMD.IFCS | TX_CMD.DEXT) >>> 0;

/** dword 3: PAYLEN (the frame's length) in bits 31:14. */
export const TX_PAYLEN_SHIFT = 14;

/** Tx write-back, dword 3 bit 0: descriptor done. */
export const TX_STATUS_DD = 1 << 0;

const TWO_POW_32 = 4294967296;

/**
 * Writes the read format of rx descriptor `i`: packet buffer at `iova`, no header buffer, and clears
 * the write-back words (DD). The 8254x's legacy rx descriptor has the same read format (SDM 3.2.3).
 */
export function armRxDescriptor(ring: Uint32Array, i: number, iova: number): void {
  const w = i << 2;
  ring[w] = iova >>> 0;
  ring[w + 1] = Math.floor(iova / TWO_POW_32);
  ring[w + 2] = 0;
  ring[w + 3] = 0;
}

/**
 * Writes tx descriptor `i` for one segment of a frame spread over several buffers: this buffer's
 * `length` in DTALEN, the whole frame's `frameLength` in PAYLEN (in every descriptor of the frame, as
 * Linux's ixgbe and igb do), EOP and RS only when `last`.
 */
export function writeTxSegment(ring: Uint32Array, i: number, iova: number, length: number, frameLength: number, last: boolean): void {
  const w = i << 2;
  ring[w] = iova >>> 0;
  ring[w + 1] = Math.floor(iova / TWO_POW_32);
  ring[w + 2] = ((last ? TX_CMD_ONE_BUFFER : TX_CMD_SEGMENT) | length) >>> 0;
  ring[w + 3] = (frameLength << TX_PAYLEN_SHIFT) >>> 0;
}

/** Writes tx descriptor `i` for a whole frame of `length` bytes in one buffer at `iova`. */
export function writeTxDescriptor(ring: Uint32Array, i: number, iova: number, length: number): void {
  const w = i << 2;
  ring[w] = iova >>> 0;
  ring[w + 1] = Math.floor(iova / TWO_POW_32);
  ring[w + 2] = (TX_CMD_ONE_BUFFER | length) >>> 0;
  ring[w + 3] = (length << TX_PAYLEN_SHIFT) >>> 0;
}
