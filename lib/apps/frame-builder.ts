/**
 * The one place tsnic lays out its test frames: Ethernet (optionally 802.1Q-tagged) / IPv4 / UDP with
 * valid checksums and a payload a receiver can read, in the layout of the simulated tester
 * (lib/bus/sim.ts, "Test frames") so its checker validates and counts every untagged frame.
 *
 * Two writers share the layout: {@link buildFrame} + {@link writeSequence}, one fixed frame of which
 * only the sequence number changes (the QEMU guest's paced sender); and {@link TestFrameWriter}, the
 * generator's: flows (addresses and ports), sizes, a VLAN tag, and per packet a sequence number and a
 * send timestamp. Both write a buffer's constant bytes once and per packet only the fields that
 * change, with the UDP checksum updated incrementally from a precomputed partial sum (RFC 1624) instead
 * of summing the frame again. {@link readTestFrame} is the receiving side.
 *
 * Test payload (from the first UDP payload byte, frame offset 42 untagged, 46 tagged):
 * - +0 sequence number, 32-bit big-endian, counting from 0 per run over all flows (the simulated
 *   tester's checker reads it here);
 * - +4 flow id, 16-bit big-endian;
 * - +6 magic {@link TEST_MAGIC} (`ts`), 16-bit;
 * - +8 send timestamp: the low 48 bits of process.hrtime.bigint() in nanoseconds, big-endian;
 * - +14 onwards: the byte at frame offset i is `i & 0xff`.
 * Sizes count the whole frame without FCS, the tag included: 60..1514. The smallest holds all 14
 * payload bytes.
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

/** Magic number at payload offset 6 of generator frames (`ts`): tells them apart from other traffic. */
export const TEST_MAGIC = 0x7473;
/** Bytes of the test payload's fixed fields (sequence, flow id, magic, timestamp). */
export const TEST_PAYLOAD_BYTES = 14;
/** The 802.1Q tag protocol identifier. */
const TPID_8021Q = 0x8100;
/** Largest flow id (16 bits). */
export const MAX_FLOW_ID = 0xffff;

/** An 802.1Q tag (IEEE 802.1Q 9.6): VLAN id 0..4094 (0: priority tag only) and priority code point 0..7. */
export interface VlanTag {
  /** VLAN identifier, 0..4094. */
  id: number;
  /** Priority code point, 0..7. Default 0. */
  priority?: number;
}

/** The flows' header fields, one entry per flow id (all arrays the same length, at most 65536). */
export interface FlowFields {
  /** IPv4 source addresses as 32-bit numbers. */
  readonly srcIp: Uint32Array;
  /** IPv4 destination addresses. */
  readonly dstIp: Uint32Array;
  /** UDP source ports. */
  readonly srcPort: Uint16Array;
  /** UDP destination ports. */
  readonly dstPort: Uint16Array;
}

/** Frame offsets of a test frame: where the IPv4 header, UDP header and payload start. */
export interface TestFrameLayout {
  /** IPv4 header (14, or 18 behind an 802.1Q tag). */
  readonly ip: number;
  /** UDP header. */
  readonly udp: number;
  /** Test payload (sequence number). */
  readonly payload: number;
  /** Smallest frame size without FCS (60). */
  readonly minSize: number;
}

/** The offsets of a test frame with or without an 802.1Q tag. */
export function testFrameLayout(tagged: boolean): TestFrameLayout {
  const ip = tagged ? 18 : 14;
  return { ip, udp: ip + 20, payload: ip + 28, minSize: MIN_FRAME_SIZE };
}

/** Checks a {@link VlanTag}; ERR_INVALID_ARG naming the bad field. */
export function checkVlan(vlan: VlanTag): Required<VlanTag> {
  if (typeof vlan !== 'object' || vlan === null) throw new TsnicError('ERR_INVALID_ARG', `vlan must be { id, priority }, got ${String(vlan)}`);
  return { id: checkInteger('VLAN id', vlan.id, 0, 4094), priority: checkInteger('VLAN priority', vlan.priority ?? 0, 0, 7) };
}

