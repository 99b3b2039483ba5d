#include "vfio/iova_allocator.h"

#include <iterator>

namespace tsnic {

void IovaAllocator::Reset(std::vector<IovaRange> ranges) {
  if (ranges.empty()) ranges.push_back({kFloor, kDefaultEnd});
  free_.clear();
  for (const IovaRange& r : ranges) {
    const uint64_t start = r.start < kFloor ? kFloor : r.start;
    if (start <= r.end) AddFree(start, r.end);
  }
}

// Inserts [start, end] and merges it with a free block that touches it on either side.
void IovaAllocator::AddFree(uint64_t start, uint64_t end) {
  auto next = free_.upper_bound(start);
  if (next != free_.begin()) {
    auto prev = std::prev(next);
    if (prev->second != UINT64_MAX && prev->second + 1 >= start) {
      start = prev->first;
      if (prev->second > end) end = prev->second;
      free_.erase(prev);
    }
  }
  while (next != free_.end() && end != UINT64_MAX && next->first <= end + 1) {
    if (next->second > end) end = next->second;
    next = free_.erase(next);
  }
  free_[start] = end;
}

bool IovaAllocator::Allocate(uint64_t size, uint64_t align, uint64_t* iova) {
  if (size == 0 || align == 0 || (align & (align - 1)) != 0) return false;
  for (auto it = free_.begin(); it != free_.end(); ++it) {
    const uint64_t blockStart = it->first;
    const uint64_t blockEnd = it->second;
    if (blockStart > UINT64_MAX - (align - 1)) continue;
    const uint64_t start = (blockStart + align - 1) & ~(align - 1);
    // Fits when [start, start + size - 1] lies inside the block; written to avoid overflow.
    if (start > blockEnd || size - 1 > blockEnd - start) continue;
    free_.erase(it);
    if (start > blockStart) free_[blockStart] = start - 1;
    const uint64_t last = start + (size - 1);
    if (last < blockEnd) free_[last + 1] = blockEnd;
    *iova = start;
    return true;
  }
  return false;
}

void IovaAllocator::Release(uint64_t iova, uint64_t size) {
  if (size == 0) return;
  AddFree(iova, iova + (size - 1));
}

uint64_t IovaAllocator::FreeBytes() const {
  uint64_t total = 0;
  for (const auto& b : free_) total += b.second - b.first + 1;
  return total;
}

}  // namespace tsnic
