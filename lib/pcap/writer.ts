/**
 * A libpcap file writer (the classic format tcpdump, tshark and Wireshark read): a 24-byte global
 * header with the microsecond (0xA1B2C3D4) or nanosecond (0xA1B23C4D) magic, version 2.4, the
 * snapshot length and link type 1 (Ethernet), then per frame a 16-byte record header (seconds,
 * fraction, captured length, original length) and the captured bytes. Written little-endian (readers
 * detect the byte order from the magic).
 *
 * Records are copied into one preallocated Buffer and written to the file in chunks: nothing is
 * allocated per frame.
 */
import fs from 'node:fs';
import { checkInteger, TsnicError } from '../errors';

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

/** Options of {@link PcapWriter.open}. */
export interface PcapWriterOptions {
  /** Bytes kept of each frame, 1..262144. Default 65535. */
  snaplen?: number;
  /** Nanosecond timestamps (magic 0xA1B23C4D) instead of microseconds. Default false. */
  nanosecond?: boolean;
  /** Size of the write buffer in bytes (at least one record of snaplen). Default 1 MiB. */
  bufferBytes?: number;
}

/** Writes frames to a pcap file. Call {@link close} to flush the last chunk. */
export class PcapWriter {
  /** Bytes kept of each frame. */
  readonly snaplen: number;
  /** True when timestamps are in nanoseconds. */
  readonly nanosecond: boolean;
  /** Frames written so far. */
  frames = 0;
  private readonly fd: number;
  private readonly buf: Buffer;
  private used = 0;
  private isClosed = false;
  private readonly path: string;
  /** The last source array and a Buffer over the same memory, so copying a frame allocates nothing. */
  private source: Uint8Array | null = null;
  private sourceBuf: Buffer = Buffer.alloc(0);

  private constructor(path: string, fd: number, snaplen: number, nanosecond: boolean, bufferBytes: number) {
    this.path = path;
    this.fd = fd;
    this.snaplen = snaplen;
    this.nanosecond = nanosecond;
    this.buf = Buffer.allocUnsafe(bufferBytes);
  }

  /** Creates (or truncates) `path` and writes the global header. */
  static open(path: string, options: PcapWriterOptions = {}): PcapWriter {
    const snaplen = checkInteger('snaplen', options.snaplen ?? DEFAULT_SNAPLEN, 1, 262144);
    const minBuffer = PCAP_HEADER_BYTES + PCAP_RECORD_HEADER_BYTES + snaplen;
    const bufferBytes = checkInteger('bufferBytes', options.bufferBytes ?? Math.max(1 << 20, minBuffer), minBuffer, 1 << 30);
    let fd: number;
    try {
      fd = fs.openSync(path, 'w', 0o644);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new TsnicError('ERR_INVALID_ARG', `cannot create ${path}: ${e.code ?? e.message}: choose a writable file path`, {
        syscall: 'open',
        cause: err,
        ...(typeof e.errno === 'number' ? { errno: -e.errno } : {}),
      });
    }
    const writer = new PcapWriter(path, fd, snaplen, options.nanosecond === true, bufferBytes);
    writer.writeGlobalHeader();
    return writer;
  }

  /**
   * Appends one frame: `data[offset, offset + length)`, captured up to {@link snaplen} bytes, stamped
   * `seconds` + `fraction` (microseconds or nanoseconds, per {@link nanosecond}).
   */
  write(data: Uint8Array, offset: number, length: number, seconds: number, fraction: number): void {
    const captured = length < this.snaplen ? length : this.snaplen;
    if (this.used + PCAP_RECORD_HEADER_BYTES + captured > this.buf.length) this.flush();
    const b = this.buf;
    let at = this.used;
    b.writeUInt32LE(seconds >>> 0, at);
    b.writeUInt32LE(fraction >>> 0, at + 4);
    b.writeUInt32LE(captured, at + 8);
    b.writeUInt32LE(length, at + 12);
    at += PCAP_RECORD_HEADER_BYTES;
    if (data !== this.source) {
      this.source = data;
      this.sourceBuf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    }
    this.sourceBuf.copy(b, at, offset, offset + captured);
    this.used = at + captured;
    this.frames++;
  }

  /** Writes the buffered records to the file. */
  flush(): void {
    let done = 0;
    while (done < this.used) done += fs.writeSync(this.fd, this.buf, done, this.used - done);
    this.used = 0;
  }

  /** Flushes and closes the file. Idempotent. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    try {
      this.flush();
    } finally {
      fs.closeSync(this.fd);
    }
  }

  /** The file being written. */
  get file(): string {
    return this.path;
  }

  private writeGlobalHeader(): void {
    const b = this.buf;
    b.writeUInt32LE(this.nanosecond ? PCAP_MAGIC_NANO : PCAP_MAGIC_MICRO, 0);
    b.writeUInt16LE(2, 4);
    b.writeUInt16LE(4, 6);
    b.writeInt32LE(0, 8);  // thiszone: UTC
    b.writeUInt32LE(0, 12);  // sigfigs
    b.writeUInt32LE(this.snaplen, 16);
    b.writeUInt32LE(LINKTYPE_ETHERNET, 20);
    this.used = PCAP_HEADER_BYTES;
  }
}
