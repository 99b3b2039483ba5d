/**
 * Where a probe's two times come from. Hardware: the IEEE 1588 units of the sending and the receiving
 * NIC (82599), the transmit time latched as the probe starts onto the wire and the receive time as it
 * arrives; the two clocks run independently, so their offset is measured first by reading both
 * ({@link measureClockOffset}). Software: the host's clock (performance.now) just before txBatch and
 * when rxBatch returns the probe, on NICs without such a unit (e1000, igb here): it adds the time
 * frames wait in the rings and the polling loop's granularity.
 */
import { performance } from 'node:perf_hooks';
import type { HardwareClock, NetDevice, RxTimestamp } from '../../device';
import type { TimestampKind } from './stats';

/** The two times of the probe in flight, for the probe scheduler (probes.ts). */
export interface ProbeTimer {
  /** Where the times come from. */
  readonly kind: TimestampKind;
  /** Resolution of one timestamp, ns. */
  readonly resolutionNs: number;
  /** Half the width of the window the two hardware clocks were compared in (0 for software). */
  readonly syncUncertaintyNs: number;
  /** The time base wraps every wrapNs (Infinity: never). */
  readonly wrapNs: number;
  /** Just before the probe's txBatch. */
  beforeSend(queue: number): void;
  /** The probe's transmit time in the common time base, once known (software: right away). */
  txNs(): number | undefined;
  /** Probe `seq` just came out of rxBatch: its receive time in the common time base, or undefined when the NIC did not stamp it. */
  rxNs(seq: number): number | undefined;
  /** Forgets the probe in flight and frees the NICs' latches (after a lost probe). */
  reset(): void;
}

/** The offset between two hardware clocks: `b.now() - a.now()` at the same instant, within ± uncertaintyNs. */
export interface ClockOffset {
  /** b's time minus a's, ns. */
  offsetNs: number;
  /** Half the narrowest read window: the offset is exact to within this. */
  uncertaintyNs: number;
}

/**
 * Measures `b`'s clock against `a`'s: `rounds` times a.now(), b.now(), a.now(); each round gives the
 * offset of b's reading to the middle of a's two (the register reads are alike, so the middle stands
 * for b's read instant). The answer is the median offset of the eighth of rounds with the narrowest
 * windows: the least disturbed ones, and no single lopsided one decides. Its uncertainty is half the
 * widest window among them.
 */
export function measureClockOffset(a: HardwareClock, b: HardwareClock, rounds = 128): ClockOffset {
  const windows = new Float64Array(rounds);
  const offsets = new Float64Array(rounds);
  for (let i = 0; i < rounds; i++) {
    const t1 = a.now();
    const tb = b.now();
    const t2 = a.now();
    windows[i] = t2 >= t1 ? t2 - t1 : Infinity;
    offsets[i] = tb - (t1 + t2) / 2;
  }
  const order = Array.from(windows.keys()).sort((x, y) => windows[x] - windows[y]);
  const best = order.slice(0, Math.max(1, Math.floor(rounds / 8)));
  const chosen = best.map((i) => offsets[i]).sort((x, y) => x - y);
  return { offsetNs: chosen[Math.floor(chosen.length / 2)], uncertaintyNs: windows[best[best.length - 1]] / 2 };
}

/** Hardware timestamps of `tx` (sending) and `rx` (receiving); enables both clocks and measures their offset. */
export class HardwareProbeTimer implements ProbeTimer {
  readonly kind = 'hardware' as const;
  readonly resolutionNs: number;
  readonly syncUncertaintyNs: number;
  readonly wrapNs: number;
  private readonly offsetNs: number;
  private tx: number | undefined;
  private readonly stamp: RxTimestamp = { ns: 0, sequenceId: 0 };

  constructor(private readonly txClock: HardwareClock, private readonly rxClock: HardwareClock) {
    txClock.enable();
    rxClock.enable();
    this.resolutionNs = Math.max(txClock.resolutionNs, rxClock.resolutionNs);
    this.wrapNs = txClock.wrapNs;
    if (txClock === rxClock) {
      this.offsetNs = 0;
      this.syncUncertaintyNs = 0;
    } else {
      const o = measureClockOffset(txClock, rxClock);
      this.offsetNs = o.offsetNs;
      this.syncUncertaintyNs = o.uncertaintyNs;
    }
    this.reset();
  }

  beforeSend(queue: number): void {
    this.tx = undefined;
    this.txClock.stampNextTx(queue);
  }

  txNs(): number | undefined {
    if (this.tx === undefined) this.tx = this.txClock.readTxStamp();
    return this.tx;
  }

  rxNs(seq: number): number | undefined {
    if (!this.rxClock.readRxStamp(this.stamp) || this.stamp.sequenceId !== (seq & 0xffff)) return undefined;
    // Into the sender's time base; the difference to the tx time is taken modulo the wrap.
    return this.stamp.ns - this.offsetNs;
  }

  reset(): void {
    this.tx = undefined;
    this.txClock.readTxStamp();
    this.rxClock.readRxStamp(this.stamp);
  }
}

/** Software timestamps: the host's clock around txBatch and rxBatch. */
export class SoftwareProbeTimer implements ProbeTimer {
  readonly kind = 'software' as const;
  /** performance.now() is a double of ms with sub-microsecond resolution; the loop adds more. */
  readonly resolutionNs = 1000;
  readonly syncUncertaintyNs = 0;
  readonly wrapNs = Infinity;
  private tx: number | undefined;

  beforeSend(): void {
    this.tx = performance.now() * 1e6;
  }

  txNs(): number | undefined {
    return this.tx;
  }

  rxNs(): number | undefined {
    return performance.now() * 1e6;
  }

  reset(): void {
    this.tx = undefined;
  }
}

/** Hardware timestamps when both devices have an IEEE 1588 clock, software ones otherwise. */
export function probeTimerFor(tx: NetDevice, rx: NetDevice): ProbeTimer {
  if (tx.timesync !== undefined && rx.timesync !== undefined) return new HardwareProbeTimer(tx.timesync, rx.timesync);
  return new SoftwareProbeTimer();
}

/** `rx - tx` for times on a clock that wraps every `wrapNs`, in (-wrapNs/2, wrapNs/2]. */
export function wrappedDifference(rx: number, tx: number, wrapNs: number): number {
  let d = (rx - tx) % wrapNs;
  if (d > wrapNs / 2) d -= wrapNs;
  else if (d <= -wrapNs / 2) d += wrapNs;
  return d;
}
