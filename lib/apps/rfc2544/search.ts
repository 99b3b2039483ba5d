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

/** Attempts of a rate whose sender could not keep up (the host was busy) before it counts as failed. */
const SENDER_RETRIES = 3;

/**
 * Binary search for the highest zero-loss rate in [0, lineRatePps]: line rate first, then halving the
 * interval until it is no wider than `resolution` x line rate. A trial passes when it lost nothing at
 * the rate asked: a trial whose sender fell short of the rate (busy host) is run again, and counts as
 * failed after {@link SENDER_RETRIES} attempts, so the search never reports a rate it did not offer.
 */
export async function searchThroughput(lineRatePps: number, resolution: number, run: TrialRunner, signal?: AbortSignal): Promise<SearchResult> {
  const trials: TrialResult[] = [];
  const trial = async (rate: number): Promise<TrialResult> => {
    let r = await run(rate);
    trials.push(r);
    for (let i = 1; i < SENDER_RETRIES && r.senderLimited && r.lost === 0 && signal?.aborted !== true; i++) {
      r = await run(rate);
      trials.push(r);
    }
    return r;
  };
  const passes = (r: TrialResult): boolean => r.lost === 0 && !r.senderLimited;
  const first = await trial(lineRatePps);
  if (passes(first)) return { throughputPps: lineRatePps, passed: first, trials };
  let lo = 0;
  let hi = lineRatePps;
  let passed: TrialResult | undefined;
  const step = resolution * lineRatePps;
  while (hi - lo > step && signal?.aborted !== true) {
    const mid = (lo + hi) / 2;
    const r = await trial(mid);
    if (passes(r)) {
      lo = mid;
      passed = r;
    } else {
      hi = mid;
    }
  }
  return { throughputPps: lo, passed, trials };
}
