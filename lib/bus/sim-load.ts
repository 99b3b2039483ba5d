/**
 * The simulated card's model-thread load: how much of its time the model thread spent on passes that
 * did work, between two readings the caller chooses ({@link SimCard.modelLoadMark} and
 * {@link SimCard.modelThreadLoad} in lib/bus/sim.ts; native side: native/sim/card.cc `Run`).
 * docs/benchmark.md, "Model-bound points", says why and how the benchmark uses it.
 */
import { TsnicError } from '../errors';

/** One reading of the model thread's load counter; pass it to {@link SimCard.modelThreadLoad} later. */
export interface ModelLoadMark {
  /** Nanoseconds of the thread's loop spent on passes that did work, since the card was created. */
  readonly busyNs: number;
  /** When the reading was taken: CLOCK_MONOTONIC in ns (the clock of `process.hrtime.bigint()`). */
  readonly atNs: number;
  /** How many times the card's model thread was started before the reading. */
  readonly threadStarts: number;
  /** CPU time the thread's current run consumed (its CLOCK_THREAD_CPUTIME_ID), ns. */
  readonly cpuNs: number;
}

/** The model thread's load between a mark and a later reading. */
export interface ModelThreadLoad {
  /** Time the thread spent on passes that did work (plus waiting out API calls right after them), ns. */
  busyNs: number;
  /** Time between the two readings, ns. */
  wallNs: number;
  /**
   * `busyNs / wallNs`, clamped to 0..1 (the counter is up to one pass late at either reading); 0 when
   * no time passed. Near 1: the model never waited for the driver, so a rate measured meanwhile is
   * the model's and the driver's together, not the driver's.
   */
  busyFraction: number;
  /** CPU time the thread got between the readings, ns. */
  cpuNs: number;
  /**
   * `cpuNs / wallNs`, clamped to 0..1: the share of a CPU the thread got. Below ~1 other threads took
   * its CPU (a loaded machine), and that time counts as busy or idle by the pass it interrupted.
   */
  cpuFraction: number;
}

/** The native reading (native/binding/sim.cc `simModelLoad`). */
export interface NativeModelLoad extends ModelLoadMark {
  /** The model thread runs now (false: a lockstep card outside `withModelThread`). */
  running: boolean;
}

/** A mark from a native reading; throws when the card has no model thread running. */
export function markOf(load: NativeModelLoad): ModelLoadMark {
  if (!load.running) {
    throw new TsnicError('ERR_INVALID_ARG', 'modelLoadMark() needs a card whose model thread runs: a lockstep card has one only inside withModelThread(); in lockstep, step() returns the model\'s time itself');
  }
  return { busyNs: load.busyNs, atNs: load.atNs, threadStarts: load.threadStarts, cpuNs: load.cpuNs };
}

function isMark(m: unknown): m is ModelLoadMark {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  return ['busyNs', 'atNs', 'threadStarts', 'cpuNs'].every((k) => typeof r[k] === 'number' && Number.isFinite(r[k]));
}

/** The load from mark `since` to the reading `now`; throws when the thread stopped or restarted in between. */
export function loadBetween(since: unknown, now: NativeModelLoad): ModelThreadLoad {
  if (!isMark(since)) {
    throw new TsnicError('ERR_INVALID_ARG', `modelThreadLoad(since): since must be what modelLoadMark() returned, got ${String(since)}`);
  }
  const current = markOf(now);
  if (current.threadStarts !== since.threadStarts || current.atNs < since.atNs) {
    throw new TsnicError('ERR_INVALID_ARG', 'modelThreadLoad(since): the mark is from another run of the model thread (it was stopped and started since): take a new mark with modelLoadMark() while the thread runs');
  }
  const busyNs = Math.max(0, current.busyNs - since.busyNs);
  const wallNs = current.atNs - since.atNs;
  const cpuNs = Math.max(0, current.cpuNs - since.cpuNs);
  const share = (ns: number): number => (wallNs > 0 ? Math.min(1, ns / wallNs) : 0);
  return { busyNs, wallNs, busyFraction: share(busyNs), cpuNs, cpuFraction: share(cpuNs) };
}
