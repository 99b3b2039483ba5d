/**
 * An Intel 82599 port as a {@link NetDevice}: busy-polled rx and tx queues over advanced descriptors,
 * no interrupts. {@link IxgbeDevice.open} follows the datasheet's section 4.6 order (see init.ts).
 */
import type { DmaRegion, PciFunction } from '../../bus/types';
import { emptyStats, type DeviceOptions, type DeviceStats, type LinkStatus, type NetDevice } from '../../device';
import { checkBoolean, checkInteger, TsnicError } from '../../errors';
import type { PacketBatch } from '../../memory/batch';
import { Mempool } from '../../memory/mempool';
import { DESCRIPTOR_BYTES } from './descriptors';
import { readChecksum } from './eeprom';
import { lookupDevice, unsupportedMessage } from './ids';
import {
  QUEUE_TIMEOUT_MS, enableRxQueue, enableTxQueue, formatMac, initLink, initRx, initTx, invalidMacError, isUnicastMac, linkFromLinks,
  readMacBytes, resetDevice, setPromiscuousMode, stopDevice, waitDmaInit, waitEepromAutoRead, writeMacBytes,
  type RingPlacement,
} from './init';
import { REG, rdt } from './registers';
import { get, set } from './regs';
import { RxQueue } from './rx-queue';
import { ixgbeSettings } from './settings';
import { accumulateStats, STATS_INTERVAL_MS } from './stats';
import { TxQueue } from './tx-queue';

/** rx/tx calls between two looks at the clock for the periodic counter read. */
const POLLS_PER_CLOCK_CHECK = 4096;

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function parseMac(mac: string): Uint8Array {
  const m = /^([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2})$/i.exec(mac);
  if (m === null) throw new TsnicError('ERR_INVALID_ARG', `MAC address must look like 02:00:00:00:00:01, got ${mac}`);
  return Uint8Array.from(m.slice(1), (h) => parseInt(h, 16));
}

/** An open 82599 port. */
export class IxgbeDevice implements NetDevice {
  readonly driver = 'ixgbe';
  readonly rxQueueCount: number;
  readonly txQueueCount: number;
  private macText: string;
  private isClosed = false;
  /** Rx queues by index; emptied by close() so the hot path's lookup is also the closed check. */
  private rx: RxQueue[];
  /** Tx queues by index; emptied by close(). */
  private tx: TxQueue[];
  private readonly allRx: readonly RxQueue[];
  private readonly allTx: readonly TxQueue[];
  private readonly totals = emptyStats();
  private pollsUntilClockCheck = POLLS_PER_CLOCK_CHECK;
  private lastStatsRead = Date.now();
  /** The queue {@link rxBurstAll} serves first next time. */
  private firstRxQueue = 0;

  private constructor(
    readonly pci: PciFunction,
    mac: Uint8Array,
    private readonly rings: DmaRegion,
    private readonly pool: Mempool,
    rx: RxQueue[],
    tx: TxQueue[],
  ) {
    this.macText = formatMac(mac);
    this.rx = rx;
    this.tx = tx;
    this.allRx = rx.slice();
    this.allTx = tx.slice();
    this.rxQueueCount = rx.length;
    this.txQueueCount = tx.length;
  }

