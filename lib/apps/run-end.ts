/**
 * How a receiving app ends a run so that its totals balance: when it was given the
 * {@link TrafficSource} that feeds it, it stops the source once its own limit is reached and keeps
 * receiving until nothing the source sent is in flight (in the port's packet buffer or rx ring), at
 * most {@link DRAIN_TIMEOUT_MS}. Without a peer to count against, "nothing in flight" means no frame
 * arrived for {@link DRAIN_QUIET_MS}. Without a source the traffic is the caller's, and the app stops
 * at once.
 */
import type { PortMeter } from './interval-stats';
import type { TrafficSource } from './peer';

/** Longest wait for frames still in flight at the end of a run, ms. */
export const DRAIN_TIMEOUT_MS = 2000;
/** Without a peer, the run counts as drained once no frame arrived for this long, ms. */
export const DRAIN_QUIET_MS = 50;

/** The end of one run over `meters` (one per receiving device) fed by `sources`. */
export class RunEnd {
  /** True once {@link begin} started the drain. */
  draining = false;
  private readonly meters: readonly PortMeter[];
  private readonly sources: readonly TrafficSource[];
  private untilMs = Infinity;
  private quietSinceMs = 0;
  private lastReceived = -1;

  /** Ends runs of the devices `meters` count, fed by `sources` (none: the caller's traffic). */
  constructor(meters: readonly PortMeter[], sources: readonly TrafficSource[]) {
    this.meters = meters;
    this.sources = sources;
  }

  /** Starts the sources; call once the meters took their baselines. */
  start(): void {
    for (const s of this.sources) s.start();
  }

  /**
   * True when every source finished and everything it sent is received or counted lost: a run waiting
   * for a count it can no longer reach (because frames were missed) may end.
   */
  exhausted(): boolean {
    if (this.sources.length === 0 || !this.sources.every((s) => s.finished())) return false;
    return this.meters.every((m) => {
      const inFlight = m.inFlight();
      return inFlight !== undefined && inFlight <= 0;
    });
  }

  /** The run's own limit was reached at `nowMs`. Returns true when the app may stop at once (no source). */
  begin(nowMs: number): boolean {
    if (this.sources.length === 0) return true;
    for (const s of this.sources) s.stop();
    this.draining = true;
    this.untilMs = nowMs + DRAIN_TIMEOUT_MS;
    this.quietSinceMs = nowMs;
    return false;
  }

  /** While draining, after a slice, with `received` frames received so far: true once nothing is in flight. */
  drained(nowMs: number, received: number): boolean {
    if (nowMs >= this.untilMs) return true;
    if (received !== this.lastReceived) {
      this.lastReceived = received;
      this.quietSinceMs = nowMs;
    }
    let counted = true;
    for (const m of this.meters) {
      const inFlight = m.inFlight();
      if (inFlight === undefined) counted = false;
      else if (inFlight > 0) return false;
    }
    return counted || nowMs - this.quietSinceMs >= DRAIN_QUIET_MS;
  }

  /** Stops the sources however the run ended (also after an error); stopping twice is harmless. */
  stop(): void {
    for (const s of this.sources) s.stop();
  }
}
