/**
 * The production addon, tsnic.node (lib/bus/addon.ts loads it): host DMA memory, VFIO and capture
 * filter compilation, typed by the interfaces of each part. The simulator lives in the other addon, tsnic_sim.node (lib/bus/sim-binding.ts).
 */
import { loadAddon } from './addon';
import type { VfioBinding } from './vfio-binding';
import type { PcapBinding } from '../pcap/filter-binding';

/** Host DMA memory from native/memory (hugepages or locked ordinary pages, IOVA not yet assigned). */
export interface HostMemory {
  /** The mapping. */
  bytes: ArrayBuffer;
  /** Its virtual address in this process. */
  address: number;
  /** Mapped size in bytes (rounded up to the page size). */
  size: number;
  /** True when backed by 2 MiB hugepages. */
  huge: boolean;
}

/** native/binding/memory.cc */
export interface MemoryBinding {
  /**
   * Maps `size` bytes of zeroed memory; with `huge`, from the 2 MiB hugepage pool only. `bytes` is
   * marked as host DMA memory: vfioMapDma and the simulator's simRegisterDma accept only such buffers.
   */
  allocHostMemory(size: number, huge: boolean): HostMemory;
  /** Detaches and unmaps memory from allocHostMemory. Idempotent. */
  freeHostMemory(bytes: ArrayBuffer): void;
}

/** Everything the production addon exports. */
export type NativeBinding = MemoryBinding & VfioBinding & PcapBinding;

/** The loaded production addon (TSNIC_ADDON=<path to a .node file> loads that build instead). */
export const native = loadAddon('tsnic') as NativeBinding;
