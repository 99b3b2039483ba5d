/**
 * A small, fast, seedable pseudo-random source for the generator's per-packet choices (flow, size):
 * xorshift32 (Marsaglia 2003). The state lives in a typed array so that a draw allocates nothing (a
 * 32-bit unsigned number in a field or a return value would be boxed).
 */
import { checkInteger } from '../../errors';

/** xorshift32: 2^32 - 1 states, never 0. */
export class XorShift32 {
  private readonly state = new Uint32Array(1);

  /** Starts from `seed` (0..2^32-1; 0 would stay 0 forever and is replaced by 1). */
  constructor(seed: number) {
    checkInteger('seed', seed, 0, 0xffffffff);
    this.state[0] = seed === 0 ? 1 : seed;
  }

  /** A value in [0, n) for n up to 2^32 (modulo bias below 2^-16 for the table sizes used here). */
  below(n: number): number {
    let x = this.state[0];
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state[0] = x;
    return this.state[0] % n;
  }
}
