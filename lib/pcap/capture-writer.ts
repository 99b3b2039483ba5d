/** What every capture file writer offers (pcap, pcapng, and the rotating writer over either). */

/** Options shared by the capture file writers. */
export interface CaptureWriterOptions {
  /** Bytes kept of each frame, 1..262144. Default 65535. */
  snaplen?: number;
  /** Nanosecond timestamps instead of microseconds. Default false. */
  nanosecond?: boolean;
  /** Size of the write buffer in bytes (at least one record of snaplen). Default 1 MiB. */
  bufferBytes?: number;
}

/** A capture file being written. */
export interface CaptureWriter {
  /** Bytes kept of each frame. */
  readonly snaplen: number;
  /** True when timestamps are in nanoseconds (else microseconds). */
  readonly nanosecond: boolean;
  /** Frames written so far (over every file, for a rotating writer). */
  readonly frames: number;
  /** The file being written now. */
  readonly file: string;
  /** Bytes of {@link file} so far (buffered ones included). */
  readonly size: number;
  /** True once the file's reader went away (EPIPE on a pipe): later frames are dropped. */
  readonly broken: boolean;
  /**
   * Appends one frame: `data[offset, offset + length)`, captured up to {@link snaplen} bytes, stamped
   * `seconds` + `fraction` (microseconds or nanoseconds, per {@link nanosecond}) since the Unix epoch.
   */
  write(data: Uint8Array, offset: number, length: number, seconds: number, fraction: number): void;
  /** Bytes a frame of `length` bytes adds to the file (record header, captured bytes, padding). */
  recordBytes(length: number): number;
  /** Writes the buffered records to the file. */
  flush(): void;
  /** Flushes and closes the file. Idempotent. */
  close(): void;
}

/** Default size of a writer's buffer. */
export const DEFAULT_BUFFER_BYTES = 1 << 20;
