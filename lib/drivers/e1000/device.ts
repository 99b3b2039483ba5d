/**
 * An 8254x NIC (QEMU's e1000 models and their silicon) as a {@link NetDevice}: one rx and one tx queue,
 * legacy descriptors, rx busy-polled or woken by the receive interrupt (interrupts.ts). The open sequence follows the 8254x SDM, chapter 14
 * ("General Initialization and Reset Operation").
 */
import type { DmaRegion, PciFunction } from '../../bus/types';
import {
  emptyStats, type DeviceOptions, type DeviceStats, type LinkStatus, type NetDevice, type RxMode, type WaitForRxOptions,
} from '../../device';
import { checkBoolean, checkInteger, TsnicError } from '../../errors';
import type { PacketBatch } from '../../memory/batch';
import { Mempool } from '../../memory/mempool';
import { RxWaiters, rxInterruptSettings, type RxInterruptSettings } from '../common/rx-interrupts';
import { DESCRIPTOR_BYTES } from './descriptors';
import { E1000Interrupts, ITR_MAX_US } from './interrupts';
import { eepromChecksumValid, eepromSum, formatMac, isUsableMac, macBytesFromEeprom, readEeprom } from './eeprom';
import {
  CTRL, IMC_ALL, MTA_ENTRIES, RAH_AV, RCTL, REG, STATUS, TCTL, TCTL_COLD_FULL_DUPLEX, TCTL_CT, TIPG_COPPER,
} from './registers';
import { RxQueue } from './rx-queue';
import { accumulateStats } from './stats';
import { TxQueue } from './tx-queue';

/** Ring sizes the driver accepts: powers of two, RDLEN/TDLEN a multiple of 128 bytes (SDM 13.4.27). */
export const MIN_RING_SIZE = 8;
/** Largest ring size accepted. */
export const MAX_RING_SIZE = 4096;
/** Receive buffers are 2048 bytes (RCTL.BSIZE), so pool buffers must be at least that. */
export const RX_BUFFER_BYTES = 2048;

