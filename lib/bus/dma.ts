/**
 * The hugepage policy for DMA memory, shared by every backend: `'prefer'` takes 2 MiB hugepages when
 * the pool has them and otherwise ordinary pages, with one warning per process that says how to
 * reserve hugepages; `'require'` fails with ERR_HUGEPAGES_EXHAUSTED instead; `'never'` takes ordinary
 * pages only.
 */
import { checkInteger, TsnicError } from '../errors';
import { native, type HostMemory } from './native';
import type { HugepagePolicy } from './types';

/** allocHostMemory's shape (native/binding/memory.cc); injectable for tests. */
export type HostAllocator = (size: number, huge: boolean) => HostMemory;

const POLICIES: readonly HugepagePolicy[] = ['prefer', 'require', 'never'];

/** The `code` of the process warning emitted when `'prefer'` falls back to ordinary pages. */
export const HUGEPAGE_FALLBACK_WARNING = 'TSNIC_NO_HUGEPAGES';

let warned = false;

/**
 * Allocates zeroed, pinned host memory for DMA under `policy`; the caller maps it for its device.
 *
 * @example
 * const mem = allocHostDma(4 << 20, 'prefer'); // hugepages, or ordinary pages and a warning
 */
export function allocHostDma(
  size: number,
  policy: HugepagePolicy = 'prefer',
  allocate: HostAllocator = native.allocHostMemory,
): HostMemory {
  checkInteger('DMA size', size, 1, 2 ** 36);
  if (!POLICIES.includes(policy)) {
    throw new TsnicError('ERR_INVALID_ARG', `hugepages must be prefer, require or never, got ${String(policy)}`);
  }
  if (policy === 'never') return allocate(size, false);
  try {
    return allocate(size, true);
  } catch (err) {
    if (policy === 'require' || (err as { code?: unknown }).code !== 'ERR_HUGEPAGES_EXHAUSTED') throw err;
  }
  if (!warned) {
    warned = true;
    process.emitWarning(
      'no free 2 MiB hugepages: DMA memory uses ordinary 4 KiB pages, which costs the NIC more IOMMU lookups. ' +
        'Reserve hugepages with `sudo tsnic hugepages --pages 512` ' +
        '(or echo 512 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages), ' +
        "or pass hugepages: 'never' to silence this",
      { type: 'TsnicWarning', code: HUGEPAGE_FALLBACK_WARNING },
    );
  }
  return allocate(size, false);
}
