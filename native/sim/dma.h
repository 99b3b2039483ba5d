// The memory the simulated card may reach by DMA: regions registered by the sim backend's allocDma
// (IOVA = process virtual address). Any access outside a live region is refused and recorded as a DMA
// fault, never performed, so a driver bug cannot corrupt the process.
//
// Threading: the model thread holds `lock` for each pass of its loop and translates addresses without
// further locking; Register/Unregister take the same lock, so once Unregister returns the model no
// longer touches the region (it finishes the pass it is in first).
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>

namespace tsnic {
namespace sim {

class DmaMap {
 public:
  static constexpr int kMaxRegions = 256;

  // Both return false when the table is full / the region is unknown.
  bool Register(const void* addr, size_t size);
  bool Unregister(const void* addr);

  // Host pointer for [iova, iova + len) when it lies inside one live region; nullptr (and a recorded
  // fault) otherwise. Call with `lock` held.
  uint8_t* Translate(uint64_t iova, uint64_t len) {
    const Region& c = regions_[last_];
    if (iova >= c.start && iova + len <= c.end && iova + len >= iova) return reinterpret_cast<uint8_t*>(iova);
    return Slow(iova, len);
  }

  uint64_t faults() const { return faults_.load(std::memory_order_relaxed); }
  uint64_t lastFault() const { return lastFault_.load(std::memory_order_relaxed); }
  void ResetFaults() { faults_.store(0); lastFault_.store(0); }

  std::mutex lock;

 private:
  struct Region {
    uint64_t start = 1, end = 0;  // empty by default: start > end matches nothing
  };
  uint8_t* Slow(uint64_t iova, uint64_t len);

  Region regions_[kMaxRegions];
  int count_ = 0;
  int last_ = 0;
  std::atomic<uint64_t> faults_{0};
  std::atomic<uint64_t> lastFault_{0};
};

}  // namespace sim
}  // namespace tsnic
