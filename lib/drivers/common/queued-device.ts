/**
 * What a busy-polled NIC with several rx/tx queues over advanced descriptors does the same way on
 * every chip: the queue lookups of the hot path (which double as the closed check), fair receive over
 * all queues, statistics kept as running totals and read often enough not to wrap, waiting for the
 * link, interrupt wake-ups of rx queues (rx-interrupts.ts), and the close order (interrupts off, stop
 * and reset the NIC, only then free the memory it could write). A driver supplies the chip's register
 * steps through the abstract members.
 */
import type { DmaRegion, PciFunction } from '../../bus/types';
import {
  emptyStats, type DeviceStats, type LinkStatus, type NetDevice, type RxMode, type WaitForRxOptions,
} from '../../device';
import { checkBoolean, checkInteger, TsnicError } from '../../errors';
import type { PacketBatch } from '../../memory/batch';
import type { Mempool } from '../../memory/mempool';
import type { AdvRxQueue } from './adv-rx-queue';
import type { AdvTxQueue } from './adv-tx-queue';
import { RxWaiters } from './rx-interrupts';

/** rx/tx calls between two looks at the clock for the periodic counter read. */
const POLLS_PER_CLOCK_CHECK = 4096;

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** An open multi-queue NIC; subclasses add the chip's register steps. */
export abstract class QueuedDevice implements NetDevice {
  abstract readonly driver: string;
  readonly rxQueueCount: number;
  readonly txQueueCount: number;
  private isClosed = false;
  /** Rx queues by index; emptied by close() so the hot path's lookup is also the closed check. */
  private rx: AdvRxQueue[];
  /** Tx queues by index; emptied by close(). */
  private tx: AdvTxQueue[];
  private readonly allRx: readonly AdvRxQueue[];
  private readonly allTx: readonly AdvTxQueue[];
  private readonly totals = emptyStats();
  private pollsUntilClockCheck = POLLS_PER_CLOCK_CHECK;
  private lastStatsRead = Date.now();
  /** The queue {@link rxBurstAll} serves first next time. */
  private firstRxQueue = 0;
  /** The station address as text; a driver that can change it updates this. */
  protected macText: string;
  /** Interrupt wake-ups of the rx queues; every queue polls until the driver starts its own. */
  private waiters: RxWaiters;

  /**
   * @param pci the function underneath
   * @param mac the station address, `aa:bb:cc:dd:ee:ff`
   * @param rings the region holding every descriptor ring
   * @param pool the mempool every rx queue receives into
   * @param statsIntervalMs longest time between two counter reads while polled
   */
  protected constructor(
    readonly pci: PciFunction,
    mac: string,
    private readonly rings: DmaRegion,
    private readonly pool: Mempool,
    rx: AdvRxQueue[],
    tx: AdvTxQueue[],
    private readonly statsIntervalMs: number,
  ) {
    this.macText = mac;
    this.rx = rx;
    this.tx = tx;
    this.allRx = rx.slice();
    this.allTx = tx.slice();
    this.rxQueueCount = rx.length;
    this.txQueueCount = tx.length;
    this.waiters = new RxWaiters(pci, undefined, { modes: rx.map(() => 'poll'), intervalUs: 0 }, pci.address);
  }

  /**
   * Installs and starts the driver's interrupt wake-ups (the last step of open). On failure they are
   * off again (RxWaiters.start) before the error reaches the open's clean-up and its reset.
   */
  protected startRxInterrupts(waiters: RxWaiters): void {
    waiters.start();
    this.waiters = waiters;
  }

  /** Adds the hardware's clear-on-read counters to `into`. */
  protected abstract accumulateCounters(into: DeviceStats): void;
  /** The link as the MAC reports it. */
  protected abstract readLink(): LinkStatus;
  /** Promiscuous receive on or off. */
  protected abstract applyPromiscuous(on: boolean): void;
  /** Stops rx and tx, disables every queue and resets the NIC (it must not DMA afterwards). */
  protected abstract stopHardware(rxQueues: number, txQueues: number): void;
  /** What to check when the link does not come up, for ERR_LINK_TIMEOUT. */
  protected abstract readonly linkHint: string;

  /** The PCI address. */
  get address(): string {
    return this.pci.address;
  }

