/**
 * Latency probes: PTP v2 Sync messages over UDP/IPv4 to port 319, the frames the 82599's timestamp
 * logic recognises (datasheet 7.9.2; Linux programs it the same way, TSYNCRXCTL type "v2 event
 * messages", RXMTRL port 319). Each probe carries its number in the PTP sequenceId, which the 82599
 * records with the receive timestamp (RXSATRH), so a timestamp is matched to its probe. The frame is
 * padded to the size under test; the PTP header needs 76 bytes, so smaller sizes get 76-byte probes.
 */
import { checkInteger } from '../../errors';

/** Smallest probe: Ethernet 14 + IPv4 20 + UDP 8 + the 34-byte PTP header (FCS excluded). */
export const PROBE_MIN_SIZE = 76;
/** Largest probe (1518 with FCS). */
export const PROBE_MAX_SIZE = 1514;
/** PTP event messages' UDP port (IEEE 1588-2008 annex D). */
export const PTP_EVENT_UDP_PORT = 319;
const PTP = 42;
/** Offset of the PTP sequenceId (big-endian 16 bits). */
export const PROBE_SEQ_OFFSET = PTP + 30;

function put16(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 8) & 0xff;
  b[off + 1] = v & 0xff;
}

/** The probe size for frames of `size` bytes (FCS excluded): `size`, or {@link PROBE_MIN_SIZE} when smaller. */
export function probeSize(size: number): number {
  return size < PROBE_MIN_SIZE ? PROBE_MIN_SIZE : size;
}

/**
 * A probe of `size` bytes (76..1514, FCS excluded) from `srcMac` to `dstMac`: IPv4 10.0.0.1 -> 10.0.0.2
 * (valid header checksum), UDP 319 -> 319 without checksum (0, allowed over IPv4), a PTP v2 Sync header
 * (messageType 0, versionPTP 2, messageLength 44, sourcePortIdentity from `srcMac`), sequenceId 0.
 */
export function buildProbe(size: number, dstMac: Uint8Array, srcMac: Uint8Array): Uint8Array {
  checkInteger('probe size', size, PROBE_MIN_SIZE, PROBE_MAX_SIZE);
  const b = new Uint8Array(size);
  b.set(dstMac, 0);
  b.set(srcMac, 6);
  put16(b, 12, 0x0800);
  b.set([0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2], 14);
  put16(b, 16, size - 14);
  let sum = 0;
  for (let i = 14; i < 34; i += 2) sum += (b[i] << 8) | b[i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  put16(b, 24, ~sum & 0xffff);
  put16(b, 34, PTP_EVENT_UDP_PORT);
  put16(b, 36, PTP_EVENT_UDP_PORT);
  put16(b, 38, size - 34);
  // PTP v2 header (IEEE 1588-2008 13.3): messageType Sync, versionPTP 2, messageLength 44 (with the
  // 10-byte originTimestamp), domain 0, flags 0, correction 0, sourcePortIdentity = EUI-64 of the
  // source MAC and port 1, controlField 0 (Sync), logMessageInterval 0x7F.
  b[PTP] = 0x00;
  b[PTP + 1] = 0x02;
  put16(b, PTP + 2, 44);
  b.set([srcMac[0], srcMac[1], srcMac[2], 0xff, 0xfe, srcMac[3], srcMac[4], srcMac[5]], PTP + 20);
  put16(b, PTP + 28, 1);
  b[PTP + 32] = 0x00;
  b[PTP + 33] = 0x7f;
  return b;
}

/** Writes probe number `seq` (16 bits) into the probe at `data[offset..]`. */
export function writeProbeSequence(data: Uint8Array, offset: number, seq: number): void {
  data[offset + PROBE_SEQ_OFFSET] = (seq >>> 8) & 0xff;
  data[offset + PROBE_SEQ_OFFSET + 1] = seq & 0xff;
}

/**
 * The probe number of the frame `data[offset, offset + length)` when it is a probe (IPv4, UDP to port
 * 319, PTP v2 Sync), else -1.
 */
export function probeSequence(data: Uint8Array, offset: number, length: number): number {
  if (length < PROBE_MIN_SIZE) return -1;
  const o = offset;
  if (data[o + 12] !== 0x08 || data[o + 13] !== 0x00 || data[o + 14] !== 0x45 || data[o + 23] !== 17) return -1;
  if (data[o + 36] !== PTP_EVENT_UDP_PORT >>> 8 || data[o + 37] !== (PTP_EVENT_UDP_PORT & 0xff)) return -1;
  if ((data[o + PTP] & 0x0f) !== 0 || (data[o + PTP + 1] & 0x0f) !== 2) return -1;
  return (data[o + PROBE_SEQ_OFFSET] << 8) | data[o + PROBE_SEQ_OFFSET + 1];
}
