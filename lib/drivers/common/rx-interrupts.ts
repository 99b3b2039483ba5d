/**
 * Interrupt wake-ups of rx queues, the part every chip shares: the `rxMode` and `interruptIntervalUs`
 * open options, the host's eventfds (lib/bus: VFIO or the simulated card), and the waiters of
 * {@link NetDevice.waitForRx}. A chip family supplies its register steps as an {@link RxInterruptChip}
 * (lib/drivers/ixgbe/interrupts.ts, lib/drivers/e1000/interrupts.ts).
 *
 * The wait is the NAPI re-arm (Linux's napi_complete_done, then the driver's irq enable): look at the
 * ring; when nothing was written back, unmask the queue's interrupt, then look once more, because a
 * frame written back between the first look and the unmask may already have raised (and, with auto
 * clear, spent) its cause; only then sleep. The chip masks the interrupt again when it fires
 * (82599 EIAM auto-mask, or the chip's handler), so a queue being polled raises none.
 */
import type { InterruptHost, InterruptKind } from '../../bus/types';
import type { DeviceOptions, RxMode, WaitForRxOptions } from '../../device';
import { checkInteger, TsnicError } from '../../errors';

/** Every receive mode. */
export const RX_MODES: readonly RxMode[] = ['poll', 'interrupt', 'adaptive'];

/** Default moderation: at most one interrupt per queue every 10 us (100k per second). */
export const DEFAULT_INTERRUPT_INTERVAL_US = 10;

/** The validated interrupt options of a device. */
export interface RxInterruptSettings {
  /** Mode of each rx queue. */
  modes: RxMode[];
  /** Shortest time between two interrupts of a queue, us (0: none). */
  intervalUs: number;
}

/**
 * Validates `rxMode` (one mode, or one per queue) and `interruptIntervalUs` for `rxQueues` queues;
 * `maxIntervalUs` is the longest the chip's moderation register holds.
 */
export function rxInterruptSettings(options: DeviceOptions, rxQueues: number, maxIntervalUs: number): RxInterruptSettings {
  const mode = options.rxMode ?? 'poll';
  const list: readonly unknown[] = Array.isArray(mode) ? mode : Array.from({ length: rxQueues }, () => mode);
  if (list.length !== rxQueues) {
    throw new TsnicError('ERR_INVALID_ARG', `rxMode lists ${list.length} modes for ${rxQueues} rx queue(s): give one mode, or one per queue`);
  }
  for (const m of list) {
    if (!RX_MODES.includes(m as RxMode)) {
      throw new TsnicError('ERR_INVALID_ARG', `rxMode must be one of ${RX_MODES.join(', ')}, got ${String(m)}`);
    }
  }
  const intervalUs = checkInteger('interruptIntervalUs', options.interruptIntervalUs ?? DEFAULT_INTERRUPT_INTERVAL_US, 0, maxIntervalUs);
  return { modes: list as RxMode[], intervalUs };
}

/** A chip family's interrupt register steps, for the queues that do not poll. */
export interface RxInterruptChip {
  /** The host interrupt kind the chip uses (MSI-X on the 82599, INTx or MSI on the e1000). */
  readonly kind: InterruptKind;
  /** Host vectors to enable. */
  readonly vectors: number;
  /**
   * Routes the causes of `queues` to their vectors with `intervalUs` moderation, every cause still
   * masked (datasheet order). Runs once, after the host's eventfds are in place.
   */
  configure(queues: readonly number[], intervalUs: number): void;
  /** Unmasks the interrupt of `queue`. */
  arm(queue: number): void;
  /** True when the next descriptor of `queue` was written back (a frame is waiting). */
  ready(queue: number): boolean;
  /** `vector` fired: the chip's acknowledgement (mask, read the cause, unmask INTx); the queue it wakes, or -1. */
  fired(vector: number): number;
  /** Masks every cause and removes the routing. Runs before the NIC is reset. */
  teardown(): void;
}

type Waiter = (ready: boolean) => void;

/** The interrupt side of one open device's rx queues. */
export class RxWaiters {
  private readonly waiting: Waiter[][];
  private sleepers = 0;
  private started = false;
  private stopped = false;

