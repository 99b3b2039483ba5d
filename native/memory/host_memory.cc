#include "memory/host_memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

namespace tsnic {

static size_t RoundUp(size_t n, size_t unit) { return (n + unit - 1) / unit * unit; }

int HostMemoryAlloc(size_t size, bool huge, HostMemory* out) {
  if (size == 0) return EINVAL;
  const size_t page = huge ? kHugePageSize : static_cast<size_t>(sysconf(_SC_PAGESIZE));
  const size_t len = RoundUp(size, page);
  int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE;
  if (huge) flags |= MAP_HUGETLB;
  void* p = mmap(nullptr, len, PROT_READ | PROT_WRITE, flags, -1, 0);
  if (p == MAP_FAILED) return errno;
  // Ordinary pages must not move or be swapped while a device may DMA into them. VFIO pins what it
  // maps anyway; mlock is best effort for the simulator (RLIMIT_MEMLOCK may be small without root).
  if (!huge) (void)mlock(p, len);
  // A fork() (libuv spawning a child process) would otherwise make these pages copy-on-write: the
  // parent's next write moves it to a new page while the device keeps DMAing into the old one.
  // Children never need DMA memory, so it is not inherited at all (as DPDK and ibverbs do).
  if (madvise(p, len, MADV_DONTFORK) != 0) {
    const int err = errno;
    munmap(p, len);
    return err;
  }
  out->addr = p;
  out->size = len;
  out->huge = huge;
  return 0;
}

void HostMemoryFree(const HostMemory& mem) {
  if (mem.addr != nullptr) munmap(mem.addr, mem.size);
}

}  // namespace tsnic
