/**
 * Paces a transmit loop at a packet rate: the packets allowed so far grow linearly with time since
 * start, so a loop that sends `allowance()` packets whenever it can keeps the average rate exact
 * (after a stall, it catches up by at most `burst` packets per call).
 */
import { TsnicError } from '../errors';

/** A packet-rate pacer. A rate of 0 means "as fast as possible". */
export class RateLimiter {
  /** Packets per millisecond (0: unlimited). */
  private readonly perMs: number;
  private readonly startMs: number;

  /** `ratePps` packets per second from `startMs` (a performance.now() time). */
  constructor(ratePps: number, startMs: number) {
    if (!(ratePps >= 0) || !Number.isFinite(ratePps)) {
      throw new TsnicError('ERR_INVALID_ARG', `rate must be a number of packets per second of at least 0, got ${String(ratePps)}`);
    }
    this.perMs = ratePps / 1000;
    this.startMs = startMs;
  }

  /** How many more packets may go at `nowMs`, given `sent` so far; at most `burst`. */
  allowance(nowMs: number, sent: number, burst: number): number {
    if (this.perMs === 0) return burst;
    const due = Math.floor((nowMs - this.startMs) * this.perMs) - sent;
    return due <= 0 ? 0 : due < burst ? due : burst;
  }
}
