/**
 * The benchmark's transmit frame: the simulated tester's layout (lib/bus/sim.ts, "Test frames") so the
 * tester's checker counts and validates what pktgen sends. The UDP checksum is 0 (none), so writing the
 * sequence number at offset 42 is all the per-packet byte work, as in the native reference.
 */

/** Offset of the 32-bit big-endian sequence number. */
export const SEQ_OFFSET = 42;

function put16(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 8) & 0xff;
  b[off + 1] = v & 0xff;
}

/** A test frame of `frameSize` bytes (without FCS) from `src` to `dst` (6-byte MACs), sequence number 0. */
export function buildTestFrame(frameSize: number, dst: ArrayLike<number>, src: ArrayLike<number>): Uint8Array {
  const b = new Uint8Array(frameSize);
  for (let i = 0; i < frameSize; i++) b[i] = i & 0xff;
  for (let i = 0; i < 6; i++) {
    b[i] = dst[i];
    b[6 + i] = src[i];
  }
  put16(b, 12, 0x0800);
  // IPv4 (RFC 791): version 4, IHL 5, total length, id 0, DF, TTL 64, UDP, 10.0.0.1 -> 10.0.0.2.
  b.set([0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2], 14);
  put16(b, 16, frameSize - 14);
  let sum = 0;
  for (let i = 14; i < 34; i += 2) sum += (b[i] << 8) | b[i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  put16(b, 24, ~sum & 0xffff);
  // UDP (RFC 768): ports 1024 -> 1024, length, checksum 0 (not computed).
  put16(b, 34, 1024);
  put16(b, 36, 1024);
  put16(b, 38, frameSize - 34);
  put16(b, 40, 0);
  b.fill(0, SEQ_OFFSET, SEQ_OFFSET + 4);
  return b;
}

/** Parses `aa:bb:cc:dd:ee:ff` into 6 bytes. */
export function macBytes(mac: string): number[] {
  return mac.split(':').map((h) => parseInt(h, 16));
}
