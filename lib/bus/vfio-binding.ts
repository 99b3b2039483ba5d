/**
 * native/binding/vfio.cc: the VFIO part of the addon. Used only by lib/bus/vfio.ts, which checks sysfs
 * and arguments first and gives it a typed, documented face ({@link VfioFunction}).
 */

/** What `vfioOpen` returns. */
export interface VfioOpened {
  /** Handle of the device for every other call. */
  handle: number;
  /** BAR0 mapped into the process; detached when the device closes. */
  bar0: ArrayBuffer;
  /** Size of the PCI config space region in bytes (256, or 4096 for PCI Express). */
  configSize: number;
}

/** The addon's VFIO functions. Errors carry `code` (ERR_*), and `errno`/`syscall` when a system call failed. */
export interface VfioBinding {
  /**
   * Opens PCI function `address` (`0000:03:00.0`) of IOMMU group `iommuGroup`: the process's one
   * container (first call), the group (unless another of its devices is open), viability check,
   * container attach, Type1 IOMMU (first group), device fd, BAR0 mapping.
   */
  vfioOpen(address: string, iommuGroup: number): VfioOpened;
  /** Reads `width` bytes of config space at `offset` (aligned to `width`), little-endian. */
  vfioReadConfig(handle: number, offset: number, width: 1 | 2 | 4): number;
  /** Writes `width` bytes of config space at `offset` (aligned to `width`), little-endian. */
  vfioWriteConfig(handle: number, offset: number, width: 1 | 2 | 4, value: number): void;
  /**
   * Maps a live buffer from allocHostMemory for device DMA (read and write) in the shared container
   * and returns its IOVA, allocated inside the IOMMU's valid ranges. Needs an open device.
   */
  vfioMapDma(bytes: ArrayBuffer): number;
  /** Removes the mapping of a buffer from {@link vfioMapDma}; nothing to do when it has none. */
  vfioUnmapDma(bytes: ArrayBuffer): void;
  /**
   * What the device offers at VFIO IRQ index `index` (0 INTx, 1 MSI, 2 MSI-X): `count` 0 when nothing
   * (a plain PCI device has no MSI-X index).
   */
  vfioIrqInfo(handle: number, index: 0 | 1 | 2): { count: number; eventfd: boolean; maskable: boolean; automasked: boolean };
  /**
   * One eventfd per vector 0..count-1 of `index`, given to VFIO_DEVICE_SET_IRQS (trigger) and watched
   * on Node's loop: `onVector(v)` runs when vector v fired. Replaces what was set. ERR_INTERRUPTS.
   */
  vfioEnableIrqs(handle: number, index: 0 | 1 | 2, count: number, onVector: (vector: number) => void): void;
  /** INTx: VFIO_IRQ_SET_ACTION_UNMASK after the line fired (VFIO masks it automatically). */
  vfioUnmaskIntx(handle: number): void;
  /** Whether the eventfd watchers keep the event loop alive. */
  vfioIrqRef(handle: number, on: boolean): void;
  /** Vectors off (SET_IRQS, DATA_NONE, count 0), watchers stopped, eventfds closed. Idempotent. */
  vfioDisableIrqs(handle: number): void;
  /** Detaches and unmaps BAR0 (interrupts disabled first), closes the device, then its group and the container when unused. Idempotent. */
  vfioClose(handle: number): void;
}
