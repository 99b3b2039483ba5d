// IOVAs for DMA mappings, handed out inside the IOMMU's valid ranges (VFIO_IOMMU_GET_INFO's IOVA-range
// capability). IOVA = virtual address, as ixy does it, fails on IOMMUs narrower than the process's
// address space (QEMU's default intel-iommu has 39 bits), so IOVAs are allocated instead: a bump
// pointer from 1 GiB upward (below that, ranges often hold reserved windows), aligned to the region's
// page size. Space is reused only when the newest mapping goes away or when none is left.
#pragma once
#include <cstddef>
#include <cstdint>
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

  // Starts over with these ranges (empty: the default range).
  void Reset(std::vector<IovaRange> ranges);
  // Finds `size` bytes aligned to `align` (a power of two). False when no range has room.
  bool Allocate(uint64_t size, uint64_t align, uint64_t* iova);
  // Gives back a block from Allocate.
  void Release(uint64_t iova, uint64_t size);

 private:
  std::vector<IovaRange> ranges_;
  size_t range_ = 0;   // range the bump pointer is in
  uint64_t next_ = 0;  // first free IOVA in ranges_[range_]
  uint64_t live_ = 0;  // blocks handed out and not released
};

}  // namespace tsnic
