/**
 * The RFC 2544 throughput search (section 26.1): the highest rate at which a trial loses no frame, by
 * binary search between 0 and line rate, down to a resolution given as a share of line rate.
 */
import type { TrialResult } from './trial';

/** Runs one trial at a rate (frames per second). */
export type TrialRunner = (ratePps: number) => Promise<TrialResult>;

/** Outcome of a search. */
export interface SearchResult {
  /** Highest rate that passed (0 when none did), frames per second. */
  throughputPps: number;
  /** The passing trial at that rate (undefined when none passed). */
  passed?: TrialResult;
  /** Every trial, in order. */
  trials: TrialResult[];
}

/**
 * Binary search for the highest zero-loss rate in [0, lineRatePps]: line rate first, then halving the
 * interval until it is no wider than `resolution` x line rate. A trial passes when it lost nothing.
 */
export async function searchThroughput(lineRatePps: number, resolution: number, trial: TrialRunner, signal?: AbortSignal): Promise<SearchResult> {
  const trials: TrialResult[] = [];
  const first = await trial(lineRatePps);
  trials.push(first);
  if (first.lost === 0) return { throughputPps: lineRatePps, passed: first, trials };
  let lo = 0;
  let hi = lineRatePps;
  let passed: TrialResult | undefined;
  const step = resolution * lineRatePps;
  while (hi - lo > step && signal?.aborted !== true) {
    const mid = (lo + hi) / 2;
    const r = await trial(mid);
    trials.push(r);
    if (r.lost === 0) {
      lo = mid;
      passed = r;
    } else {
      hi = mid;
    }
  }
  return { throughputPps: lo, passed, trials };
}