/** Polls of CTRL.RST after a reset request. */
const RESET_POLLS = 100_000;

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
/** Blocks the thread for `ms` (register settle times in synchronous paths such as close). */
function pause(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Validated open options. */
interface Settings {
  rxRingSize: number;
  txRingSize: number;
  mempoolSize: number;
  bufferSize: number;
  promiscuous: boolean;
  waitForLink: boolean;
  linkTimeoutMs: number;
  ignoreEepromChecksum: boolean;
  hugepages: NonNullable<DeviceOptions['hugepages']>;
  irq: RxInterruptSettings;
}

function ringSize(name: string, value: number | undefined): number {
  const size = value ?? 512;
  if (!Number.isInteger(size) || size < MIN_RING_SIZE || size > MAX_RING_SIZE || (size & (size - 1)) !== 0) {
    throw new TsnicError(
      'ERR_RING_SIZE',
      `${name} must be a power of two from ${MIN_RING_SIZE} to ${MAX_RING_SIZE} on the e1000, got ${String(value)}`,
    );
  }
  return size;
}

function settings(options: DeviceOptions): Settings {
  for (const key of ['rxQueues', 'txQueues'] as const) {
    const n = options[key];
    if (n !== undefined && n !== 1) {
      throw new TsnicError('ERR_QUEUE_ID', `${key}: the e1000 has one rx and one tx queue, asked for ${String(n)}; use 1`);
    }
  }
  const rxRingSize = ringSize('rxRingSize', options.rxRingSize);
  const txRingSize = ringSize('txRingSize', options.txRingSize);
  const bufferSize = checkInteger('bufferSize', options.bufferSize ?? RX_BUFFER_BYTES, RX_BUFFER_BYTES, 16384);
  const mempoolSize = checkInteger(
    'mempoolSize', options.mempoolSize ?? Math.max(4 * rxRingSize, 4096), rxRingSize + 1, 1 << 20,
  );
  const hugepages = options.hugepages ?? 'prefer';
  if (hugepages !== 'prefer' && hugepages !== 'require' && hugepages !== 'never') {
    throw new TsnicError('ERR_INVALID_ARG', `hugepages must be prefer, require or never, got ${String(hugepages)}`);
  }
  return {
    rxRingSize,
    txRingSize,
    mempoolSize,
    bufferSize,
    promiscuous: checkBoolean('promiscuous', options.promiscuous, true),
    waitForLink: checkBoolean('waitForLink', options.waitForLink, true),
    linkTimeoutMs: checkInteger('linkTimeoutMs', options.linkTimeoutMs ?? 10_000, 0, 3_600_000),
    ignoreEepromChecksum: checkBoolean('ignoreEepromChecksum', options.ignoreEepromChecksum, false),
    hugepages,
    irq: rxInterruptSettings(options, 1, ITR_MAX_US),
  };
}

/** Resets the MAC (SDM 14.9: CTRL.RST, self-clearing) with interrupts masked before and after. */
export function resetNic(bar0: Uint32Array, address: string): void {
  bar0[REG.IMC >>> 2] = IMC_ALL;
  // Receive and transmit off first: a reset that leaves registers alone (QEMU's model does) must not
  // leave a previous owner's rings running into memory that is no longer mapped.
  bar0[REG.RCTL >>> 2] = 0;
  bar0[REG.TCTL >>> 2] = 0;
  bar0[REG.CTRL >>> 2] = bar0[REG.CTRL >>> 2] | CTRL.RST;
  let polls = 0;
  while ((bar0[REG.CTRL >>> 2] & CTRL.RST) !== 0) {
    if (++polls > RESET_POLLS) {
      throw new TsnicError(
        'ERR_RESET_TIMEOUT',
        `${address}: CTRL.RST did not clear after a reset: the device may be hung; reset it (remove and rescan the PCI device) and retry`,
      );
    }
  }
  // SDM 14.9: wait before touching registers again after a global reset.
  pause(1);
  bar0[REG.IMC >>> 2] = IMC_ALL;
  void bar0[REG.ICR >>> 2]; // Reading ICR clears any cause latched before the mask.
}

/** Link state from STATUS (SDM 13.4.2: LU bit 1, SPEED bits 7:6). */
export function linkFromStatus(status: number): LinkStatus {
  if ((status & STATUS.LU) === 0) return { up: false, speedMbps: 0 };
  const speed = (status >>> STATUS.SPEED_SHIFT) & STATUS.SPEED_MASK;
  return { up: true, speedMbps: speed === 0 ? 10 : speed === 1 ? 100 : 1000 };
}

/** An open e1000. */
export class E1000Device implements NetDevice {
  readonly driver = 'e1000';
  readonly rxQueueCount = 1;
  readonly txQueueCount = 1;
  private isClosed = false;
  private readonly totals = emptyStats();
  /** Interrupt wake-ups of the rx queue (polling until open starts them). */
  private waiters: RxWaiters;

  private constructor(
    readonly pci: PciFunction,
    readonly mac: string,
    private readonly rings: DmaRegion,
    private readonly rx: RxQueue,
    private readonly tx: TxQueue,
  ) {
    this.waiters = new RxWaiters(pci, undefined, { modes: ['poll'], intervalUs: 0 }, pci.address);
  }

  /** Probes and initialises `pci` (SDM 14.3 to 14.5). */
  static async open(pci: PciFunction, options: DeviceOptions): Promise<E1000Device> {
    const s = settings(options);
    const bar0 = pci.bar0;
    const address = pci.address;

    // SDM 14.3 / 14.9: interrupts off, global reset.
    resetNic(bar0, address);

    // SDM 5.6.19: the EEPROM's words 0x00..0x3F must sum to 0xBABA.
    const words = readEeprom(bar0, address);
    if (!eepromChecksumValid(words) && !s.ignoreEepromChecksum) {
      throw new TsnicError(
        'ERR_EEPROM_CHECKSUM',
        `${address}: EEPROM checksum is 0x${eepromSum(words).toString(16)}, expected 0xbaba: the EEPROM is damaged ` +
          'or reprogrammed; fix it with the vendor tool, or open with ignoreEepromChecksum: true at your own risk',
      );
    }
    const macBytes = macBytesFromEeprom(words);
    const mac = formatMac(macBytes);
    if (!isUsableMac(macBytes)) {
      throw new TsnicError('ERR_INVALID_MAC', `${address}: the EEPROM holds MAC ${mac}, which is not a unicast station address: reprogram the EEPROM`);
    }

    // SDM 14.3: link set-up with the internal PHY: auto speed detection, set link up, nothing forced.
    let ctrl = bar0[REG.CTRL >>> 2];
    ctrl = (ctrl | CTRL.SLU | CTRL.ASDE) & ~(CTRL.LRST | CTRL.FRCSPD | CTRL.FRCDPLX | CTRL.PHY_RST);
    bar0[REG.CTRL >>> 2] = ctrl;

    // SDM 14.4: station address in RAL0/RAH0 (valid), multicast table zeroed.
    bar0[REG.RAL0 >>> 2] = (macBytes[0] | (macBytes[1] << 8) | (macBytes[2] << 16) | (macBytes[3] << 24)) >>> 0;
    bar0[REG.RAH0 >>> 2] = (macBytes[4] | (macBytes[5] << 8) | RAH_AV) >>> 0;
    for (let i = 0; i < MTA_ENTRIES; i++) bar0[(REG.MTA >>> 2) + i] = 0;

    pci.enableBusMastering();
    // Both rings in one region: the tx ring starts right after the rx ring (both multiples of 128 bytes).
    const rxBytes = s.rxRingSize * DESCRIPTOR_BYTES;
    const rings = pci.allocDma(rxBytes + s.txRingSize * DESCRIPTOR_BYTES, { hugepages: s.hugepages });
    let pool: Mempool | undefined;
    try {
      pool = Mempool.create(pci, { count: s.mempoolSize, bufferSize: s.bufferSize, hugepages: s.hugepages });
      const rx = new RxQueue(bar0, new Uint32Array(rings.bytes, 0, rxBytes >>> 2), s.rxRingSize, pool);
      const tx = new TxQueue(bar0, new Uint32Array(rings.bytes, rxBytes, (s.txRingSize * DESCRIPTOR_BYTES) >>> 2), s.txRingSize, address);
      rx.fill();
      const device = new E1000Device(pci, mac, rings, rx, tx);
      device.startRx(rings.iova, s);
      device.startTx(rings.iova + rxBytes, s);
      // Counters start from zero for this device: discard what the hardware counted before.
      accumulateStats(bar0, emptyStats());
      if (s.waitForLink) await device.waitForLink(s.linkTimeoutMs);
      // SDM 13.4.17-21: the receive interrupt, unless the queue polls (undone by start() if it fails).
      // The chip asks VFIO which interrupt kinds exist: only when the queue does not poll.
      const chip = s.irq.modes[0] === 'poll' ? undefined : new E1000Interrupts(pci, rx);
      const waiters = new RxWaiters(pci, chip, s.irq, address);
      waiters.start();
      device.waiters = waiters;
      return device;
    } catch (err) {
      // Nothing left half-configured: stop and reset before the memory the NIC could use is freed.
      resetNic(bar0, address);
      pool?.destroy();
      pci.freeDma(rings);
      throw err;
    }
  }

  /** SDM 14.4: receive initialisation. */
  private startRx(ringIova: number, s: Settings): void {
    const bar0 = this.pci.bar0;
    bar0[REG.RCTL >>> 2] = 0;
    bar0[REG.RDBAL >>> 2] = ringIova >>> 0;
    bar0[REG.RDBAH >>> 2] = Math.floor(ringIova / 4294967296);
    bar0[REG.RDLEN >>> 2] = s.rxRingSize * DESCRIPTOR_BYTES;
    bar0[REG.RDH >>> 2] = 0;
    // Every slot is armed, but RDT stays one behind RDH's wrap: RDH == RDT would read as "ring empty".
    bar0[REG.RDT >>> 2] = s.rxRingSize - 1;
    bar0[REG.RDTR >>> 2] = 0; // No receive interrupt delay: nothing waits on interrupts.
    let rctl = RCTL.EN | RCTL.BAM | RCTL.SECRC | RCTL.BSIZE_2048;
    if (s.promiscuous) rctl |= RCTL.UPE | RCTL.MPE;
    bar0[REG.RCTL >>> 2] = rctl;
  }

  /** SDM 14.5: transmit initialisation. */
  private startTx(ringIova: number, s: Settings): void {
    const bar0 = this.pci.bar0;
    bar0[REG.TCTL >>> 2] = 0;
    bar0[REG.TDBAL >>> 2] = ringIova >>> 0;
    bar0[REG.TDBAH >>> 2] = Math.floor(ringIova / 4294967296);
    bar0[REG.TDLEN >>> 2] = s.txRingSize * DESCRIPTOR_BYTES;
    bar0[REG.TDH >>> 2] = 0;
    bar0[REG.TDT >>> 2] = 0;
    bar0[REG.TIDV >>> 2] = 0;
    bar0[REG.TIPG >>> 2] = TIPG_COPPER;
    bar0[REG.TCTL >>> 2] =
      TCTL.EN | TCTL.PSP | (TCTL_CT << TCTL.CT_SHIFT) | (TCTL_COLD_FULL_DUPLEX << TCTL.COLD_SHIFT) | TCTL.RTLC;
  }

  /** The PCI address. */
  get address(): string {
    return this.pci.address;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  rxPool(queue: number): Mempool {
    this.checkQueue(queue);
    return this.rx.pool;
  }

  rxBatch(queue: number, batch: PacketBatch, max?: number): number {
    if (queue !== 0 || this.isClosed) this.checkQueue(queue);
    const limit = max === undefined || max > batch.capacity ? batch.capacity : max;
    return this.rx.receive(batch, limit);
  }

  rxMode(queue: number): RxMode {
    this.checkQueue(queue);
    return this.waiters.mode(0);
  }

  waitForRx(queue: number, options?: WaitForRxOptions): Promise<boolean> {
    try {
      this.checkQueue(queue);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.waiters.wait(0, options);
  }

  txBatch(queue: number, batch: PacketBatch): number {
    if (queue !== 0 || this.isClosed) this.checkQueue(queue);
    return this.tx.transmit(batch);
  }

  readStats(into?: DeviceStats): DeviceStats {
    this.checkOpen();
    accumulateStats(this.pci.bar0, this.totals);
    this.totals.rxErrors = this.rx.errors;
    const out = into ?? emptyStats();
    Object.assign(out, this.totals);
    return out;
  }

  linkStatus(): LinkStatus {
    this.checkOpen();
    return linkFromStatus(this.pci.bar0[REG.STATUS >>> 2]);
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
          `${this.address}: no link after ${timeoutMs} ms: check the cable or the peer (in QEMU: the netdev), or open with waitForLink: false`,
        );
      }
      await delay(10);
    }
  }

  setPromiscuous(on: boolean): void {
    this.checkOpen();
    checkBoolean('setPromiscuous(on)', on);
    const i = REG.RCTL >>> 2;
    const bits = RCTL.UPE | RCTL.MPE;
    this.pci.bar0[i] = on ? this.pci.bar0[i] | bits : this.pci.bar0[i] & ~bits;
  }

  close(): void {
    this.checkOpen();
    this.isClosed = true;
    const bar0 = this.pci.bar0;
    try {
      // Interrupts off (waiters woken, causes masked, host vectors disabled) before the reset.
      this.waiters.stop();
    } catch (err) {
      process.emitWarning(`${this.address}: turning interrupts off failed (${String(err)}); the reset follows`, { code: 'TSNIC_INTERRUPTS_OFF' });
    }
    // SDM 14.9: stop receive and transmit, let in-flight DMA finish, then reset; only then free memory.
    bar0[REG.RCTL >>> 2] = 0;
    bar0[REG.TCTL >>> 2] = 0;
    pause(2);
    resetNic(bar0, this.address);
    this.tx.drop();
    this.rx.pool.destroy();
    this.pci.freeDma(this.rings);
    this.pci.close();
  }

  private checkOpen(): void {
    if (this.isClosed) throw new TsnicError('ERR_DEVICE_CLOSED', `${this.address}: the device is closed; open it again`);
  }

  private checkQueue(queue: number): void {
    this.checkOpen();
    if (queue !== 0) throw new TsnicError('ERR_QUEUE_ID', `queue ${String(queue)} does not exist: the e1000 has queue 0 only`);
  }
}
