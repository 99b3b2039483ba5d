/**
 * What the pcap and pcapng writers share: the frame settings, the frame count and a {@link BufferedFile}
 * with its flush, close, name, size and broken-pipe state. A subclass lays out the file's headers and
 * records.
 */
import type { BufferedFile } from './buffered-file';
import type { CaptureWriter } from './capture-writer';

/** A capture file writer over a {@link BufferedFile}. */
export abstract class BufferedCaptureWriter implements CaptureWriter {
  /** Bytes kept of each frame. */
  readonly snaplen: number;
  /** True when timestamps are in nanoseconds, else microseconds. */
  readonly nanosecond: boolean;
  /** Frames written so far. */
  frames = 0;

  protected constructor(protected readonly out: BufferedFile, snaplen: number, nanosecond: boolean) {
    this.snaplen = snaplen;
    this.nanosecond = nanosecond;
  }

  abstract write(data: Uint8Array, offset: number, length: number, seconds: number, fraction: number): void;

  abstract recordBytes(length: number): number;

  /** Writes the buffered records to the file. */
  flush(): void {
    this.out.flush();
  }

  /** Flushes and closes the file. Idempotent. */
  close(): void {
    this.out.close();
  }

  /** The file being written. */
  get file(): string {
    return this.out.path;
  }

  /** Bytes of the file so far. */
  get size(): number {
    return this.out.size;
  }

  /** True once the file's reader went away (EPIPE). */
  get broken(): boolean {
    return this.out.broken;
  }
}
