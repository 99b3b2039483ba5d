// Pinned host memory for DMA: 2 MiB hugepages (MAP_HUGETLB) or ordinary locked pages.
// Used by both backends: VFIO maps it into the IOMMU, the simulated 82599 reads and writes it directly.
#pragma once
#include <cstddef>

namespace tsnic {

constexpr size_t kHugePageSize = 2u << 20;

struct HostMemory {
  void* addr = nullptr;
  size_t size = 0;   // bytes actually mapped (rounded up to the page size)
  bool huge = false;
};

// Maps `size` bytes, zero-filled and populated. With `huge`, from the 2 MiB hugepage pool only.
// Returns 0 or an errno value (ENOMEM with `huge` means the hugepage pool is empty or exhausted).
int HostMemoryAlloc(size_t size, bool huge, HostMemory* out);

// Unmaps memory from HostMemoryAlloc. Safe to call once per allocation.
void HostMemoryFree(const HostMemory& mem);

}  // namespace tsnic
