/**
 * A libpcap file writer (the classic format tcpdump, tshark and Wireshark read): a 24-byte global
 * header with the microsecond (0xA1B2C3D4) or nanosecond (0xA1B23C4D) magic, version 2.4, the
 * snapshot length and link type 1 (Ethernet), then per frame a 16-byte record header (seconds,
 * fraction, captured length, original length) and the captured bytes. Written little-endian (readers
 * detect the byte order from the magic).
 *
 * Records are copied into one preallocated Buffer and written to the file in chunks
 * (lib/pcap/buffered-file.ts): nothing is allocated per frame.
 */
import { checkInteger } from '../errors';
import { BufferedFile } from './buffered-file';
import { BufferedCaptureWriter } from './buffered-writer';
import { DEFAULT_BUFFER_BYTES, type CaptureWriterOptions } from './capture-writer';

/** Microsecond-resolution magic number. */
export const PCAP_MAGIC_MICRO = 0xa1b2c3d4;
/** Nanosecond-resolution magic number. */
export const PCAP_MAGIC_NANO = 0xa1b23c4d;
/** LINKTYPE_ETHERNET. */
export const LINKTYPE_ETHERNET = 1;
/** Bytes of the global header. */
export const PCAP_HEADER_BYTES = 24;
/** Bytes of a record header. */
export const PCAP_RECORD_HEADER_BYTES = 16;
/** Default snapshot length (frames are captured whole up to this many bytes). */
export const DEFAULT_SNAPLEN = 65535;
/** Largest snapshot length tsnic writes (libpcap's MAXIMUM_SNAPLEN). */
export const MAX_SNAPLEN = 262144;

/** Options of {@link PcapWriter.open}. */
export type PcapWriterOptions = CaptureWriterOptions;

/** Checks the snaplen and buffer size of writer options; returns them with their defaults. */
export function writerSizes(options: CaptureWriterOptions, headerBytes: number, recordBytes: number): { snaplen: number; bufferBytes: number } {
  const snaplen = checkInteger('snaplen', options.snaplen ?? DEFAULT_SNAPLEN, 1, MAX_SNAPLEN);
  const minBuffer = headerBytes + recordBytes + snaplen;
  const bufferBytes = checkInteger('bufferBytes', options.bufferBytes ?? Math.max(DEFAULT_BUFFER_BYTES, minBuffer), minBuffer, 1 << 30);
  return { snaplen, bufferBytes };
}

/** Writes frames to a pcap file. Call {@link close} to flush the last chunk. */
export class PcapWriter extends BufferedCaptureWriter {
  private constructor(out: BufferedFile, snaplen: number, nanosecond: boolean) {
    super(out, snaplen, nanosecond);
  }

  /** Creates (or truncates) `path` and writes the global header. */
  static open(path: string, options: PcapWriterOptions = {}): PcapWriter {
    const { snaplen, bufferBytes } = writerSizes(options, PCAP_HEADER_BYTES, PCAP_RECORD_HEADER_BYTES);
    const writer = new PcapWriter(BufferedFile.open(path, bufferBytes), snaplen, options.nanosecond === true);
    writer.writeGlobalHeader();
    return writer;
  }

  /**
   * Appends one frame: `data[offset, offset + length)`, captured up to {@link snaplen} bytes, stamped
   * `seconds` + `fraction` (microseconds or nanoseconds, per {@link nanosecond}).
   */
  write(data: Uint8Array, offset: number, length: number, seconds: number, fraction: number): void {
    const captured = length < this.snaplen ? length : this.snaplen;
    const out = this.out;
    out.reserve(PCAP_RECORD_HEADER_BYTES + captured);
    const b = out.buf;
    const at = out.used;
    b.writeUInt32LE(seconds >>> 0, at);
    b.writeUInt32LE(fraction >>> 0, at + 4);
    b.writeUInt32LE(captured, at + 8);
    b.writeUInt32LE(length, at + 12);
    out.used = at + PCAP_RECORD_HEADER_BYTES;
    out.copy(data, offset, captured);
    this.frames++;
  }

  /** Bytes a frame of `length` bytes adds to the file. */
  recordBytes(length: number): number {
    return PCAP_RECORD_HEADER_BYTES + (length < this.snaplen ? length : this.snaplen);
  }

  private writeGlobalHeader(): void {
    const b = this.out.buf;
    b.writeUInt32LE(this.nanosecond ? PCAP_MAGIC_NANO : PCAP_MAGIC_MICRO, 0);
    b.writeUInt16LE(2, 4);
    b.writeUInt16LE(4, 6);
    b.writeInt32LE(0, 8);  // thiszone: UTC
    b.writeUInt32LE(0, 12);  // sigfigs
    b.writeUInt32LE(this.snaplen, 16);
    b.writeUInt32LE(LINKTYPE_ETHERNET, 20);
    this.out.used = PCAP_HEADER_BYTES;
  }
}
