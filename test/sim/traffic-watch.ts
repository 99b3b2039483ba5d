/**
 * Waiting for traffic in the data-path tests, with a deadline: a test whose traffic stops fails within
 * seconds, saying what it saw (the driver's, the model's and the tester's counters, the rings' heads
 * and tails read from BAR0, the datasheet violations), instead of waiting for tap's timeout.
 *
 * "Traffic stops" means that nothing moved for `stallMs`: no counter of the watched ports changed in
 * the model (frames delivered, missed, dropped, transmitted, descriptors processed, generated,
 * checked) and the caller's own `progress` value stayed the same.
 */
import type { SimCard } from '../../lib/bus/sim';
import type { NetDevice } from '../../lib/device';

/** What a watch looks at. */
export interface Watched {
  /** The simulated card. */
  card: SimCard;
  /** Ports whose counters count as progress and are reported. Default: the ports of `devs`, else both. */
  ports?: readonly (0 | 1)[];
  /** Open devices whose driver counters and rings are reported (their BAR0 is read). */
  devs?: readonly NetDevice[];
  /** A number the test itself moves (frames received, queued, ...): a change counts as progress. */
  progress?: () => number;
  /** A line on the test's own state, added to the report (e.g. "received 312 of 1000"). */
  describe?: () => string;
}

/** Limits of a wait. */
export interface WatchLimits {
  /** Fail once nothing moved for this long, ms. Default 4000. */
  stallMs?: number;
  /** Fail after this long in any case, ms (a loaded machine still moves; this bounds a test that never ends). Default 120000. */
  timeoutMs?: number;
}

const DEFAULT_STALL_MS = 4000;
const DEFAULT_TIMEOUT_MS = 120_000;
const SAMPLE_MS = 50;

// Register offsets, 82599 datasheet 8.2.3: queue n's RDH/RDT/RXDCTL at 0x01010/0x01018/0x01028 + 0x40 n
// (n < 64), TDH/TDT/TXDCTL at 0x06010/0x06018/0x06028 + 0x40 n; RXCTRL 0x03000, FCTRL 0x05080,
// DMATXCTL 0x04A80, LINKS 0x042A4. None is a clear-on-read statistic, so reading them changes nothing.
const REG = { RXCTRL: 0x03000, FCTRL: 0x05080, DMATXCTL: 0x04a80, LINKS: 0x042a4 } as const;
const rxq = (n: number, off: number): number => 0x01000 + 0x40 * n + off;
const txq = (n: number, off: number): number => 0x06000 + 0x40 * n + off;

function hex(v: number): string {
  return `0x${(v >>> 0).toString(16)}`;
}

function portsOf(w: Watched): readonly (0 | 1)[] {
  if (w.ports !== undefined) return w.ports;
  const fromDevs = (w.devs ?? []).map((d) => d.pci.address).filter((a) => a === 'sim:0' || a === 'sim:1');
  if (fromDevs.length > 0) return fromDevs.map((a) => (a === 'sim:0' ? 0 : 1));
  return [0, 1];
}

/** A number that changes whenever anything moves on the watched ports (or in the caller's progress). */
export function progressOf(w: Watched): number {
  if (w.card.closed) return w.progress?.() ?? 0;
  let sum = w.progress?.() ?? 0;
  for (const p of portsOf(w)) {
    const c = w.card.counters(p);
    const s = w.card.tester(p).stats();
    sum += c.rxDelivered + c.rxMissed + c.rxDropEn + c.rxErrorsDropped + c.rxDroppedDisabled + c.rxFiltered + c.rxOversize + c.rxLinkDown;
    sum += c.txFrames + c.txDroppedLinkDown + c.txDescriptors + s.txPackets + s.rxPackets + (c.linkUp ? 1 : 0);
  }
  return sum;
}

