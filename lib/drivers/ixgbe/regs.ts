/**
 * Register access on a BAR0 `Uint32Array` in the six verbs the driver needs (set, get, set flags,
 * clear flags, wait until set, wait until clear), so the init code reads as a list of intents.
 * Waits poll with short sleeps and throw a {@link TsnicError} with the caller's code and fix on timeout.
 */
import { TsnicError, type TsnicErrorCode } from '../../errors';

/** Reads the register at byte offset `offset`. */
export function get(bar0: Uint32Array, offset: number): number {
  return bar0[offset >>> 2];
}

/** Writes `value` to the register at byte offset `offset`. */
export function set(bar0: Uint32Array, offset: number, value: number): void {
  bar0[offset >>> 2] = value >>> 0;
}

/** Sets the bits of `flags` in a register (read-modify-write). */
export function setFlags(bar0: Uint32Array, offset: number, flags: number): void {
  bar0[offset >>> 2] = (bar0[offset >>> 2] | flags) >>> 0;
}

/** Clears the bits of `flags` in a register (read-modify-write). */
export function clearFlags(bar0: Uint32Array, offset: number, flags: number): void {
  bar0[offset >>> 2] = (bar0[offset >>> 2] & ~flags) >>> 0;
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread for `ms` milliseconds (register settle times; the device runs on its own). */
export function pause(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}

/** What a wait throws on timeout. */
export interface WaitFailure {
  /** Error code. */
  code: TsnicErrorCode;
  /** The message: what did not happen and what to do. */
  message: string;
}

/** Polls (spinning briefly, then sleeping 0.1 ms) until `(reg & mask) === want`; false after `timeoutMs`. */
function pollFor(bar0: Uint32Array, offset: number, mask: number, want: number, timeoutMs: number): boolean {
  const i = offset >>> 2;
  const deadline = Date.now() + timeoutMs;
  let polls = 0;
  while ((bar0[i] & mask) >>> 0 !== want) {
    if (++polls > 1000) {
      if (Date.now() > deadline) return false;
      pause(0.1);
    }
  }
  return true;
}

/** Waits until every bit of `mask` is set; throws `failure` after `timeoutMs`. */
export function waitSet(bar0: Uint32Array, offset: number, mask: number, timeoutMs: number, failure: WaitFailure): void {
  if (!pollFor(bar0, offset, mask, mask >>> 0, timeoutMs)) throw new TsnicError(failure.code, failure.message);
}

/** Waits until every bit of `mask` is clear; throws `failure` after `timeoutMs`. */
export function waitClear(bar0: Uint32Array, offset: number, mask: number, timeoutMs: number, failure: WaitFailure): void {
  if (!pollFor(bar0, offset, mask, 0, timeoutMs)) throw new TsnicError(failure.code, failure.message);
}

/** Waits until every bit of `mask` is clear, at most `timeoutMs`; true when they cleared. Never throws. */
export function pollClear(bar0: Uint32Array, offset: number, mask: number, timeoutMs: number): boolean {
  return pollFor(bar0, offset, mask, 0, timeoutMs);
}
