/**
 * The VFIO backend: a real PCI function driven from userspace through Linux VFIO. {@link openVfio}
 * checks sysfs first (device present, in an IOMMU group, bound to vfio-pci) so that every setup
 * mistake fails with its own code and a fix before /dev/vfio is touched; then the addon opens the
 * device in the process's one shared container (so one DMA region can serve several NICs), maps BAR0
 * and gives config space access. DMA memory comes from {@link allocHostDma} (the hugepage policy) and
 * is mapped into the IOMMU at an IOVA the addon allocates inside the IOMMU's valid ranges.
 */
import { checkInteger, TsnicError, type TsnicErrorCode } from '../errors';
import { allocHostDma } from './dma';
import { native, type MemoryBinding } from './native';
import { parsePciAddress } from './pci-address';
import { checkInterruptArgs, INTERRUPT_KINDS } from './interrupts';
import { checkVfioReady, groupNotViableError } from './sysfs';
import type { DmaOptions, DmaRegion, InterruptKind, InterruptOffer, PciFunction } from './types';
import type { VfioBinding } from './vfio-binding';

/** The native functions the VFIO backend uses; tests pass a stand-in. */
export type VfioNative = VfioBinding & MemoryBinding;

/** Options of {@link openVfio}. */
export interface VfioOptions {
  /** Where sysfs is mounted. Default `/sys`. */
  sysfsRoot?: string;
  /** The native functions. Default: the addon. */
  binding?: VfioNative;
}

/** PCI command register (config offset 0x04) bit 2: Bus Master Enable (PCI Local Bus spec 6.2.2). */
const COMMAND = 0x04;
const BUS_MASTER = 0x0004;

/** VFIO's PCI IRQ indexes (linux/vfio.h: VFIO_PCI_INTX_IRQ_INDEX, _MSI_, _MSIX_). */
const IRQ_INDEX: Readonly<Record<InterruptKind, 0 | 1 | 2>> = { intx: 0, msi: 1, msix: 2 };

/** Turns an addon error (an Error with `code`, `errno`, `syscall`) into a {@link TsnicError}. */
function fromNative(err: unknown): unknown {
  if (err instanceof TsnicError || !(err instanceof Error)) return err;
  const e = err as Error & { code?: string; errno?: number; syscall?: string };
  if (typeof e.code !== 'string' || !e.code.startsWith('ERR_')) return err;
  return new TsnicError(e.code as TsnicErrorCode, e.message, { errno: e.errno, syscall: e.syscall, cause: err });
}

/** One PCI function opened through VFIO. Create it with {@link openVfio}. */
export class VfioFunction implements PciFunction {
  readonly address: string;
  readonly backend = 'vfio' as const;
  readonly vendorId: number;
  readonly deviceId: number;
  readonly bar0: Uint32Array;
  /** The function's IOMMU group. */
  readonly iommuGroup: number;
  private readonly binding: VfioNative;
  private readonly handle: number;
  private readonly configSize: number;
  private readonly regions = new Set<DmaRegion>();
  private isClosed = false;
  private irqOn = false;

  /** @internal Use {@link openVfio}. */
  constructor(address: string, iommuGroup: number, binding: VfioNative) {
    const opened = binding.vfioOpen(address, iommuGroup);
    this.address = address;
    this.iommuGroup = iommuGroup;
    this.binding = binding;
    this.handle = opened.handle;
    this.configSize = opened.configSize;
    this.bar0 = new Uint32Array(opened.bar0);
    try {
      this.vendorId = this.readConfig16(0x00);
      this.deviceId = this.readConfig16(0x02);
    } catch (err) {
      binding.vfioClose(opened.handle);
      throw err;
    }
  }

  /** True once {@link close} ran. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Reads a 16-bit config space word at an even `offset`. */
  readConfig16(offset: number): number {
    this.checkConfig(offset, 2);
    return this.call(() => this.binding.vfioReadConfig(this.handle, offset, 2));
  }

  /** Reads a 32-bit config space dword at a multiple of 4. */
  readConfig32(offset: number): number {
    this.checkConfig(offset, 4);
    return this.call(() => this.binding.vfioReadConfig(this.handle, offset, 4));
  }

  /** Writes a 16-bit config space word at an even `offset`. */
  writeConfig16(offset: number, value: number): void {
    this.checkConfig(offset, 2);
    checkInteger('config value', value, 0, 0xffff);
    this.call(() => this.binding.vfioWriteConfig(this.handle, offset, 2, value));
  }

  /** Sets Bus Master Enable so the function may DMA. */
  enableBusMastering(): void {
    this.writeConfig16(COMMAND, this.readConfig16(COMMAND) | BUS_MASTER);
  }

  /**
   * Allocates zeroed DMA memory (hugepage policy from `options`, `'prefer'` by default), mapped for
   * device reads and writes in the shared container. Its IOVA is valid for every function this
   * process has open through VFIO.
   */
  allocDma(size: number, options: DmaOptions = {}): DmaRegion {
    this.checkOpen();
    const mem = allocHostDma(size, options.hugepages ?? 'prefer', this.binding.allocHostMemory);
    let iova: number;
    try {
      iova = this.call(() => this.binding.vfioMapDma(mem.bytes));
    } catch (err) {
      this.binding.freeHostMemory(mem.bytes);
      throw err;
    }
    const region: DmaRegion = { bytes: mem.bytes, iova, size: mem.size, hugepages: mem.huge };
    this.regions.add(region);
    return region;
  }

