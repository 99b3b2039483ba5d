/**
 * A pcapng file writer (the IETF pcapng format, draft-ietf-opsawg-pcapng; Wireshark's default): one
 * Section Header Block (byte-order magic 0x1A2B3C4D, version 1.0, section length unknown,
 * shb_userappl "tsnic"), one Interface Description Block (link type 1, Ethernet; the snapshot length;
 * if_name = the device spec; if_tsresol 6 or 9: microsecond or nanosecond timestamps), then an Enhanced
 * Packet Block per frame (interface 0, 64-bit timestamp in if_tsresol units since the Unix epoch,
 * captured and original length, the bytes padded to 32 bits). Written little-endian; readers take the
 * byte order from the section header. Nothing is allocated per frame.
 */
import { TsnicError } from '../errors';
import { BufferedFile } from './buffered-file';
import { BufferedCaptureWriter } from './buffered-writer';
import type { CaptureWriterOptions } from './capture-writer';
import { LINKTYPE_ETHERNET, writerSizes } from './writer';

/** Block types. */
export const PCAPNG_SHB = 0x0a0d0d0a;
/** Interface Description Block. */
export const PCAPNG_IDB = 0x00000001;
/** Enhanced Packet Block. */
export const PCAPNG_EPB = 0x00000006;
/** Simple Packet Block (read only). */
export const PCAPNG_SPB = 0x00000003;
/** The obsolete Packet Block (read only). */
export const PCAPNG_PB = 0x00000002;
/** Byte-order magic of a section header. */
export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** Bytes of an EPB besides the padded packet data (no options). */
export const PCAPNG_EPB_OVERHEAD = 32;
/** Largest header block this writer makes (SHB + IDB with an if_name of at most 256 bytes). */
const MAX_HEADER_BYTES = 512;

/** Options of {@link PcapngWriter.open}. */
export interface PcapngWriterOptions extends CaptureWriterOptions {
  /** The interface's name (if_name), e.g. the device spec `sim:0`. Default: no name. */
  interfaceName?: string;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** Writes frames to a pcapng file. Call {@link close} to flush the last chunk. */
export class PcapngWriter extends BufferedCaptureWriter {
  /** Timestamp units per second: if_tsresol 9 (nanoseconds) or 6 (microseconds). */
  private readonly unitsPerSecond: number;

  private constructor(out: BufferedFile, snaplen: number, nanosecond: boolean) {
    super(out, snaplen, nanosecond);
    this.unitsPerSecond = nanosecond ? 1e9 : 1e6;
  }

  /** Creates (or truncates) `path` and writes the section header and the interface description. */
  static open(path: string, options: PcapngWriterOptions = {}): PcapngWriter {
    const name = options.interfaceName ?? '';
    if (typeof name !== 'string' || Buffer.byteLength(name) > 256) {
      throw new TsnicError('ERR_INVALID_ARG', `interfaceName must be a string of at most 256 bytes, got ${String(name)}`);
    }
    const { snaplen, bufferBytes } = writerSizes(options, MAX_HEADER_BYTES, PCAPNG_EPB_OVERHEAD + 3);
    const writer = new PcapngWriter(BufferedFile.open(path, bufferBytes), snaplen, options.nanosecond === true);
    writer.writeHeaders(name);
    return writer;
  }

  /**
   * Appends one frame as an Enhanced Packet Block: `data[offset, offset + length)`, captured up to
   * {@link snaplen} bytes, stamped `seconds` + `fraction` (microseconds or nanoseconds).
   */
  write(data: Uint8Array, offset: number, length: number, seconds: number, fraction: number): void {
    const captured = length < this.snaplen ? length : this.snaplen;
    const total = PCAPNG_EPB_OVERHEAD + pad4(captured);
    const out = this.out;
    out.reserve(total);
    const b = out.buf;
    const at = out.used;
    // The 64-bit timestamp seconds * units + fraction, split exactly: seconds (< 2^32) as two 16-bit
    // halves, so that no product exceeds 2^53.
    const units = this.unitsPerSecond;
    const s = seconds >>> 0;
    const high16 = Math.floor(s / 65536) * units;  // < 2^46
    const low = (high16 % 65536) * 65536 + (s % 65536) * units + fraction;  // < 2^48
    const carry = Math.floor(low / 4294967296);
    b.writeUInt32LE(PCAPNG_EPB, at);
    b.writeUInt32LE(total, at + 4);
    b.writeUInt32LE(0, at + 8);  // interface id
    b.writeUInt32LE(Math.floor(high16 / 65536) + carry, at + 12);
    b.writeUInt32LE(low - carry * 4294967296, at + 16);
    b.writeUInt32LE(captured, at + 20);
    b.writeUInt32LE(length, at + 24);
    out.used = at + 28;
    out.copy(data, offset, captured);
    const end = at + total - 4;
    b.fill(0, out.used, end);
    b.writeUInt32LE(total, end);
    out.used = at + total;
    this.frames++;
  }

  /** Bytes a frame of `length` bytes adds to the file (its Enhanced Packet Block). */
  recordBytes(length: number): number {
    return PCAPNG_EPB_OVERHEAD + pad4(length < this.snaplen ? length : this.snaplen);
  }

  private writeHeaders(name: string): void {
    const b = this.out.buf;
    let at = 0;
    const option = (code: number, value: Buffer): void => {
      b.writeUInt16LE(code, at);
      b.writeUInt16LE(value.length, at + 2);
      value.copy(b, at + 4);
      b.fill(0, at + 4 + value.length, at + 4 + pad4(value.length));
      at += 4 + pad4(value.length);
    };
    const block = (type: number, body: () => void): void => {
      const start = at;
      b.writeUInt32LE(type, at);
      at += 8;
      body();
      b.writeUInt32LE(0, at);  // opt_endofopt
      at += 4;
      const total = at + 4 - start;
      b.writeUInt32LE(total, start + 4);
      b.writeUInt32LE(total, at);
      at += 4;
    };
    block(PCAPNG_SHB, () => {
      b.writeUInt32LE(PCAPNG_BYTE_ORDER_MAGIC, at);
      b.writeUInt16LE(1, at + 4);  // major
      b.writeUInt16LE(0, at + 6);  // minor
      b.writeInt32LE(-1, at + 8);  // section length: not given (-1, 64 bits)
      b.writeInt32LE(-1, at + 12);
      at += 16;
      option(4, Buffer.from('tsnic'));  // shb_userappl
    });
    block(PCAPNG_IDB, () => {
      b.writeUInt16LE(LINKTYPE_ETHERNET, at);
      b.writeUInt16LE(0, at + 2);
      b.writeUInt32LE(this.snaplen, at + 4);
      at += 8;
      if (name !== '') option(2, Buffer.from(name));  // if_name
      option(9, Buffer.from([this.nanosecond ? 9 : 6]));  // if_tsresol: 10^-6 or 10^-9 s
    });
    this.out.used = at;
  }
}
