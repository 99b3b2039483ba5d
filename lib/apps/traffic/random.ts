/**
 * A small, fast, seedable pseudo-random source for the generator's per-packet choices (flow, size):
 * xorshift32 (Marsaglia 2003), no allocation per draw. Not for anything that needs real randomness.
 */
import { checkInteger } from '../../errors';

/** xorshift32: 2^32 - 1 states, never 0. */
export class XorShift32 {
  private state: number;

  /** Starts from `seed` (1..2^32-1; 0 would stay 0 forever and is replaced by 1). */
  constructor(seed: number) {
    checkInteger('seed', seed, 0, 0xffffffff);
    this.state = seed === 0 ? 1 : seed >>> 0;
  }

  /** The next 32-bit value. */
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }

  /** A value in [0, n) for n up to 2^32 (modulo bias below 2^-16 for the table sizes used here). */
  below(n: number): number {
    return this.next() % n;
  }
}
