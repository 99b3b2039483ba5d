// A port's BAR0 register file: 128 KiB of little-endian 32-bit registers in host memory, mapped twice
// from one memfd: the driver's view (handed to JavaScript as BAR0) and the model's view. Two mappings of
// the same pages let the driver's view carry page protections (see access_trap.h) while the model keeps
// plain access. The model reads and writes with atomic loads and stores, since the driver writes its
// view from another thread at any time.
#pragma once
#include <cstdint>

#include "sim/regs.h"

namespace tsnic {
namespace sim {

class RegFile {
 public:
  bool Map();     // false when memfd/mmap fail
  void Unmap();
  uint32_t* driverView() const { return driver_; }

  uint32_t Load(uint32_t off) const { return __atomic_load_n(&model_[off >> 2], __ATOMIC_ACQUIRE); }
  void Store(uint32_t off, uint32_t v) { __atomic_store_n(&model_[off >> 2], v, __ATOMIC_RELEASE); }
  // The model's word of a register, for atomic read-modify-write of single bits.
  uint32_t* ModelWord(uint32_t off) { return &model_[off >> 2]; }

 private:
  uint32_t* model_ = nullptr;
  uint32_t* driver_ = nullptr;
};

}  // namespace sim
}  // namespace tsnic
