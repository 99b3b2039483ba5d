/**
 * Reading capture files for replay: classic pcap (both byte orders, microsecond and nanosecond magic)
 * and pcapng (every section, either byte order; Enhanced, Simple and the obsolete Packet Blocks; each
 * interface's if_tsresol, decimal or binary; other blocks skipped). Only Ethernet frames (link type 1)
 * are accepted: a frame on any other link type is an error naming it. The whole file is read into
 * memory once; frames are offsets into it.
 */
import fs from 'node:fs';
import { TsnicError } from '../errors';
import { PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO, LINKTYPE_ETHERNET, PCAP_HEADER_BYTES, PCAP_RECORD_HEADER_BYTES } from './writer';
import { PCAPNG_BYTE_ORDER_MAGIC, PCAPNG_EPB, PCAPNG_IDB, PCAPNG_PB, PCAPNG_SHB, PCAPNG_SPB } from './pcapng-writer';

/** The frames of a capture file. Frame `i` is `bytes[offsets[i], offsets[i] + lengths[i])`. */
export interface CaptureFile {
  /** The file read. */
  file: string;
  /** Its format. */
  format: 'pcap' | 'pcapng';
  /** Number of frames. */
  count: number;
  /** The file's bytes. */
  bytes: Uint8Array;
  /** Where each frame starts in {@link bytes}. */
  offsets: Float64Array;
  /** Captured bytes of each frame. */
  lengths: Uint32Array;
  /** Each frame's length on the wire (larger than its captured length when the snaplen cut it). */
  originalLengths: Uint32Array;
  /**
   * Each frame's timestamp in nanoseconds after the first frame's (a Simple Packet Block, which has
   * none, takes its predecessor's).
   */
  timesNs: Float64Array;
}

/** Link type names for the error message (the common ones). */
const LINK_NAMES: Record<number, string> = { 0: 'BSD loopback', 101: 'raw IP', 105: 'IEEE 802.11', 113: 'Linux cooked (SLL)', 127: '802.11 radiotap', 276: 'Linux cooked v2 (SLL2)' };

function fileError(file: string, what: string): TsnicError {
  return new TsnicError('ERR_PCAP_FILE', `${file}: ${what}`);
}

function notEthernet(file: string, where: string, link: number): TsnicError {
  const name = LINK_NAMES[link] === undefined ? '' : ` (${LINK_NAMES[link]})`;
  return fileError(file, `${where} has link type ${link}${name}, not Ethernet (1): tsnic replays Ethernet frames only; capture on an Ethernet interface (not tcpdump -i any)`);
}

/** Growable per-frame columns while parsing. */
class Frames {
  offsets: number[] = [];
  lengths: number[] = [];
  originals: number[] = [];
  times: bigint[] = [];

  add(offset: number, length: number, original: number, timeNs: bigint): void {
    this.offsets.push(offset);
    this.lengths.push(length);
    this.originals.push(original);
    this.times.push(timeNs);
  }
}

/** Reads `file` (pcap or pcapng). Throws ERR_PCAP_FILE naming what is wrong and where. */
export function readCaptureFile(file: string): CaptureFile {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new TsnicError('ERR_PCAP_FILE', `cannot read ${file}: ${e.code ?? e.message}: give the path of a pcap or pcapng file`, { cause: err });
  }
  return parseCapture(bytes, file);
}

/** Parses the bytes of a pcap or pcapng file; `file` names it in errors. */
export function parseCapture(bytes: Uint8Array, file: string): CaptureFile {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4) throw fileError(file, `${bytes.length} bytes is too short for a capture file: give a pcap or pcapng file`);
  const magic = view.getUint32(0, true);
  const frames = new Frames();
  let format: 'pcap' | 'pcapng';
  if (magic === PCAPNG_SHB) {
    format = 'pcapng';
    parsePcapng(view, file, frames);
  } else {
    format = 'pcap';
    parsePcap(view, file, frames);
  }
  const count = frames.offsets.length;
  if (count === 0) throw fileError(file, 'holds no frames: nothing to replay');
  const first = frames.times[0];
  return {
    file, format, count, bytes,
    offsets: Float64Array.from(frames.offsets),
    lengths: Uint32Array.from(frames.lengths),
    originalLengths: Uint32Array.from(frames.originals),
    timesNs: Float64Array.from(frames.times, (t) => Number(t - first)),
  };
}