/** Folds a sum below 2^32 to 16 bits. */
function fold32(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/**
 * Writes generator frames: constant bytes once per buffer ({@link fillBuffer}), then per packet the
 * flow's addresses and ports, the size's lengths, the sequence number and timestamp, and both
 * checksums from sums precomputed per flow and per size ({@link write}). No allocation per packet.
 */
export class TestFrameWriter {
  /** Offsets of the frames written (tagged or not). */
  readonly layout: TestFrameLayout;
  /** Largest frame size this writer was built for. */
  readonly maxSize: number;
  private readonly head: Uint8Array;
  private readonly flows: FlowFields;
  /** Per flow: IPv4 header sum without the total length. */
  private readonly ipSum: Float64Array;
  /** Per flow: UDP pseudo-header, header and fixed payload sum without lengths, sequence and timestamp. */
  private readonly udpSum: Float64Array;
  /** Per size: sum of the payload pattern bytes from payload + 14 to the end of the frame. */
  private readonly patternSum: Float64Array;

  /**
   * A writer for frames from `srcMac` to `dstMac` (6 bytes each), optionally tagged, of the flows
   * `flows`, at most `maxSize` bytes (FCS excluded).
   */
  constructor(dstMac: Uint8Array, srcMac: Uint8Array, vlan: VlanTag | undefined, flows: FlowFields, maxSize: number) {
    const tag = vlan === undefined ? undefined : checkVlan(vlan);
    this.layout = testFrameLayout(tag !== undefined);
    this.maxSize = checkInteger('frame size', maxSize, MIN_FRAME_SIZE, MAX_FRAME_SIZE);
    const n = flows.srcIp.length;
    if (n < 1 || n > MAX_FLOW_ID + 1 || flows.dstIp.length !== n || flows.srcPort.length !== n || flows.dstPort.length !== n) {
      throw new TsnicError('ERR_INVALID_ARG', `flows must have 1 to ${MAX_FLOW_ID + 1} entries, the same number in each field, got ${n}`);
    }
    this.flows = flows;
    const { ip, payload } = this.layout;
    // The constant head: MACs, tag, ethertype, the IPv4 fields no flow changes, the magic.
    const b = new Uint8Array(payload + TEST_PAYLOAD_BYTES);
    b.set(dstMac, 0);
    b.set(srcMac, 6);
    if (tag !== undefined) {
      put16(b, 12, TPID_8021Q);
      // TCI (802.1Q 9.6): PCP bits 15:13, DEI bit 12 (0), VID bits 11:0.
      put16(b, 14, (tag.priority << 13) | tag.id);
    }
    put16(b, ip - 2, 0x0800);
    // IPv4 (RFC 791): version 4, IHL 5, id 0, DF, TTL 64, protocol 17 (UDP).
    b.set([0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17], ip);
    put16(b, payload + 6, TEST_MAGIC);
    this.head = b;
    const ipConst = 0x4500 + 0x4000 + ((64 << 8) | 17);
    this.ipSum = new Float64Array(n);
    this.udpSum = new Float64Array(n);
    for (let f = 0; f < n; f++) {
      const s = flows.srcIp[f];
      const d = flows.dstIp[f];
      const addr = (s >>> 16) + (s & 0xffff) + (d >>> 16) + (d & 0xffff);
      this.ipSum[f] = ipConst + addr;
      // Pseudo-header (addresses, protocol) + ports + flow id + magic; the UDP length enters twice per packet.
      this.udpSum[f] = addr + 17 + flows.srcPort[f] + flows.dstPort[f] + f + TEST_MAGIC;
    }
    this.patternSum = new Float64Array(this.maxSize + 1);
    const start = payload + TEST_PAYLOAD_BYTES;
    let sum = 0;
    for (let size = start; size <= this.maxSize; size++) {
      // Byte size - 1 joins the sum: the high half of a word at an even distance from start, else the low.
      if (size > start) sum += ((size - 1 - start) & 1) === 0 ? ((size - 1) & 0xff) << 8 : (size - 1) & 0xff;
      this.patternSum[size] = sum;
    }
  }

  /** Number of flows. */
  get flowCount(): number {
    return this.ipSum.length;
  }

  /** Writes the bytes every frame shares into the buffer at `data[offset..]` (`maxSize` bytes). */
  fillBuffer(data: Uint8Array, offset: number): void {
    for (let i = 0; i < this.maxSize; i++) data[offset + i] = i & 0xff;
    data.set(this.head, offset);
  }

  /**
   * Completes the frame at `data[offset..]` (a buffer {@link fillBuffer} prepared) as flow `flow`,
   * `size` bytes, with the sequence number `packet[0]` (32-bit) and the timestamp `packet[1]` (bits
   * 47:32) and `packet[2]` (bits 31:0): addresses, ports, lengths, flow id, sequence, timestamp and
   * both checksums. (The per-packet numbers come in a typed array: passed as arguments, values beyond
   * 31 bits would be boxed on each call.)
   */
  write(data: Uint8Array, offset: number, flow: number, size: number, packet: Float64Array): void {
    const seq = packet[0];
    const tsHigh = packet[1];
    const tsLow = packet[2];
    const flows = this.flows;
    const ip = offset + this.layout.ip;
    const udp = ip + 20;
    const p = udp + 8;
    const ipLength = size - this.layout.ip;
    const udpLength = ipLength - 20;
    const s = flows.srcIp[flow];
    const d = flows.dstIp[flow];
    const sp = flows.srcPort[flow];
    const dp = flows.dstPort[flow];
    const seqHigh = seq >>> 16;
    const seqLow = seq & 0xffff;
    const tsMid = tsLow >>> 16;
    const tsLo = tsLow & 0xffff;
    const ipChecksum = ~fold32(this.ipSum[flow] + ipLength) & 0xffff;
    let udpChecksum = ~fold32(this.udpSum[flow] + 2 * udpLength + this.patternSum[size] + seqHigh + seqLow + tsHigh + tsMid + tsLo) & 0xffff;
    // RFC 768: a computed 0 is sent as 0xFFFF (0 means "no checksum").
    if (udpChecksum === 0) udpChecksum = 0xffff;
    data[ip + 2] = ipLength >>> 8;
    data[ip + 3] = ipLength & 0xff;
    data[ip + 10] = ipChecksum >>> 8;
    data[ip + 11] = ipChecksum & 0xff;
    data[ip + 12] = s >>> 24;
    data[ip + 13] = (s >>> 16) & 0xff;
    data[ip + 14] = (s >>> 8) & 0xff;
    data[ip + 15] = s & 0xff;
    data[ip + 16] = d >>> 24;
    data[ip + 17] = (d >>> 16) & 0xff;
    data[ip + 18] = (d >>> 8) & 0xff;
    data[ip + 19] = d & 0xff;
    data[udp] = sp >>> 8;
    data[udp + 1] = sp & 0xff;
    data[udp + 2] = dp >>> 8;
    data[udp + 3] = dp & 0xff;
    data[udp + 4] = udpLength >>> 8;
    data[udp + 5] = udpLength & 0xff;
    data[udp + 6] = udpChecksum >>> 8;
    data[udp + 7] = udpChecksum & 0xff;
    data[p] = seqHigh >>> 8;
    data[p + 1] = seqHigh & 0xff;
    data[p + 2] = seqLow >>> 8;
    data[p + 3] = seqLow & 0xff;
    data[p + 4] = flow >>> 8;
    data[p + 5] = flow & 0xff;
    data[p + 8] = tsHigh >>> 8;
    data[p + 9] = tsHigh & 0xff;
    data[p + 10] = tsMid >>> 8;
    data[p + 11] = tsMid & 0xff;
    data[p + 12] = tsLo >>> 8;
    data[p + 13] = tsLo & 0xff;
  }
}

/** What {@link readTestFrame} found. */
export const FrameVerdict = {
  /** Not a generator frame (no IPv4/UDP test payload with the magic): someone else's traffic. */
  Foreign: 0,
  /** A generator frame, checksums and lengths valid: `out` holds its fields. */
  Good: 1,
  /** A generator frame (the magic is there) with a bad checksum or length: `out` holds what was read. */
  Corrupted: 2,
} as const;
/** One of {@link FrameVerdict}'s values. */
export type FrameVerdict = (typeof FrameVerdict)[keyof typeof FrameVerdict];

/** The fields {@link readTestFrame} read, reused from frame to frame. */
export class TestFrameFields {
  /** Sequence number. */
  seq = 0;
  /** Flow id. */
  flow = 0;
  /** Timestamp, nanoseconds, 48 bits (exact in a double). */
  timestampNs = 0;
  /** True when the frame carried an 802.1Q tag. */
  tagged = false;
}

/** One's-complement sum of the big-endian 16-bit words of `b[start, end)`. */
function sumWords(b: Uint8Array, start: number, end: number): number {
  let sum = 0;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (b[i] << 8) | b[i + 1];
  if (i < end) sum += b[i] << 8;
  return sum;
}

/**
 * Reads the generator frame at `data[offset, offset + length)` (tagged or not) into `out` and says
 * whether it is one and whether its IPv4 header checksum, UDP checksum and lengths hold. No
 * allocation: for the receive loop.
 */
export function readTestFrame(data: Uint8Array, offset: number, length: number, out: TestFrameFields): FrameVerdict {
  let ip = offset + 14;
  let type = (data[offset + 12] << 8) | data[offset + 13];
  const tagged = type === TPID_8021Q;
  if (tagged) {
    type = (data[offset + 16] << 8) | data[offset + 17];
    ip += 4;
  }
  const end = offset + length;
  const p = ip + 28;
  if (type !== 0x0800 || p + TEST_PAYLOAD_BYTES > end || data[ip] !== 0x45 || data[ip + 9] !== 17) return FrameVerdict.Foreign;
  if (((data[p + 6] << 8) | data[p + 7]) !== TEST_MAGIC) return FrameVerdict.Foreign;
  out.tagged = tagged;
  out.seq = ((data[p] << 24) | (data[p + 1] << 16) | (data[p + 2] << 8) | data[p + 3]) >>> 0;
  out.flow = (data[p + 4] << 8) | data[p + 5];
  out.timestampNs = ((data[p + 8] << 8) | data[p + 9]) * 0x100000000 + (((data[p + 10] << 24) | (data[p + 11] << 16) | (data[p + 12] << 8) | data[p + 13]) >>> 0);
  const ipLength = (data[ip + 2] << 8) | data[ip + 3];
  const udpLength = (data[ip + 24] << 8) | data[ip + 25];
  if (ip + ipLength > end || udpLength !== ipLength - 20 || udpLength < 8 + TEST_PAYLOAD_BYTES) return FrameVerdict.Corrupted;
  if (fold32(sumWords(data, ip, ip + 20)) !== 0xffff) return FrameVerdict.Corrupted;
  const udp = ip + 20;
  const pseudo = sumWords(data, ip + 12, ip + 20) + 17 + udpLength;
  if (fold32(pseudo + sumWords(data, udp, udp + udpLength)) !== 0xffff) return FrameVerdict.Corrupted;
  return FrameVerdict.Good;
}