/** What the watched ports look like now: counters, rings, violations; one line per item. */
export function trafficReport(w: Watched): string {
  const lines: string[] = [];
  if (w.describe !== undefined) lines.push(`test: ${w.describe()}`);
  if (w.card.closed) {
    lines.push('the card is closed');
    return lines.join('\n');
  }
  for (const p of portsOf(w)) {
    const c = w.card.counters(p);
    lines.push(`port ${p} model: ${JSON.stringify(c)}`);
    lines.push(`port ${p} tester: ${JSON.stringify(w.card.tester(p).stats())}`);
    const v = Object.entries(w.card.violations(p)).filter(([, n]) => n !== 0);
    lines.push(`port ${p} violations: ${v.length === 0 ? 'none' : v.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  }
  lines.push(`DMA outside live regions: ${w.card.dmaFaults().count}`);
  for (const dev of w.devs ?? []) {
    if (dev.closed) {
      lines.push(`${dev.pci.address}: closed`);
      continue;
    }
    lines.push(`${dev.pci.address} driver: ${JSON.stringify(dev.readStats())}`);
    const bar = dev.pci.bar0;
    const r = (off: number): number => bar[off >>> 2];
    lines.push(
      `${dev.pci.address} registers: RXCTRL ${hex(r(REG.RXCTRL))} FCTRL ${hex(r(REG.FCTRL))} ` +
        `DMATXCTL ${hex(r(REG.DMATXCTL))} LINKS ${hex(r(REG.LINKS))}`,
    );
    for (let q = 0; q < dev.rxQueueCount; q++) {
      lines.push(`${dev.pci.address} rx ${q}: RDH ${r(rxq(q, 0x10))} RDT ${r(rxq(q, 0x18))} RXDCTL ${hex(r(rxq(q, 0x28)))}`);
    }
    for (let q = 0; q < dev.txQueueCount; q++) {
      lines.push(`${dev.pci.address} tx ${q}: TDH ${r(txq(q, 0x10))} TDT ${r(txq(q, 0x18))} TXDCTL ${hex(r(txq(q, 0x28)))}`);
    }
  }
  return lines.join('\n');
}

/** Notices when the watched traffic stops. Sample it now and then with {@link check}. */
class StallClock {
  private last: number;
  private lastChangeMs: number;
  private readonly startMs = Date.now();

  constructor(private readonly w: Watched, private readonly stallMs: number, private readonly timeoutMs: number) {
    this.last = progressOf(w);
    this.lastChangeMs = this.startMs;
  }

  /** Why the wait must end now, or undefined while traffic moves. */
  check(): string | undefined {
    const now = Date.now();
    const p = progressOf(this.w);
    if (p !== this.last) {
      this.last = p;
      this.lastChangeMs = now;
    }
    if (now - this.lastChangeMs >= this.stallMs) return `nothing moved for ${now - this.lastChangeMs} ms`;
    if (now - this.startMs >= this.timeoutMs) return `still not done after ${now - this.startMs} ms`;
    return undefined;
  }
}

function failure(what: string, why: string, w: Watched): Error {
  return new Error(`traffic stopped while waiting for ${what}: ${why}\n${trafficReport(w)}`);
}

/**
 * Polls `cond` (which may move packets) until it is true, yielding to the event loop now and then.
 * Throws, with {@link trafficReport}, once nothing moved for `stallMs` or after `timeoutMs`.
 */
export async function waitForTraffic(what: string, cond: () => boolean, w: Watched, limits: WatchLimits = {}): Promise<void> {
  const clock = new StallClock(w, limits.stallMs ?? DEFAULT_STALL_MS, limits.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let nextSample = Date.now() + SAMPLE_MS;
  let spins = 0;
  while (!cond()) {
    if ((++spins & 255) === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    if (Date.now() >= nextSample) {
      nextSample = Date.now() + SAMPLE_MS;
      const why = clock.check();
      if (why !== undefined) throw failure(what, why, w);
    }
  }
}

/**
 * Runs an app (`run` gets an AbortSignal to pass on) under a watchdog: when its traffic stops, the
 * signal aborts the run and this throws with {@link trafficReport}. Otherwise resolves with the run's result.
 */
export async function watchRun<T>(what: string, w: Watched, run: (signal: AbortSignal) => Promise<T>, limits: WatchLimits = {}): Promise<T> {
  const clock = new StallClock(w, limits.stallMs ?? DEFAULT_STALL_MS, limits.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const controller = new AbortController();
  let failed: Error | undefined;
  const timer = setInterval(() => {
    const why = clock.check();
    if (why !== undefined && failed === undefined) {
      failed = failure(what, why, w);
      controller.abort();
    }
  }, SAMPLE_MS);
  try {
    const result = await run(controller.signal);
    if (failed !== undefined) throw failed;
    return result;
  } finally {
    clearInterval(timer);
  }
}