  /** Station MAC address, `aa:bb:cc:dd:ee:ff`. */
  get mac(): string {
    return this.macText;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  rxPool(queue: number): Mempool {
    if (this.rx[queue] === undefined) throw this.queueError('rx', queue);
    return this.pool;
  }

  rxBatch(queue: number, batch: PacketBatch, max?: number): number {
    const q = this.rx[queue];
    if (q === undefined) throw this.queueError('rx', queue);
    const capacity = batch.capacity;
    const limit = max === undefined || max > capacity ? capacity : max;
    batch.pool = this.pool;
    const n = q.receive(batch.ids, batch.lengths, 0, limit);
    batch.count = n;
    if (--this.pollsUntilClockCheck === 0) this.housekeeping();
    return n;
  }

  /**
   * Receives from every rx queue into one `batch`, at most `budget` frames (default: the batch's
   * capacity) shared fairly: each queue may take an equal share, and the queue served first rotates
   * from call to call. All rx queues share one mempool, so the batch holds buffers of {@link rxPool}.
   */
  rxBurstAll(batch: PacketBatch, budget?: number): number {
    const queues = this.rx;
    const n = queues.length;
    if (n === 0) throw this.closedError();
    const capacity = batch.capacity;
    const limit = budget === undefined || budget > capacity ? capacity : budget;
    const share = Math.ceil(limit / n);
    batch.pool = this.pool;
    let got = 0;
    let q = this.firstRxQueue;
    for (let k = 0; k < n && got < limit; k++) {
      const want = limit - got < share ? limit - got : share;
      got += queues[q].receive(batch.ids, batch.lengths, got, want);
      q = q + 1 === n ? 0 : q + 1;
    }
    this.firstRxQueue = this.firstRxQueue + 1 === n ? 0 : this.firstRxQueue + 1;
    batch.count = got;
    if (--this.pollsUntilClockCheck === 0) this.housekeeping();
    return got;
  }

  rxMode(queue: number): RxMode {
    if (this.rx[queue] === undefined) throw this.queueError('rx', queue);
    return this.waiters.mode(queue);
  }

  waitForRx(queue: number, options?: WaitForRxOptions): Promise<boolean> {
    if (this.rx[queue] === undefined) return Promise.reject(this.queueError('rx', queue));
    return this.waiters.wait(queue, options);
  }

  txBatch(queue: number, batch: PacketBatch): number {
    const q = this.tx[queue];
    if (q === undefined) throw this.queueError('tx', queue);
    const n = q.transmit(batch);
    if (--this.pollsUntilClockCheck === 0) this.housekeeping();
    return n;
  }

  readStats(into?: DeviceStats): DeviceStats {
    this.checkOpen();
    this.collectStats();
    const out = into ?? emptyStats();
    Object.assign(out, this.totals);
    return out;
  }

  linkStatus(): LinkStatus {
    this.checkOpen();
    return this.readLink();
  }

  async waitForLink(timeoutMs: number): Promise<LinkStatus> {
    checkInteger('waitForLink timeoutMs', timeoutMs, 0, 3_600_000);
    const end = Date.now() + timeoutMs;
    for (;;) {
      const link = this.linkStatus();
      if (link.up) return link;
      if (Date.now() >= end) {
        throw new TsnicError('ERR_LINK_TIMEOUT', `${this.address}: no link after ${timeoutMs} ms: ${this.linkHint}, or open with waitForLink: false`);
      }
      await delay(5);
    }
  }

  setPromiscuous(on: boolean): void {
    this.checkOpen();
    checkBoolean('setPromiscuous(on)', on);
    this.applyPromiscuous(on);
  }

  close(): void {
    this.checkOpen();
    this.isClosed = true;
    this.rx = [];
    this.tx = [];
    try {
      // Interrupts off (waiters woken, causes masked, host vectors disabled) before the reset.
      this.waiters.stop();
    } catch (err) {
      process.emitWarning(`${this.address}: turning interrupts off failed (${String(err)}); the reset follows`, { code: 'TSNIC_INTERRUPTS_OFF' });
    }
    // Stop rx and tx, disable the queues, reset; a NIC that fails to stop keeps its memory mapped.
    this.stopHardware(this.allRx.length, this.allTx.length);
    for (const q of this.allTx) q.drop();
    this.pool.destroy();
    this.pci.freeDma(this.rings);
    this.pci.close();
  }

  private collectStats(): void {
    this.accumulateCounters(this.totals);
    let errors = 0;
    for (const q of this.allRx) errors += q.errors;
    this.totals.rxErrors = errors;
    this.lastStatsRead = Date.now();
  }

  /** Reads the counters often enough that none can wrap, checking the clock rarely. */
  private housekeeping(): void {
    this.pollsUntilClockCheck = POLLS_PER_CLOCK_CHECK;
    if (Date.now() - this.lastStatsRead >= this.statsIntervalMs) this.collectStats();
  }

  /** Throws ERR_DEVICE_CLOSED once {@link close} ran. */
  protected checkOpen(): void {
    if (this.isClosed) throw this.closedError();
  }

  private closedError(): TsnicError {
    return new TsnicError('ERR_DEVICE_CLOSED', `${this.address}: the device is closed; open it again`);
  }

  private queueError(kind: 'rx' | 'tx', queue: number): TsnicError {
    if (this.isClosed) return this.closedError();
    const count = kind === 'rx' ? this.rxQueueCount : this.txQueueCount;
    return new TsnicError(
      'ERR_QUEUE_ID',
      `${this.address}: ${kind} queue ${String(queue)} does not exist: this device was opened with ${count} ${kind} ` +
        `queue(s), 0 to ${count - 1}; open it with ${kind}Queues: ${String(queue)} + 1 to use it`,
    );
  }
}
