/**
 * The test frame pattern shared with tools/qemu/rawsend.c: frame i goes to `dst` from `src` with
 * EtherType 0x88B5, bytes 14..17 = i (big-endian) and every later byte k = (i + k) & 0xff.
 */

/** IEEE 802 local experimental EtherType. */
export const TEST_ETHERTYPE = 0x88b5;

/**
 * Checks a received frame against the pattern; returns its sequence number, or a description of the
 * first wrong byte.
 */
export function checkTestFrame(data: Uint8Array, offset: number, length: number, size: number): number | string {
  if (length !== size) return `length ${length}, expected ${size}`;
  if (data[offset + 12] !== TEST_ETHERTYPE >>> 8 || data[offset + 13] !== (TEST_ETHERTYPE & 0xff)) {
    return `EtherType 0x${((data[offset + 12] << 8) | data[offset + 13]).toString(16)}`;
  }
  const seq = ((data[offset + 14] << 24) | (data[offset + 15] << 16) | (data[offset + 16] << 8) | data[offset + 17]) >>> 0;
  for (let k = 18; k < size; k++) {
    if (data[offset + k] !== ((seq + k) & 0xff)) return `frame ${seq}: byte ${k} is ${data[offset + k]}, expected ${(seq + k) & 0xff}`;
  }
  return seq;
}
