/**
 * The output of the capture file writers: records are copied into one preallocated Buffer and written
 * to the file descriptor in chunks, so nothing is allocated per frame. A reader that went away (a pipe
 * whose reader exited, `| head -c 100`: EPIPE) marks the file {@link BufferedFile.broken} instead of
 * throwing: later writes are dropped, and the capture ends quietly, as Unix tools do.
 */
import fs from 'node:fs';
import { TsnicError } from '../errors';

/** A file written through a preallocated buffer. */
export class BufferedFile {
  /** The path opened. */
  readonly path: string;
  /** The write buffer; callers fill `buf[used, ...)` after {@link reserve}. */
  readonly buf: Buffer;
  /** Bytes of {@link buf} holding data not yet written. */
  used = 0;
  /** True once the reader went away (EPIPE): nothing more reaches the file. */
  broken = false;
  private readonly fd: number;
  private flushed = 0;
  private isClosed = false;
  /** The last source array and a Buffer over the same memory, so copying a frame allocates nothing. */
  private source: Uint8Array | null = null;
  private sourceBuf: Buffer = Buffer.alloc(0);

  private constructor(path: string, fd: number, bufferBytes: number) {
    this.path = path;
    this.fd = fd;
    this.buf = Buffer.allocUnsafe(bufferBytes);
  }

  /** Creates (or truncates) `path`, writing through a buffer of `bufferBytes`. */
  static open(path: string, bufferBytes: number): BufferedFile {
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
    return new BufferedFile(path, fd, bufferBytes);
  }

  /** Bytes in the file so far, buffered ones included. */
  get size(): number {
    return this.flushed + this.used;
  }

  /** Makes room for `n` more bytes in {@link buf} (flushing first when they do not fit). */
  reserve(n: number): void {
    if (this.used + n > this.buf.length) this.flush();
  }

  /** Copies `data[offset, offset + length)` to {@link buf} at {@link used} and advances it. */
  copy(data: Uint8Array, offset: number, length: number): void {
    if (data !== this.source) {
      this.source = data;
      this.sourceBuf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    }
    this.sourceBuf.copy(this.buf, this.used, offset, offset + length);
    this.used += length;
  }

  /** Writes the buffered bytes to the file (or drops them once the reader went away). */
  flush(): void {
    let done = 0;
    try {
      while (!this.broken && done < this.used) done += fs.writeSync(this.fd, this.buf, done, this.used - done);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EPIPE') throw err;
      this.broken = true;
    }
    this.flushed += this.used;
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
}
