// Host DMA regions across the two addons: tsnic (native/binding/memory.cc) allocates them, tsnic's VFIO
// glue and tsnic_sim's model glue receive them back from JavaScript as ArrayBuffers. The addons are
// separate shared objects that share no symbols and no global state, so a region's identity travels
// with its buffer: allocHostMemory type-tags the buffer (a mark the engine keeps privately on the
// object; JavaScript can neither set nor copy it), and the region is the buffer's own data pointer and
// length. freeHostMemory detaches the buffer, so a freed region is no region.
#pragma once
#include <napi.h>

#include "memory/host_memory.h"

namespace tsnic {

// The tags of allocHostMemory's buffers, one per page size. Arbitrary 128-bit values, fixed forever:
// every build of either addon must agree on them.
constexpr napi_type_tag kHostMemoryTag = {0x3fa7fddb61bc5b5cULL, 0x9efd6666735afc20ULL};
constexpr napi_type_tag kHugeHostMemoryTag = {0xd83a6b1fc2497808ULL, 0xb5ebcb50d6ba9694ULL};

// Marks a new buffer over `mem` as host DMA memory.
inline void TagHostMemory(Napi::ArrayBuffer ab, const HostMemory& mem) {
  ab.TypeTag(mem.huge ? &kHugeHostMemoryTag : &kHostMemoryTag);
}

// True when `ab` was made by allocHostMemory, whether or not it has been freed since.
inline bool IsHostMemory(Napi::ArrayBuffer ab) {
  return ab.CheckTypeTag(&kHostMemoryTag) || ab.CheckTypeTag(&kHugeHostMemoryTag);
}

// The live region behind `ab`: false when the buffer does not come from allocHostMemory or was freed.
inline bool LookupHostMemory(Napi::ArrayBuffer ab, HostMemory* out) {
  if (!IsHostMemory(ab) || ab.IsDetached()) return false;
  out->addr = ab.Data();
  out->size = ab.ByteLength();
  out->huge = ab.CheckTypeTag(&kHugeHostMemoryTag);
  return true;
}

}  // namespace tsnic