  /** Probes and initialises `pci` (82599 datasheet 4.6.3 to 4.6.8). */
  static async open(pci: PciFunction, options: DeviceOptions): Promise<IxgbeDevice> {
    const address = pci.address;
    const id = lookupDevice(pci.vendorId, pci.deviceId);
    if (id === undefined) throw new TsnicError('ERR_UNSUPPORTED_DEVICE', unsupportedMessage(address, pci.vendorId, pci.deviceId));
    const s = ixgbeSettings(options);
    const bar0 = pci.bar0;
    pci.enableBusMastering();

    // 4.6.3.1-2: interrupts off, global reset, interrupts off again.
    resetDevice(bar0, address);
    // 4.6.3: EEPROM auto-read done; then the checksum (Linux's 82599 rule, see eeprom.ts).
    waitEepromAutoRead(bar0, address);
    const checksum = readChecksum(bar0, address);
    if (checksum.stored !== checksum.computed && !s.ignoreEepromChecksum) {
      throw new TsnicError(
        'ERR_EEPROM_CHECKSUM',
        `${address}: EEPROM checksum mismatch: word 0x3F stores 0x${hex4(checksum.stored)} but the covered words ` +
          `need 0x${hex4(checksum.computed)} (0xBABA - sum): the EEPROM is damaged or was reprogrammed; ` +
          'fix it with the vendor tool, or open with ignoreEepromChecksum: true at your own risk',
      );
    }
    // 4.6.3: DMA initialization done.
    waitDmaInit(bar0, address);
    // The station address the EEPROM loaded into RAL/RAH(0); refuse what Linux's probe refuses.
    const mac = readMacBytes(bar0);
    if (!isUnicastMac(mac)) throw invalidMacError(address, mac);
    // 4.6.4: link set-up (auto-negotiation runs while the rest is configured).
    initLink(bar0, id.link);
    // 4.6.5: the statistics are clear on read: one read starts them from zero.
    accumulateStats(bar0, emptyStats(), s.rxQueues);

    const rxBytes = s.rxRingSize * DESCRIPTOR_BYTES;
    const txBytes = s.txRingSize * DESCRIPTOR_BYTES;
    // Every ring in one region, rx rings first; ring sizes are multiples of 128 bytes, so each ring
    // stays 128-byte aligned (7.1.9).
    const rings = pci.allocDma(s.rxQueues * rxBytes + s.txQueues * txBytes, { hugepages: s.hugepages });
    let pool: Mempool | undefined;
    try {
      // One pool for all rx queues (mempoolSize buffers per queue), so rxBurstAll can fill one batch.
      pool = Mempool.create(pci, { count: s.rxQueues * s.mempoolSize, bufferSize: s.bufferSize, hugepages: s.hugepages });
      const rxPlaces: RingPlacement[] = [];
      const txPlaces: RingPlacement[] = [];
      const rx: RxQueue[] = [];
      const tx: TxQueue[] = [];
      for (let q = 0; q < s.rxQueues; q++) {
        rxPlaces.push({ iova: rings.iova + q * rxBytes, size: s.rxRingSize });
        rx.push(new RxQueue(bar0, q, new Uint32Array(rings.bytes, q * rxBytes, rxBytes >>> 2), s.rxRingSize, pool));
      }
      const txStart = s.rxQueues * rxBytes;
      for (let q = 0; q < s.txQueues; q++) {
        txPlaces.push({ iova: rings.iova + txStart + q * txBytes, size: s.txRingSize });
        tx.push(new TxQueue(bar0, q, new Uint32Array(rings.bytes, txStart + q * txBytes, txBytes >>> 2), s.txRingSize, address));
      }
      // 4.6.7 and 4.6.8.
      initRx(bar0, address, rxPlaces, s.bufferSize, s.promiscuous);
      initTx(bar0, txPlaces);
      // 4.6.7.1: each rx queue: enable, wait, give it every descriptor. RDT is one behind RDH (0):
      // equal values would mean "no descriptor free".
      for (let q = 0; q < s.rxQueues; q++) {
        enableRxQueue(bar0, address, q);
        rx[q].fill();
        set(bar0, rdt(q), s.rxRingSize - 1);
      }
      // 4.6.8.1: each tx queue: enable, wait.
      for (let q = 0; q < s.txQueues; q++) enableTxQueue(bar0, address, q);
      const device = new IxgbeDevice(pci, mac, rings, pool, rx, tx);
      if (s.waitForLink) await device.waitForLink(s.linkTimeoutMs);
      return device;
    } catch (err) {
      // Nothing left half-configured: stop and reset before freeing the memory the NIC could use.
      try {
        stopDevice(bar0, address, s.rxQueues, s.txQueues);
      } catch {
        // The original error says what went wrong; a NIC that cannot even reset keeps its memory.
        throw err;
      }
      pool?.destroy();
      pci.freeDma(rings);
      throw err;
    }
  }

