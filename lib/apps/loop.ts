/**
 * What every app loop shares: the busy-poll loops run in slices of a few milliseconds and yield to the
 * event loop between slices, so timers, Ctrl-C and `--duration` keep working; a stop condition over
 * count, duration and an AbortSignal.
 */
import { checkInteger, TsnicError } from '../errors';

/** Milliseconds of busy polling between two yields to the event loop. */
export const SLICE_MS = 2;
/** Milliseconds between two interval reports. */
export const REPORT_MS = 1000;

/** Lets pending I/O, timers and signal handlers run, then resumes. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Validated limits of a run. */
export interface RunLimits {
  /** Packet limit, or Infinity. */
  count: number;
  /** End time (performance.now() ms), or Infinity. */
  deadlineMs: number;
}

/** Checks `count` and `durationS` and turns them into {@link RunLimits} starting at `startMs`. */
export function runLimits(count: number | undefined, durationS: number | undefined, startMs: number): RunLimits {
  const limit = count === undefined ? Infinity : checkInteger('count', count, 1, Number.MAX_SAFE_INTEGER);
  if (durationS !== undefined && !(typeof durationS === 'number' && durationS > 0 && Number.isFinite(durationS))) {
    throw new TsnicError('ERR_INVALID_ARG', `duration must be a number of seconds above 0, got ${String(durationS)}`);
  }
  return { count: limit, deadlineMs: durationS === undefined ? Infinity : startMs + durationS * 1000 };
}

/** Checks a batch size (1..1024, default 64). */
export function batchSize(batch: number | undefined): number {
  return checkInteger('batch', batch ?? 64, 1, 1024);
}
