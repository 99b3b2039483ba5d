// IOVAs for DMA mappings, handed out inside the IOMMU's valid ranges (VFIO_IOMMU_GET_INFO's IOVA-range
// capability). IOVA = virtual address, as ixy does it, fails on IOMMUs narrower than the process's
// address space (QEMU's default intel-iommu has 39 bits), so IOVAs are allocated instead: first fit
// from 1 GiB upward (below that, ranges often hold reserved windows), aligned to the region's page
// size. Every released block returns to the free list and merges with its free neighbours, so a
// long-running process that allocates and frees pools in any order never runs out of IOVA space.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

namespace tsnic {

struct IovaRange {
  uint64_t start;
  uint64_t end;  // inclusive, as the kernel reports it
};

class IovaAllocator {
 public:
  // Lowest IOVA handed out.
  static constexpr uint64_t kFloor = 1ull << 30;
  // Used when the kernel reports no ranges: 1 GiB up to the 39-bit limit of the narrowest common IOMMU.
  static constexpr uint64_t kDefaultEnd = (1ull << 39) - 1;

  // Starts over with these ranges (empty: the default range); nothing is handed out.
  void Reset(std::vector<IovaRange> ranges);
  // Finds `size` bytes aligned to `align` (a power of two), lowest address first. False when no free
  // block has room.
  bool Allocate(uint64_t size, uint64_t align, uint64_t* iova);
  // Gives back a block from Allocate.
  void Release(uint64_t iova, uint64_t size);
  // Free bytes in all (for tests).
  uint64_t FreeBytes() const;

 private:
  void AddFree(uint64_t start, uint64_t end);
  std::map<uint64_t, uint64_t> free_;  // start -> end (inclusive) of each free block, none adjacent
};

}  // namespace tsnic