  /** The PCI address. */
  get address(): string {
    return this.pci.address;
  }

  /** Station MAC address. */
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
    const ids = batch.ids;
    const lengths = batch.lengths;
    batch.pool = this.pool;
    let got = 0;
    let q = this.firstRxQueue;
    for (let k = 0; k < n && got < limit; k++) {
      const want = limit - got < share ? limit - got : share;
      got += queues[q].receive(ids, lengths, got, want);
      q = q + 1 === n ? 0 : q + 1;
    }
    this.firstRxQueue = this.firstRxQueue + 1 === n ? 0 : this.firstRxQueue + 1;
    batch.count = got;
    if (--this.pollsUntilClockCheck === 0) this.housekeeping();
    return got;
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
    return linkFromLinks(get(this.pci.bar0, REG.LINKS));
  }

  async waitForLink(timeoutMs: number): Promise<LinkStatus> {
    checkInteger('waitForLink timeoutMs', timeoutMs, 0, 3_600_000);
    const end = Date.now() + timeoutMs;
    for (;;) {
      const link = this.linkStatus();
      if (link.up) return link;
      if (Date.now() >= end) {
        throw new TsnicError(
          'ERR_LINK_TIMEOUT',
          `${this.address}: no link after ${timeoutMs} ms: check the cable, the SFP+ module and the peer port, ` +
            'or open with waitForLink: false',
        );
      }
      await delay(5);
    }
  }

  setPromiscuous(on: boolean): void {
    this.checkOpen();
    checkBoolean('setPromiscuous(on)', on);
    setPromiscuousMode(this.pci.bar0, this.address, on);
  }

  /** Replaces the station address (RAL/RAH(0)); refuses zero and multicast addresses. */
  setMac(mac: string): void {
    this.checkOpen();
    const bytes = parseMac(mac);
    if (!isUnicastMac(bytes)) {
      throw new TsnicError('ERR_INVALID_MAC', `${mac} is not a unicast station address (all zeros or multicast): use a unicast address`);
    }
    writeMacBytes(this.pci.bar0, bytes);
    this.macText = formatMac(bytes);
  }

  close(): void {
    this.checkOpen();
    this.isClosed = true;
    this.rx = [];
    this.tx = [];
    // Stop rx and tx, disable the queues, reset; a NIC that fails to reset keeps its memory mapped.
    const stuck = stopDevice(this.pci.bar0, this.address, this.allRx.length, this.allTx.length);
    if (stuck.length > 0) {
      process.emitWarning(
        `${this.address}: ${stuck.join(', ')} did not confirm the queue disable within ${QUEUE_TIMEOUT_MS} ms; ` +
          'the global reset that followed stopped them',
        { code: 'TSNIC_QUEUE_DISABLE_TIMEOUT' },
      );
    }
    for (const q of this.allTx) q.drop();
    this.pool.destroy();
    this.pci.freeDma(this.rings);
    this.pci.close();
  }

  private collectStats(): void {
    accumulateStats(this.pci.bar0, this.totals, this.allRx.length);
    let errors = 0;
    for (const q of this.allRx) errors += q.errors;
    this.totals.rxErrors = errors;
    this.lastStatsRead = Date.now();
  }

  /** Reads the counters often enough that none can wrap (stats.ts), checking the clock rarely. */
  private housekeeping(): void {
    this.pollsUntilClockCheck = POLLS_PER_CLOCK_CHECK;
    if (Date.now() - this.lastStatsRead >= STATS_INTERVAL_MS) this.collectStats();
  }

  private checkOpen(): void {
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

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}