  /** Unmaps `region` from the IOMMU, then frees it. The device must no longer DMA into it. Idempotent. */
  freeDma(region: DmaRegion): void {
    if (!this.regions.delete(region)) return;
    this.call(() => this.binding.vfioUnmapDma(region.bytes));
    this.binding.freeHostMemory(region.bytes);
  }

  /** True between {@link enableInterrupts} and {@link disableInterrupts}. */
  get interruptsEnabled(): boolean {
    return this.irqOn;
  }

  /** MSI-X, MSI and INTx as VFIO_DEVICE_GET_IRQ_INFO reports them (eventfd-capable ones), best first. */
  interruptOffers(): InterruptOffer[] {
    this.checkOpen();
    const offers: InterruptOffer[] = [];
    for (const kind of INTERRUPT_KINDS) {
      const info = this.call(() => this.binding.vfioIrqInfo(this.handle, IRQ_INDEX[kind]));
      if (info.count > 0 && info.eventfd) offers.push({ kind, vectors: info.count });
    }
    return offers;
  }

  /** Vectors 0..vectors-1 of `kind` to eventfds on the event loop (VFIO_DEVICE_SET_IRQS). */
  enableInterrupts(kind: InterruptKind, vectors: number, onVector: (vector: number) => void): void {
    const k = checkInterruptArgs(kind, onVector);
    checkInteger('interrupt vectors', vectors, 1, k === 'intx' ? 1 : 2048);
    this.checkOpen();
    this.call(() => this.binding.vfioEnableIrqs(this.handle, IRQ_INDEX[k], vectors, onVector));
    this.irqOn = true;
  }

  /** INTx: unmasks the line VFIO masked when it fired. */
  unmaskIntx(): void {
    this.checkOpen();
    this.call(() => this.binding.vfioUnmaskIntx(this.handle));
  }

  /** Keeps the process alive through the eventfd watchers while `on`. */
  holdEventLoop(on: boolean): void {
    if (this.isClosed || !this.irqOn) return;
    this.binding.vfioIrqRef(this.handle, on);
  }

  /** Vectors off in the kernel, watchers stopped, eventfds closed. Idempotent. */
  disableInterrupts(): void {
    if (!this.irqOn) return;
    this.irqOn = false;
    this.call(() => this.binding.vfioDisableIrqs(this.handle));
  }

  /**
   * Turns interrupts and bus mastering off (no more DMA), unmaps and frees every DMA region still held, then closes
   * the function (BAR0 detached; group and container closed with their last user). Idempotent.
   * Stop the device with its driver first.
   */
  close(): void {
    if (this.isClosed) return;
    this.disableInterrupts();
    this.isClosed = true;
    try {
      const command = this.call(() => this.binding.vfioReadConfig(this.handle, COMMAND, 2));
      this.call(() => this.binding.vfioWriteConfig(this.handle, COMMAND, 2, command & ~BUS_MASTER));
    } finally {
      try {
        for (const region of [...this.regions]) this.freeDma(region);
      } finally {
        this.binding.vfioClose(this.handle);
      }
    }
  }

  private checkOpen(): void {
    if (this.isClosed) throw new TsnicError('ERR_DEVICE_CLOSED', `${this.address} was closed: open it again`);
  }

  private checkConfig(offset: number, width: number): void {
    checkInteger('config offset', offset, 0, this.configSize - width);
    if (offset % width !== 0) {
      throw new TsnicError('ERR_INVALID_ARG', `config offset ${offset} must be a multiple of ${width} for a ${width * 8}-bit access`);
    }
    this.checkOpen();
  }

  private call<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw fromNative(err);
    }
  }
}

/**
 * Opens the PCI function at `address` (`0000:03:00.0` or `03:00.0`) through VFIO. Throws, before
 * touching the system when the address is malformed: ERR_PCI_ADDRESS, ERR_NO_DEVICE,
 * ERR_NO_IOMMU_GROUP, ERR_BOUND_TO_KERNEL_DRIVER, ERR_NOT_BOUND_TO_VFIO, ERR_VFIO_UNAVAILABLE,
 * ERR_PERMISSION, ERR_GROUP_NOT_VIABLE, ERR_DEVICE_BUSY. Close it with {@link VfioFunction.close}.
 *
 * @example
 * const pci = openVfio('0000:03:00.0');
 * pci.enableBusMastering();
 * const ring = pci.allocDma(4096, { hugepages: 'never' });
 */
export function openVfio(address: string, options: VfioOptions = {}): VfioFunction {
  const full = parsePciAddress(address);
  const root = options.sysfsRoot ?? '/sys';
  const group = checkVfioReady(full, root);
  try {
    return new VfioFunction(full, group, options.binding ?? native);
  } catch (err) {
    const e = fromNative(err);
    if ((e as { code?: unknown }).code === 'ERR_GROUP_NOT_VIABLE') throw groupNotViableError(full, group, root, err);
    throw e;
  }
}
