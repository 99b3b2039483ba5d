/**
 * The one place that loads the native addon (node-gyp-build: a prebuilt binary from prebuilds/ or the
 * local build/). Everything native is reached through {@link native}, typed by the interfaces of each part.
 */
import path from 'node:path';
import type { SimBinding } from './sim-binding';
import type { VfioBinding } from './vfio-binding';
import type { BenchBinding } from '../bench/binding';

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
  /** Maps `size` bytes of zeroed memory; with `huge`, from the 2 MiB hugepage pool only. */
  allocHostMemory(size: number, huge: boolean): HostMemory;
  /** Detaches and unmaps memory from allocHostMemory. Idempotent. */
  freeHostMemory(bytes: ArrayBuffer): void;
}

/** Everything the addon exports. */
export type NativeBinding = MemoryBinding & VfioBinding & SimBinding & BenchBinding;

// lib/bus (source) and dist/bus (compiled) both sit two levels below the package root.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = require('node-gyp-build') as (dir: string) => unknown;

/**
 * The loaded addon. TSNIC_ADDON=<path to a .node file> loads that build instead (tools/sanitize.sh
 * runs the model's tests against an AddressSanitizer build this way).
 */
export const native = (
  process.env.TSNIC_ADDON !== undefined && process.env.TSNIC_ADDON !== ''
    ? // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(path.resolve(process.env.TSNIC_ADDON))
    : load(path.join(__dirname, '..', '..'))
) as NativeBinding;