function parsePcap(view: DataView, file: string, frames: Frames): void {
  const le = view.getUint32(0, true);
  const be = view.getUint32(0, false);
  const little = le === PCAP_MAGIC_MICRO || le === PCAP_MAGIC_NANO;
  if (!little && be !== PCAP_MAGIC_MICRO && be !== PCAP_MAGIC_NANO) {
    throw fileError(file, `is neither pcap nor pcapng (first bytes 0x${be.toString(16).padStart(8, '0')}): give a capture file (tcpdump -w, tshark -w, tsnic capture)`);
  }
  const nano = (little ? le : be) === PCAP_MAGIC_NANO;
  if (view.byteLength < PCAP_HEADER_BYTES) throw fileError(file, 'the pcap header is cut short');
  // Link type in the low 16 bits; the high bits may carry FCS information.
  const link = view.getUint32(20, little) & 0xffff;
  if (link !== LINKTYPE_ETHERNET) throw notEthernet(file, 'the file', link);
  const fractionNs = nano ? 1n : 1000n;
  let at = PCAP_HEADER_BYTES;
  while (at < view.byteLength) {
    if (at + PCAP_RECORD_HEADER_BYTES > view.byteLength) throw fileError(file, `record ${frames.offsets.length + 1} at byte ${at} is cut short: the file was truncated (capinfos shows it; editcap can rewrite what is whole)`);
    const seconds = view.getUint32(at, little);
    const fraction = view.getUint32(at + 4, little);
    const captured = view.getUint32(at + 8, little);
    const original = view.getUint32(at + 12, little);
    const data = at + PCAP_RECORD_HEADER_BYTES;
    if (data + captured > view.byteLength) throw fileError(file, `record ${frames.offsets.length + 1} at byte ${at} says ${captured} bytes, past the end of the file: the file was truncated`);
    frames.add(data, captured, Math.max(original, captured), BigInt(seconds) * 1_000_000_000n + BigInt(fraction) * fractionNs);
    at = data + captured;
  }
}

/** One pcapng interface: link type, snaplen, timestamp units per second. */
interface Interface {
  link: number;
  snaplen: number;
  unitsPerSecond: bigint;
}

function parsePcapng(view: DataView, file: string, frames: Frames): void {
  let little = true;
  let interfaces: Interface[] = [];
  let lastTime = 0n;
  let at = 0;
  while (at < view.byteLength) {
    if (at + 12 > view.byteLength) throw fileError(file, `the block at byte ${at} is cut short: the file was truncated`);
    const type = view.getUint32(at, little);
    if (type === PCAPNG_SHB) {
      if (at + 28 > view.byteLength) throw fileError(file, `the section header at byte ${at} is cut short`);
      const bom = view.getUint32(at + 8, true);
      if (bom === PCAPNG_BYTE_ORDER_MAGIC) little = true;
      else if (bom === 0x4d3c2b1a) little = false;
      else throw fileError(file, `the section header at byte ${at} has no byte-order magic: not a pcapng file`);
      interfaces = [];
    }
    const total = view.getUint32(at + 4, little);
    if (total < 12 || total % 4 !== 0 || at + total > view.byteLength) {
      throw fileError(file, `the block at byte ${at} says it is ${total} bytes long, which ${at + total > view.byteLength ? 'runs past the end of the file: the file was truncated' : 'is not a valid block length'}`);
    }
    const body = at + 8;
    const end = at + total - 4;
    const frame = (): string => `frame ${frames.offsets.length + 1} (block at byte ${at})`;
    const iface = (id: number): Interface => {
      const i = interfaces[id];
      if (i === undefined) throw fileError(file, `${frame()} names interface ${id}, which no interface description defines`);
      if (i.link !== LINKTYPE_ETHERNET) throw notEthernet(file, `${frame()}, on interface ${id},`, i.link);
      return i;
    };
    const add = (data: number, captured: number, original: number, time: bigint): void => {
      if (data + captured > end) throw fileError(file, `${frame()} says ${captured} bytes, more than its block holds`);
      lastTime = time;
      frames.add(data, captured, Math.max(original, captured), time);
    };
    switch (type) {
      case PCAPNG_IDB:
        interfaces.push({ link: view.getUint16(body, little), snaplen: view.getUint32(body + 4, little), unitsPerSecond: tsresol(view, body + 8, end, little) });
        break;
      case PCAPNG_EPB:
      case PCAPNG_PB: {
        const id = type === PCAPNG_EPB ? view.getUint32(body, little) : view.getUint16(body, little);
        const i = iface(id);
        const units = (BigInt(view.getUint32(body + 4, little)) << 32n) | BigInt(view.getUint32(body + 8, little));
        add(body + 20, view.getUint32(body + 12, little), view.getUint32(body + 16, little), (units * 1_000_000_000n) / i.unitsPerSecond);
        break;
      }
      case PCAPNG_SPB: {
        const i = iface(0);
        const original = view.getUint32(body, little);
        const room = end - (body + 4);
        let captured = i.snaplen > 0 && i.snaplen < original ? i.snaplen : original;
        if (captured > room) captured = room;
        add(body + 4, captured, original, lastTime);
        break;
      }
      default:
        break;  // statistics, name resolution, custom blocks: nothing to replay
    }
    at += total;
  }
}

/** The if_tsresol option (code 9) among the options in [at, end): units per second (default 10^6). */
function tsresol(view: DataView, at: number, end: number, little: boolean): bigint {
  while (at + 4 <= end) {
    const code = view.getUint16(at, little);
    const length = view.getUint16(at + 2, little);
    if (code === 0) break;
    if (code === 9 && length >= 1) {
      const v = view.getUint8(at + 4);
      return v & 0x80 ? 1n << BigInt(v & 0x7f) : 10n ** BigInt(v);
    }
    at += 4 + ((length + 3) & ~3);
  }
  return 1_000_000n;
}
