/**
 * Send timestamps for the test payload: nanoseconds on process.hrtime's clock, kept to their low 48
 * bits (78 hours before they wrap; a latency is a difference modulo 2^48). Read without allocation:
 * process.hrtime.bigint() once at start, then performance.now() (a double, same monotonic clock
 * source in Node) for each reading.
 */
import { performance } from 'node:perf_hooks';

/** 2^48: timestamps are taken modulo this. */
export const TIMESTAMP_MODULUS = 2 ** 48;
const TWO_32 = 2 ** 32;

/** A 48-bit nanosecond clock. */
export class NanoClock {
  private readonly baseNs: number;
  private readonly baseMs: number;

  /** Anchors the clock to process.hrtime.bigint() now. */
  constructor() {
    this.baseMs = performance.now();
    this.baseNs = Number(process.hrtime.bigint() % BigInt(TIMESTAMP_MODULUS));
  }

  /** The clock at `perfNowMs` (a performance.now() reading), in ns modulo 2^48. */
  at(perfNowMs: number): number {
    return (this.baseNs + Math.round((perfNowMs - this.baseMs) * 1e6)) % TIMESTAMP_MODULUS;
  }

  /** Bits 47:32 of a timestamp. */
  static high(ns: number): number {
    return Math.floor(ns / TWO_32);
  }

  /** Bits 31:0 of a timestamp. */
  static low(ns: number): number {
    return ns % TWO_32;
  }

  /**
   * `later - earlier` modulo 2^48 in ns, or -1 when it comes out above 2^47 (the send time is after the
   * receive time: the timestamps come from another host's clock).
   */
  static elapsed(later: number, earlier: number): number {
    const d = (later - earlier + TIMESTAMP_MODULUS) % TIMESTAMP_MODULUS;
    return d > TIMESTAMP_MODULUS / 2 ? -1 : d;
  }
}
