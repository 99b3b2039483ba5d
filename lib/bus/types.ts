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

/** One PCI function as a driver sees it. */
export interface PciFunction {
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
