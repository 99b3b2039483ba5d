/**
 * The test frame pktgen sends: Ethernet / IPv4 / UDP with valid checksums and a 32-bit sequence number,
 * in the layout of the simulated tester (lib/bus/sim.ts, "Test frames") so its checker validates and
 * counts every frame. A frame is written once into each pool buffer; per packet only the sequence
 * number and the UDP checksum are patched ({@link writeSequence}), with the checksum updated from a
 * precomputed partial sum instead of summing the whole frame again.
 */
import { checkInteger, TsnicError } from '../errors';

/** Offset of the 32-bit big-endian sequence number. */
export const SEQ_OFFSET = 42;
/** Offset of the UDP checksum. */
export const UDP_CHECKSUM_OFFSET = 40;
/** Smallest frame (without FCS): the Ethernet minimum of 64 bytes less the 4-byte FCS. */
export const MIN_FRAME_SIZE = 60;
/** Largest frame without jumbo frames (1518 less the FCS). */
export const MAX_FRAME_SIZE = 1514;
/** Source MAC pktgen uses unless told otherwise (the tester's default source). */
export const DEFAULT_SRC_MAC = '02:00:00:00:ee:01';

/** Parses `aa:bb:cc:dd:ee:ff` into 6 bytes; ERR_INVALID_ARG when malformed. */
export function parseMac(name: string, mac: string): Uint8Array {
  const m = /^([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2})$/i.exec(mac);
  if (m === null) throw new TsnicError('ERR_INVALID_ARG', `${name} must be a MAC address like 02:00:00:00:00:01, got "${mac}"`);
  return Uint8Array.from(m.slice(1), (h) => parseInt(h, 16));
}

/** A frame template: its bytes (sequence number 0, UDP checksum 0) and the UDP sum without the sequence number. */
export interface FrameTemplate {
  /** The frame, `size` bytes, FCS excluded. */
  readonly bytes: Uint8Array;
  /** Frame size in bytes. */
  readonly size: number;
  /**
   * One's-complement sum (unfolded, < 2^32) of the UDP pseudo-header, header and payload with the
   * sequence number and checksum fields at 0; {@link writeSequence} adds the sequence number to it.
   */
  readonly udpPartialSum: number;
}

function put16(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 8) & 0xff;
  b[off + 1] = v & 0xff;
}

/** Sum of the big-endian 16-bit words of `b[start, end)` (an odd last byte is padded with 0). */
function sum16(b: Uint8Array, start: number, end: number): number {
  let sum = 0;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (b[i] << 8) | b[i + 1];
  if (i < end) sum += b[i] << 8;
  return sum;
}

/** Folds a sum to 16 bits (RFC 1071). */
function fold(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

/**
 * Builds the test frame: `size` bytes (60..1514, FCS excluded) from `srcMac` to `dstMac`, IPv4
 * 10.0.0.1 -> 10.0.0.2 (DF, TTL 64, valid header checksum), UDP 1024 -> 1024, sequence number 0 at
 * offset 42, payload byte i = i & 0xff from offset 46.
 */
export function buildFrame(size: number, dstMac: Uint8Array, srcMac: Uint8Array): FrameTemplate {
  checkInteger('frame size', size, MIN_FRAME_SIZE, MAX_FRAME_SIZE);
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = i & 0xff;
  b.set(dstMac, 0);
  b.set(srcMac, 6);
  put16(b, 12, 0x0800);
  // IPv4 (RFC 791): version 4, IHL 5, total length, id 0, DF, TTL 64, protocol 17 (UDP).
  b.set([0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2], 14);
  put16(b, 16, size - 14);
  put16(b, 24, ~fold(sum16(b, 14, 34)) & 0xffff);
  // UDP (RFC 768): ports, length; sequence number and checksum are patched per packet.
  const udpLength = size - 34;
  put16(b, 34, 1024);
  put16(b, 36, 1024);
  put16(b, 38, udpLength);
  put16(b, UDP_CHECKSUM_OFFSET, 0);
  b.fill(0, SEQ_OFFSET, SEQ_OFFSET + 4);
  // Pseudo-header: source and destination address, protocol, UDP length.
  const pseudo = sum16(b, 26, 34) + 17 + udpLength;
  return { bytes: b, size, udpPartialSum: fold(pseudo + sum16(b, 34, size)) };
}

/**
 * Writes sequence number `seq` (32-bit) into the frame at `data[offset..]` and the UDP checksum that
 * goes with it, given the template's {@link FrameTemplate.udpPartialSum}. A checksum that computes to 0
 * is sent as 0xFFFF (RFC 768: 0 means "no checksum").
 */
export function writeSequence(data: Uint8Array, offset: number, seq: number, udpPartialSum: number): void {
  const hi = (seq >>> 16) & 0xffff;
  const lo = seq & 0xffff;
  let sum = udpPartialSum + hi + lo;
  sum = (sum & 0xffff) + (sum >>> 16);
  sum = (sum & 0xffff) + (sum >>> 16);
  let checksum = ~sum & 0xffff;
  if (checksum === 0) checksum = 0xffff;
  data[offset + SEQ_OFFSET] = hi >>> 8;
  data[offset + SEQ_OFFSET + 1] = hi & 0xff;
  data[offset + SEQ_OFFSET + 2] = lo >>> 8;
  data[offset + SEQ_OFFSET + 3] = lo & 0xff;
  data[offset + UDP_CHECKSUM_OFFSET] = checksum >>> 8;
  data[offset + UDP_CHECKSUM_OFFSET + 1] = checksum & 0xff;
}

/** The sequence number of the frame at `data[offset..]`. */
export function readSequence(data: Uint8Array, offset: number): number {
  const o = offset + SEQ_OFFSET;
  return ((data[o] << 24) | (data[o + 1] << 16) | (data[o + 2] << 8) | data[o + 3]) >>> 0;
}

/**
 * Verifies the IPv4 header checksum and the UDP checksum of the frame `data[offset, offset + length)`
 * (a checker for tests and for captured frames). Returns false for frames that are not IPv4/UDP.
 */
export function checksumsValid(data: Uint8Array, offset: number, length: number): boolean {
  if (length < 42 || data[offset + 12] !== 0x08 || data[offset + 13] !== 0x00 || data[offset + 23] !== 17) return false;
  const frame = data.subarray(offset, offset + length);
  if (fold(sum16(frame, 14, 34)) !== 0xffff) return false;
  const udpLength = (frame[38] << 8) | frame[39];
  if (udpLength < 8 || 34 + udpLength > length) return false;
  return fold(sum16(frame, 26, 34) + 17 + udpLength + sum16(frame, 34, 34 + udpLength)) === 0xffff;
}
