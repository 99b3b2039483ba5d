#include "sim/dma.h"

namespace tsnic {
namespace sim {

bool DmaMap::Register(const void* addr, size_t size) {
  std::lock_guard<std::mutex> guard(lock);
  if (count_ == kMaxRegions) return false;
  const uint64_t start = reinterpret_cast<uint64_t>(addr);
  regions_[count_].start = start;
  regions_[count_].end = start + size;
  count_++;
  return true;
}

bool DmaMap::Unregister(const void* addr) {
  std::lock_guard<std::mutex> guard(lock);
  const uint64_t start = reinterpret_cast<uint64_t>(addr);
  for (int i = 0; i < count_; i++) {
    if (regions_[i].start != start) continue;
    regions_[i] = regions_[count_ - 1];
    regions_[count_ - 1] = Region();
    count_--;
    last_ = 0;
    return true;
  }
  return false;
}

uint8_t* DmaMap::Slow(uint64_t iova, uint64_t len) {
  const uint64_t end = iova + len;
  if (end >= iova) {
    for (int i = 0; i < count_; i++) {
      if (iova >= regions_[i].start && end <= regions_[i].end) {
        last_ = i;
        return reinterpret_cast<uint8_t*>(iova);
      }
    }
  }
  faults_.fetch_add(1, std::memory_order_relaxed);
  lastFault_.store(iova, std::memory_order_relaxed);
  return nullptr;
}

}  // namespace sim
}  // namespace tsnic
