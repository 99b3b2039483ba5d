#include "sim/regfile.h"

#include <sys/mman.h>
#include <unistd.h>

namespace tsnic {
namespace sim {

bool RegFile::Map() {
  const int fd = memfd_create("tsnic-sim-bar0", MFD_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ftruncate(fd, kBar0Size) == 0;
  void* model = ok ? mmap(nullptr, kBar0Size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) : MAP_FAILED;
  void* driver = model != MAP_FAILED ? mmap(nullptr, kBar0Size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
                                     : MAP_FAILED;
  close(fd);
  if (driver == MAP_FAILED) {
    if (model != MAP_FAILED) munmap(model, kBar0Size);
    return false;
  }
  model_ = static_cast<uint32_t*>(model);
  driver_ = static_cast<uint32_t*>(driver);
  return true;
}

void RegFile::Unmap() {
  if (model_ != nullptr) munmap(model_, kBar0Size);
  if (driver_ != nullptr) munmap(driver_, kBar0Size);
  model_ = driver_ = nullptr;
}

}  // namespace sim
}  // namespace tsnic