  /**
   * @param pci the host side (eventfds on the event loop)
   * @param chip the chip's register steps; undefined for a driver without interrupt support
   * @param settings the validated options
   * @param address for messages
   */
  constructor(
    private readonly pci: InterruptHost,
    private readonly chip: RxInterruptChip | undefined,
    private readonly settings: RxInterruptSettings,
    private readonly address: string,
  ) {
    this.waiting = settings.modes.map(() => []);
  }

  /** Mode of rx queue `queue` (checked by the caller). */
  mode(queue: number): RxMode {
    return this.settings.modes[queue];
  }

  /**
   * Enables the host's vectors and lets the chip route its causes to them; nothing when every queue
   * polls. ERR_INTERRUPTS when the driver has no interrupt support or the host refuses; whatever was
   * set up is undone (causes masked, vectors off) before the error propagates.
   */
  start(): void {
    const queues = this.settings.modes.flatMap((m, q) => (m === 'poll' ? [] : [q]));
    if (queues.length === 0) return;
    const chip = this.chip;
    if (chip === undefined) {
      throw new TsnicError('ERR_INTERRUPTS', `${this.address}: this driver receives by polling only: open it with rxMode: 'poll'`);
    }
    // Started before the call: whatever part of the set-up happened is undone by stop().
    this.started = true;
    try {
      this.pci.enableInterrupts(chip.kind, chip.vectors, (vector) => this.onVector(vector));
      chip.configure(queues, this.settings.intervalUs);
    } catch (err) {
      this.stop();
      throw err;
    }
  }

  /** {@link NetDevice.waitForRx} for a queue the caller checked. */
  wait(queue: number, options: WaitForRxOptions = {}): Promise<boolean> {
    const timeoutMs = options.timeoutMs === undefined ? undefined : checkInteger('waitForRx timeoutMs', options.timeoutMs, 0, 2 ** 31 - 1);
    const signal = options.signal;
    if (this.stopped || signal?.aborted === true) return Promise.resolve(false);
    if (this.settings.modes[queue] === 'poll' || this.chip === undefined) {
      return new Promise((resolve) => setImmediate(resolve, true));
    }
    const chip = this.chip;
    if (chip.ready(queue)) return Promise.resolve(true);
    chip.arm(queue);
    // The NAPI race: a frame written back after the first look but before the unmask.
    if (chip.ready(queue)) return Promise.resolve(true);
    if (timeoutMs === 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done: Waiter = (ready) => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(ready);
      };
      const onAbort = (): void => this.cancel(queue, done);
      if (timeoutMs !== undefined) timer = setTimeout(() => this.cancel(queue, done), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting[queue].push(done);
      if (++this.sleepers === 1) this.pci.holdEventLoop(true);
    });
  }

  /**
   * Wakes every waiter with false, masks the chip's causes and turns the host's vectors off. Runs
   * before the NIC is reset (close and every teardown path). Idempotent.
   */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (let q = 0; q < this.waiting.length; q++) this.wake(q, false);
    if (!this.started) return;
    try {
      this.chip?.teardown();
    } finally {
      this.pci.disableInterrupts();
    }
  }

  private onVector(vector: number): void {
    if (this.stopped || this.chip === undefined) return;
    const queue = this.chip.fired(vector);
    if (queue >= 0 && queue < this.waiting.length) this.wake(queue, true);
  }

  private wake(queue: number, ready: boolean): void {
    const list = this.waiting[queue];
    if (list.length === 0) return;
    this.waiting[queue] = [];
    this.sleepers -= list.length;
    if (this.sleepers === 0) this.pci.holdEventLoop(false);
    for (const w of list) w(ready);
  }

  /** Removes one waiter (timeout or abort) and resolves it with false. */
  private cancel(queue: number, waiter: Waiter): void {
    const list = this.waiting[queue];
    const i = list.indexOf(waiter);
    if (i < 0) return;
    list.splice(i, 1);
    if (--this.sleepers === 0) this.pci.holdEventLoop(false);
    waiter(false);
  }
}
