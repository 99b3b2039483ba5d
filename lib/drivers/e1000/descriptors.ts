/**
 * Legacy receive and transmit descriptors of the 8254x (SDM 3.2.3 and 3.3.3): 16 bytes each, seen as
 * four 32-bit little-endian words of a Uint32Array over the ring, so descriptor `i` is words
 * `4i .. 4i+3`. Word 0 and 1 hold the 64-bit buffer address (low, high half).
 *
 * Receive, written back by the NIC: word 2 = length (bits 15:0) | packet checksum (31:16);
 *   word 3 = status (7:0) | errors (15:8) | special (31:16).
 * Transmit, written by the driver: word 2 = length (15:0) | CSO (23:16) | CMD (31:24);
 *   word 3 = status (7:0, DD written back) | CSS (15:8) | special (31:16).
 */

/** Bytes per descriptor. */
export { DESCRIPTOR_BYTES } from '../common/adv-descriptors';

/** Receive status bits (SDM 3.2.3.1). */
export const RXD_STAT = { DD: 1 << 0, EOP: 1 << 1, IXSM: 1 << 2 } as const;

/**
 * Receive errors that make a frame unusable (SDM 3.2.3.2): CRC/alignment (CE), symbol (SE), sequence
 * (SEQ), carrier extension (CXE) and data (RXE). The checksum errors TCPE/IPE only describe the payload.
 */
export const RXD_ERR_FRAME = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 4) | (1 << 7);

/** Transmit command bits (SDM 3.3.3.1): end of packet, insert FCS, report status. */
export const TXD_CMD = { EOP: 1 << 0, IFCS: 1 << 1, RS: 1 << 3 } as const;

/** Transmit status bit: descriptor done (SDM 3.3.3.2). */
export const TXD_STAT_DD = 1 << 0;

/** Word 2 of every data descriptor the driver writes, less the length. */
const TX_COMMAND_WORD = (TXD_CMD.EOP | TXD_CMD.IFCS | TXD_CMD.RS) << 24;

const TWO_TO_32 = 4294967296;

/**
 * Hands receive descriptor `i` to the NIC with a buffer at `iova`; clears the write-back words. The
 * read format (address, then zeros) is the advanced descriptors' too: one writer serves every ring.
 */
export { armRxDescriptor } from '../common/adv-descriptors';

/** Status byte of receive descriptor `i` (0 until the NIC wrote it back). */
export function rxStatus(ring: Uint32Array, i: number): number {
  return ring[(i << 2) + 3] & 0xff;
}

/** Errors byte of receive descriptor `i`. */
export function rxErrors(ring: Uint32Array, i: number): number {
  return (ring[(i << 2) + 3] >>> 8) & 0xff;
}

/** Frame length the NIC wrote into receive descriptor `i`. */
export function rxLength(ring: Uint32Array, i: number): number {
  return ring[(i << 2) + 2] & 0xffff;
}

/** Fills transmit descriptor `i` for a whole frame of `length` bytes at `iova` (EOP, IFCS, RS). */
export function writeTxDescriptor(ring: Uint32Array, i: number, iova: number, length: number): void {
  const w = i << 2;
  ring[w] = iova >>> 0;
  ring[w + 1] = (iova / TWO_TO_32) >>> 0;
  ring[w + 2] = TX_COMMAND_WORD | length;
  ring[w + 3] = 0;
}

/** True once the NIC has written back transmit descriptor `i` (it was sent). */
export function txDone(ring: Uint32Array, i: number): boolean {
  return (ring[(i << 2) + 3] & TXD_STAT_DD) !== 0;
}
