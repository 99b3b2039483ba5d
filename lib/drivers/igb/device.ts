/**
 * An Intel 82576 port as a {@link NetDevice}: busy-polled rx and tx queues over the shared advanced
 * descriptor rings, no interrupts. {@link IgbDevice.open} follows the datasheet's section 4.5 order
 * (see init.ts).
 */
import type { PciFunction } from '../../bus/types';
import { emptyStats, type DeviceOptions, type DeviceStats, type LinkStatus } from '../../device';
import { TsnicError } from '../../errors';
import { abandonQueues, allocateQueues } from '../common/queue-memory';
import { QueuedDevice } from '../common/queued-device';
import { RxWaiters, rxInterruptSettings } from '../common/rx-interrupts';
import { queueSettings, type QueueLimits } from '../common/settings';
import { formatMac, invalidMacError, isUnicastMac } from '../ixgbe/init';
import { get, set } from '../ixgbe/regs';
import { CHECKSUM_WORD, EEPROM_SUM, eepromSum, readChecksummedWords } from './eeprom';
import { lookupIgb } from './ids';
import { IGB_EITR_MAX_US, IgbInterrupts } from './interrupts';
import {
  enableRxQueue, enableTxQueue, initLink, initRx, initTx, linkFromStatus, readMacBytes, resetDevice, setPromiscuousMode,
  startRx, stopDevice, waitEepromAutoRead,
} from './init';
import { igbRxQueue, igbTxQueue } from './queues';
import { MAX_QUEUES, REG, rdt } from './registers';
import { accumulateStats, STATS_INTERVAL_MS } from './stats';

/**
 * The 82576's limits: 16 queues per direction; RDLEN/TDLEN multiples of 128 bytes (8 descriptors),
 * but a ring needs two tx clean chunks (64); at most 4096 descriptors (Linux igb's IGB_MAX_RXD);
 * receive buffers of 2 to 16 KiB in 1 KiB units (SRRCTL.BSIZEPACKET).
 */
export const IGB_LIMITS: QueueLimits = {
  chip: '82576', maxQueues: MAX_QUEUES, minRingSize: 64, maxRingSize: 4096, minBufferSize: 2048, maxBufferSize: 16384,
};

/** An open 82576 port. */
export class IgbDevice extends QueuedDevice {
  readonly driver = 'igb';
  protected readonly linkHint = 'check the cable and the peer port (in QEMU: the netdev)';

  /** Probes and initialises `pci` (82576 datasheet 4.5.4 to 4.5.10). */
  static async open(pci: PciFunction, options: DeviceOptions): Promise<IgbDevice> {
    const address = pci.address;
    if (lookupIgb(pci.vendorId, pci.deviceId) === undefined) {
      throw new TsnicError(
        'ERR_UNSUPPORTED_DEVICE',
        `${address}: PCI id ${hex4(pci.vendorId)}:${hex4(pci.deviceId)} is not an Intel 82576; the igb driver drives 82576 NICs only`,
      );
    }
    const s = queueSettings(options, IGB_LIMITS);
    const irq = rxInterruptSettings(options, s.rxQueues, IGB_EITR_MAX_US);
    const bar0 = pci.bar0;
    pci.enableBusMastering();

    // 4.5.4-4.5.5: interrupts off, master requests drained, global reset, interrupts off again.
    resetDevice(bar0, address);
    // 4.5.5: the EEPROM auto-read; then the checksum over words 0x00..0x3F (6.1).
    waitEepromAutoRead(bar0, address);
    const words = readChecksummedWords(bar0, address);
    const sum = eepromSum(words);
    if (sum !== EEPROM_SUM && !s.ignoreEepromChecksum) {
      throw new TsnicError(
        'ERR_EEPROM_CHECKSUM',
        `${address}: EEPROM checksum mismatch: words 0x00..0x${CHECKSUM_WORD.toString(16)} add up to 0x${hex4(sum)}, not ` +
          `0x${hex4(EEPROM_SUM)}: the EEPROM is damaged or was reprogrammed; fix it with the vendor tool, or open with ` +
          'ignoreEepromChecksum: true at your own risk',
      );
    }
    // The station address the EEPROM loaded into RAL/RAH(0) (it is the EEPROM's words 0..2 too).
    const mac = readMacBytes(bar0);
    if (!isUnicastMac(mac)) throw invalidMacError(address, mac);
    // 4.5.7: copper link set-up; auto-negotiation runs while the rest is configured.
    initLink(bar0, address);
    // 4.5.8: the statistics are clear on read: one read starts them from zero.
    accumulateStats(bar0, emptyStats());

    const memory = allocateQueues(
      pci, s,
      (q, ring, size, rxPool) => igbRxQueue(bar0, q, ring, size, rxPool),
      (q, ring, size) => igbTxQueue(bar0, q, ring, size, address),
    );
    const { rings, pool, rx, tx, rxPlaces, txPlaces } = memory;
    try {
      // 4.5.9: receive set-up; each queue enabled, then given every descriptor (RDT one behind RDH,
      // which is 0: equal values would mean "no descriptor free"); receive on last.
      initRx(bar0, address, rxPlaces, s.bufferSize);
      for (let q = 0; q < s.rxQueues; q++) {
        enableRxQueue(bar0, address, q);
        rx[q].fill();
        set(bar0, rdt(q), s.rxRingSize - 1);
      }
      startRx(bar0, s.promiscuous);
      // 4.5.10: transmit set-up, then each queue enabled.
      initTx(bar0, address, txPlaces);
      for (let q = 0; q < s.txQueues; q++) enableTxQueue(bar0, address, q);
      const device = new IgbDevice(pci, formatMac(mac), rings, pool, rx, tx, STATS_INTERVAL_MS);
      if (s.waitForLink) await device.waitForLink(s.linkTimeoutMs);
      // 7.3: MSI-X interrupts for the queues that do not poll (none at all when every queue polls).
      device.startRxInterrupts(new RxWaiters(pci, new IgbInterrupts(bar0, rx), irq, address));
      return device;
    } catch (err) {
      // Nothing left half-configured: stop and reset before freeing the memory the NIC could use.
      abandonQueues(pci, memory, () => stopDevice(bar0, address, s.rxQueues, s.txQueues), err);
    }
  }

  protected accumulateCounters(into: DeviceStats): void {
    accumulateStats(this.pci.bar0, into);
  }

  protected readLink(): LinkStatus {
    return linkFromStatus(get(this.pci.bar0, REG.STATUS));
  }

  protected applyPromiscuous(on: boolean): void {
    setPromiscuousMode(this.pci.bar0, on);
  }

  protected stopHardware(rxQueues: number, txQueues: number): void {
    stopDevice(this.pci.bar0, this.address, rxQueues, txQueues);
  }
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}
