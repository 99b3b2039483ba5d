#include "vfio/iova_allocator.h"

#include <algorithm>

namespace tsnic {

void IovaAllocator::Reset(std::vector<IovaRange> ranges) {
  if (ranges.empty()) ranges.push_back({kFloor, kDefaultEnd});
  std::sort(ranges.begin(), ranges.end(), [](const IovaRange& a, const IovaRange& b) { return a.start < b.start; });
  ranges_ = std::move(ranges);
  range_ = 0;
  next_ = 0;
  live_ = 0;
}

bool IovaAllocator::Allocate(uint64_t size, uint64_t align, uint64_t* iova) {
  if (size == 0 || align == 0 || (align & (align - 1)) != 0) return false;
  for (size_t i = range_; i < ranges_.size(); i++) {
    const IovaRange& r = ranges_[i];
    uint64_t start = std::max({r.start, kFloor, i == range_ ? next_ : uint64_t{0}});
    if (start > UINT64_MAX - (align - 1)) continue;
    start = (start + align - 1) & ~(align - 1);
    // Fits when [start, start + size - 1] lies inside [r.start, r.end]; written to avoid overflow.
    if (start > r.end || size - 1 > r.end - start) continue;
    range_ = i;
    next_ = start + size;
    live_++;
    *iova = start;
    return true;
  }
  return false;
}

void IovaAllocator::Release(uint64_t iova, uint64_t size) {
  if (live_ > 0) live_--;
  if (live_ == 0) {
    range_ = 0;
    next_ = 0;
  } else if (iova + size == next_) {
    next_ = iova;  // the newest block: its space can be handed out again
  }
}

}  // namespace tsnic
