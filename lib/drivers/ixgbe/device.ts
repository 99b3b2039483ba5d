/**
 * An Intel 82599 port as a {@link NetDevice}: rx and tx queues over the shared advanced descriptor
 * rings, rx queues busy-polled or woken by MSI-X interrupts (interrupts.ts). {@link IxgbeDevice.open} follows the datasheet's section 4.6 order
 * (see init.ts); the queue bookkeeping, statistics totals and close order are common/queued-device.ts.
 */
import type { DmaRegion, PciFunction } from '../../bus/types';
import { emptyStats, type DeviceOptions, type DeviceStats, type HardwareClock, type LinkStatus } from '../../device';
import type { Mempool } from '../../memory/mempool';
import { TsnicError } from '../../errors';
import { abandonQueues, allocateQueues } from '../common/queue-memory';
import { QueuedDevice } from '../common/queued-device';
import { RxWaiters, rxInterruptSettings } from '../common/rx-interrupts';
import { readChecksum } from './eeprom';
import { lookupDevice, unsupportedMessage } from './ids';
import {
  QUEUE_TIMEOUT_MS, enableRxQueue, enableTxQueue, formatMac, initLink, initRx, initTx, invalidMacError, isUnicastMac,
  linkFromLinks, readMacBytes, resetDevice, setPromiscuousMode, stopDevice, waitDmaInit, waitEepromAutoRead,
  writeMacBytes,
} from './init';
import { REG, rdt } from './registers';
import { EITR_MAX_US, IxgbeInterrupts } from './interrupts';
import { get, set } from './regs';
import { RxQueue } from './rx-queue';
import { ixgbeSettings } from './settings';
import { accumulateStats, STATS_INTERVAL_MS } from './stats';
import { IxgbeClock } from './timesync';
import { TxQueue } from './tx-queue';

function parseMac(mac: string): Uint8Array {
  const m = /^([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2})$/i.exec(mac);
  if (m === null) throw new TsnicError('ERR_INVALID_ARG', `MAC address must look like 02:00:00:00:00:01, got ${mac}`);
  return Uint8Array.from(m.slice(1), (h) => parseInt(h, 16));
}

/** An open 82599 port. */
export class IxgbeDevice extends QueuedDevice {
  readonly driver = 'ixgbe';
  protected readonly linkHint = 'check the cable, the SFP+ module and the peer port';
  /** The port's IEEE 1588 clock (timesync.ts); off until its enable(). */
  readonly timesync: HardwareClock;

  private constructor(pci: PciFunction, mac: string, rings: DmaRegion, pool: Mempool, rx: RxQueue[], tx: TxQueue[]) {
    super(pci, mac, rings, pool, rx, tx, STATS_INTERVAL_MS);
    this.timesync = new IxgbeClock(pci.bar0, tx, () => this.checkOpen());
  }

  /** Probes and initialises `pci` (82599 datasheet 4.6.3 to 4.6.8). */
  static async open(pci: PciFunction, options: DeviceOptions): Promise<IxgbeDevice> {
    const address = pci.address;
    const id = lookupDevice(pci.vendorId, pci.deviceId);
    if (id === undefined) throw new TsnicError('ERR_UNSUPPORTED_DEVICE', unsupportedMessage(address, pci.vendorId, pci.deviceId));
    const s = ixgbeSettings(options);
    const irq = rxInterruptSettings(options, s.rxQueues, EITR_MAX_US);
    const bar0 = pci.bar0;
    pci.enableBusMastering();

    // 4.6.3.1-2: interrupts off, PCIe master off, global reset, interrupts off again.
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

    const txQueues: TxQueue[] = [];
    const memory = allocateQueues(
      pci, s,
      (q, ring, size, pool) => new RxQueue(bar0, q, ring, size, pool),
      (q, ring, size) => {
        const queue = new TxQueue(bar0, q, ring, size, address);
        txQueues.push(queue);
        return queue;
      },
    );
    const { rings, pool, rx, rxPlaces, txPlaces } = memory;
    try {
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
      const device = new IxgbeDevice(pci, formatMac(mac), rings, pool, rx, txQueues);
      if (s.waitForLink) await device.waitForLink(s.linkTimeoutMs);
      // 7.3: interrupts for the queues that do not poll (none at all when every queue polls).
      device.startRxInterrupts(new RxWaiters(pci, new IxgbeInterrupts(bar0, rx), irq, address));
      return device;
    } catch (err) {
      // Nothing left half-configured: stop and reset before freeing the memory the NIC could use.
      abandonQueues(pci, memory, () => stopDevice(bar0, address, s.rxQueues, s.txQueues), err);
    }
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

  protected accumulateCounters(into: DeviceStats): void {
    accumulateStats(this.pci.bar0, into, this.rxQueueCount);
  }

  protected readLink(): LinkStatus {
    return linkFromLinks(get(this.pci.bar0, REG.LINKS));
  }

  protected applyPromiscuous(on: boolean): void {
    setPromiscuousMode(this.pci.bar0, this.address, on);
  }

  /** Stops rx and tx, disables the queues, resets; a NIC that fails to reset keeps its memory mapped. */
  protected stopHardware(rxQueues: number, txQueues: number): void {
    const stuck = stopDevice(this.pci.bar0, this.address, rxQueues, txQueues);
    if (stuck.length > 0) {
      process.emitWarning(
        `${this.address}: ${stuck.join(', ')} did not confirm the queue disable within ${QUEUE_TIMEOUT_MS} ms; ` +
          'the global reset that followed stopped them',
        { code: 'TSNIC_QUEUE_DISABLE_TIMEOUT' },
      );
    }
  }
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}
