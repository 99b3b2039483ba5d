// Lookup of live host DMA regions by start address, for the vfio and sim glue (which receive the
// region's ArrayBuffer from JavaScript and need its mapping).
#pragma once
#include "memory/host_memory.h"

namespace tsnic {
bool LookupHostMemory(const void* addr, HostMemory* out);
}
