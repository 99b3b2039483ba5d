/**
 * Capture files by size or frame count, named as tcpdump -C names them (without -W): the first file
 * is the name given, the next ones the same name with 1, 2, 3 ... appended (`x.pcap`, `x.pcap1`,
 * `x.pcap2`). Unlike tcpdump -C, which starts a new file once the current one has passed the size, a
 * new file starts before a frame that would take the current one past the size, so every file stays
 * within it (a single frame larger than the limit still gets a file of its own). Each file is
 * complete: pcapng files each begin with their section header and interface description.
 */
import { checkInteger, TsnicError } from '../errors';
import type { CaptureWriter } from './capture-writer';

/** When to start a new file. */
export interface RotationLimits {
  /** Bytes a file may hold (its headers included). */
  maxBytes?: number;
  /** Frames a file may hold. */
  maxFrames?: number;
}

/** A writer that spreads the frames over files; see the module comment for names and limits. */
export class RotatingWriter implements CaptureWriter {
  /** Every file written so far, in order. */
  readonly files: string[] = [];
  private current: CaptureWriter;
  private framesBefore = 0;
  private readonly base: string;
  private readonly maxBytes: number;
  private readonly maxFrames: number;
  private readonly open: (path: string) => CaptureWriter;

  /** Writes to `base`, then `base`1, `base`2 ...; `open` creates one file's writer. */
  constructor(base: string, limits: RotationLimits, open: (path: string) => CaptureWriter) {
    if (limits.maxBytes === undefined && limits.maxFrames === undefined) {
      throw new TsnicError('ERR_INVALID_ARG', 'rotation needs a size or a frame count per file');
    }
    this.maxBytes = limits.maxBytes === undefined ? Infinity : checkInteger('rotation size', limits.maxBytes, 1, Number.MAX_SAFE_INTEGER);
    this.maxFrames = limits.maxFrames === undefined ? Infinity : checkInteger('rotation frame count', limits.maxFrames, 1, Number.MAX_SAFE_INTEGER);
    this.base = base;
    this.open = open;
    this.current = open(base);
    this.files.push(base);
  }

  /** Bytes kept of each frame. */
  get snaplen(): number {
    return this.current.snaplen;
  }

  /** True when timestamps are in nanoseconds. */
  get nanosecond(): boolean {
    return this.current.nanosecond;
  }

  /** Frames written over every file. */
  get frames(): number {
    return this.framesBefore + this.current.frames;
  }

  /** The file being written now. */
  get file(): string {
    return this.current.file;
  }

  /** Bytes of the current file. */
  get size(): number {
    return this.current.size;
  }

  /** True once the current file's reader went away. */
  get broken(): boolean {
    return this.current.broken;
  }

  /** Bytes a frame adds to a file. */
  recordBytes(length: number): number {
    return this.current.recordBytes(length);
  }

  /** Appends one frame, in a new file when the current one is full. */
  write(data: Uint8Array, offset: number, length: number, seconds: number, fraction: number): void {
    const cur = this.current;
    if (cur.frames > 0 && (cur.frames >= this.maxFrames || cur.size + cur.recordBytes(length) > this.maxBytes)) this.rotate();
    this.current.write(data, offset, length, seconds, fraction);
  }

  /** Writes the buffered records of the current file. */
  flush(): void {
    this.current.flush();
  }

  /** Closes the current file. Idempotent. */
  close(): void {
    this.current.close();
  }

  private rotate(): void {
    this.framesBefore += this.current.frames;
    this.current.close();
    const next = `${this.base}${this.files.length}`;
    this.current = this.open(next);
    this.files.push(next);
  }
}
