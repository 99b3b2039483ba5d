/**
 * The device-backend interface: what a driver may touch of a PCI function. Two backends implement it,
 * `vfio` (a real device through Linux VFIO) and `sim` (the simulated 82599 in a native thread); a driver
 * written against {@link PciFunction} cannot tell them apart.
 */

/** Which backend serves a {@link PciFunction}. */
export type BackendKind = 'vfio' | 'sim';

/** Memory a device can read and write by DMA. */
export interface DmaRegion {
  /** The whole region, mapped into this process. Detached (length 0) once freed. */
  readonly bytes: ArrayBuffer;
  /** The bus address the device uses for byte 0 of `bytes` (an IOVA inside the IOMMU's valid ranges). */
  readonly iova: number;
  /** Size in bytes (rounded up to the page size). */
  readonly size: number;
  /** True when backed by 2 MiB hugepages. */
  readonly hugepages: boolean;
}

/** How DMA memory may be backed. */
export type HugepagePolicy =
  /** Hugepages when available, ordinary locked pages otherwise (with a warning). The default. */
  | 'prefer'
  /** Hugepages only: fail with ERR_HUGEPAGES_EXHAUSTED when none are free. */
  | 'require'
  /** Ordinary pages only. */
  | 'never';

/** Options for {@link PciFunction.allocDma}. */
export interface DmaOptions {
  /** Hugepage policy, `'prefer'` by default. */
  hugepages?: HugepagePolicy;
}

/** How a function can interrupt: MSI-X vectors, MSI vectors, or the INTx line (VFIO's IRQ indexes). */
export type InterruptKind = 'msix' | 'msi' | 'intx';

/** One interrupt kind a function offers and how many vectors it has (VFIO_DEVICE_GET_IRQ_INFO). */
export interface InterruptOffer {
  /** The kind. */
  readonly kind: InterruptKind;
  /** Vectors of that kind (1 for INTx). */
  readonly vectors: number;
}

/**
 * The host side of a function's interrupts: each vector fires an eventfd that Node's own event loop
 * watches, and `onVector(vector)` runs on the loop. Thin: what a vector means, and when its cause is
 * armed in the device's registers, is the driver's business.
 */
export interface InterruptHost {
  /** The interrupt kinds the function offers, best first (MSI-X, MSI, INTx); empty when none. */
  interruptOffers(): InterruptOffer[];
  /**
   * Routes vectors 0..vectors-1 of `kind` to eventfds watched on the event loop (replacing what was
   * set). The loop is not kept alive by them until {@link holdEventLoop}(true). ERR_INTERRUPTS when the
   * kernel (or the simulated card) refuses.
   */
  enableInterrupts(kind: InterruptKind, vectors: number, onVector: (vector: number) => void): void;
  /** INTx only: VFIO masks the line when it fires; unmask it once its cause is handled. */
  unmaskIntx(): void;
  /** While true the watched eventfds keep the process alive (someone waits for an interrupt). */
  holdEventLoop(on: boolean): void;
  /** Turns every vector off, stops watching and closes the eventfds. Idempotent; close() does it too. */
  disableInterrupts(): void;
  /** True between {@link enableInterrupts} and {@link disableInterrupts}. */
  readonly interruptsEnabled: boolean;
}

/** One PCI function as a driver sees it. */
export interface PciFunction extends InterruptHost {
  /** `0000:03:00.0` for VFIO, `sim:0` for simulated ports. */
  readonly address: string;
  /** The backend serving this function. */
  readonly backend: BackendKind;
  /** PCI vendor id (config offset 0x00). */
  readonly vendorId: number;
  /** PCI device id (config offset 0x02). */
  readonly deviceId: number;
  /** BAR0 (the register file) as 32-bit little-endian registers: `bar0[offset >>> 2]`. */
  readonly bar0: Uint32Array;
  /** Reads a 16-bit PCI config space word. */
  readConfig16(offset: number): number;
  /** Reads a 32-bit PCI config space dword. */
  readConfig32(offset: number): number;
  /** Writes a 16-bit PCI config space word. */
  writeConfig16(offset: number, value: number): void;
  /** Sets the Bus Master Enable bit in the PCI command register (bit 2 at 0x04) so the device may DMA. */
  enableBusMastering(): void;
  /** Allocates DMA memory of at least `size` bytes, mapped for this device. Zero-filled. */
  allocDma(size: number, options?: DmaOptions): DmaRegion;
  /** Unmaps and frees a region from {@link allocDma}. The device must no longer DMA into it. Idempotent. */
  freeDma(region: DmaRegion): void;
  /** Frees every DMA region still held and releases the function. Idempotent. Stop the device first. */
  close(): void;
  /** True once {@link close} ran. */
  readonly closed: boolean;
}
