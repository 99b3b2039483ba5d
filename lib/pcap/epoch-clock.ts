/**
 * Capture timestamps: performance.now() times (Node's monotonic high-resolution clock) as seconds and
 * a fraction since the Unix epoch, anchored at performance.timeOrigin, split so that no precision is
 * lost to floating point (an epoch time in milliseconds as one double keeps only about 0.2 us).
 */
import { performance } from 'node:perf_hooks';

/** Seconds and fractions (µs or ns) since the Unix epoch of performance.now() times, without rounding loss. */
export class EpochClock {
  private readonly originSeconds: number;
  private readonly originNs: number;
  private readonly divisor: number;
  /** Whole seconds of the last {@link set}. */
  seconds = 0;
  /** Fraction of the last {@link set}, in the unit asked for. */
  fraction = 0;

  /** A clock giving fractions in nanoseconds (`nanosecond`) or microseconds. */
  constructor(nanosecond: boolean) {
    const origin = performance.timeOrigin;
    this.originSeconds = Math.floor(origin / 1000);
    this.originNs = Math.round((origin - this.originSeconds * 1000) * 1e6);
    this.divisor = nanosecond ? 1 : 1000;
  }

  /** Sets {@link seconds} and {@link fraction} to the time `nowMs` (performance.now()). */
  set(nowMs: number): void {
    // Nanoseconds since the origin's whole second: below 2^53 for 104 days of run.
    const ns = this.originNs + Math.round(nowMs * 1e6);
    const whole = Math.floor(ns / 1e9);
    this.seconds = this.originSeconds + whole;
    this.fraction = Math.floor((ns - whole * 1e9) / this.divisor);
  }
}
