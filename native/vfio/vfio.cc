#include "vfio/vfio.h"

#include <fcntl.h>
#include <linux/vfio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <vector>

#include "vfio/iova_allocator.h"

namespace tsnic {
namespace {

struct Group {
  int fd;
  int devices;  // open devices of this group
};

struct Device {
  int fd;
  int group;
  void* bar0;
  size_t bar0_size;
  uint64_t config_offset;
  uint64_t config_size;
  int irq_index;  // index whose vectors SET_IRQS routed to eventfds, -1 when none
};

struct Mapping {
  uint64_t iova;
  uint64_t size;
};

std::mutex g_lock;
int g_container = -1;
bool g_iommu_set = false;
uint64_t g_iommu_page = 4096;
IovaAllocator g_iova;
std::map<int, Group> g_groups;
std::map<int, Device> g_devices;
int g_next_handle = 1;
std::map<void*, Mapping> g_mappings;

std::string Hex(uint64_t v) {
  char buf[24];
  snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

VfioStatus OpenContainer() {
  if (g_container >= 0) return VfioStatus::Ok();
  const int fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    const int e = errno;
    if (e == EACCES || e == EPERM) {
      return VfioStatus::Fail("ERR_PERMISSION",
                              "permission denied opening /dev/vfio/vfio: run as root, or give your user read/write "
                              "access to /dev/vfio/vfio",
                              e, "open");
    }
    return VfioStatus::Fail("ERR_VFIO_UNAVAILABLE",
                            std::string("cannot open /dev/vfio/vfio (") + strerror(e) +
                                "): load the VFIO driver with `sudo modprobe vfio-pci`, then bind the NIC with "
                                "`tsnic bind <address>`",
                            e, "open");
  }
  // The VFIO API (Documentation/driver-api/vfio.rst): version check, then Type1 IOMMU support.
  if (ioctl(fd, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
    close(fd);
    return VfioStatus::Fail("ERR_VFIO_UNAVAILABLE",
                            "/dev/vfio/vfio speaks an unknown VFIO API version: use a kernel with the standard VFIO "
                            "API (version 0)");
  }
  if (ioctl(fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) <= 0) {
    close(fd);
    return VfioStatus::Fail("ERR_VFIO_UNAVAILABLE",
                            "the kernel's VFIO has no Type1 IOMMU support: load it with `sudo modprobe "
                            "vfio_iommu_type1` and make sure the IOMMU is on (intel_iommu=on or amd_iommu=on)");
  }
  g_container = fd;
  return VfioStatus::Ok();
}

// Reads the IOMMU's valid IOVA ranges and page sizes (VFIO_IOMMU_GET_INFO, growing argsz until the
// capability chain fits) and resets the IOVA allocator to them.
void ReadIommuRanges() {
  std::vector<IovaRange> ranges;
  g_iommu_page = 4096;
  std::vector<uint8_t> buf(sizeof(vfio_iommu_type1_info));
  for (int attempt = 0; attempt < 4; attempt++) {
    auto* info = reinterpret_cast<vfio_iommu_type1_info*>(buf.data());
    std::memset(buf.data(), 0, buf.size());
    info->argsz = static_cast<uint32_t>(buf.size());
    if (ioctl(g_container, VFIO_IOMMU_GET_INFO, info) != 0) break;
    if (info->argsz > buf.size()) {
      buf.resize(info->argsz);
      continue;
    }
    if ((info->flags & VFIO_IOMMU_INFO_PGSIZES) != 0 && info->iova_pgsizes != 0) {
      g_iommu_page = info->iova_pgsizes & (~info->iova_pgsizes + 1);  // smallest supported page
    }
    if ((info->flags & VFIO_IOMMU_INFO_CAPS) == 0) break;
    uint32_t off = info->cap_offset;
    // Each capability names the offset of the next from the start of the info struct; 0 ends the chain.
    while (off != 0 && off + sizeof(vfio_info_cap_header) <= buf.size()) {
      const auto* header = reinterpret_cast<const vfio_info_cap_header*>(buf.data() + off);
      if (header->id == VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE &&
          off + sizeof(vfio_iommu_type1_info_cap_iova_range) <= buf.size()) {
        const auto* cap = reinterpret_cast<const vfio_iommu_type1_info_cap_iova_range*>(header);
        for (uint32_t i = 0; i < cap->nr_iovas; i++) {
          const size_t end = off + sizeof(*cap) + (i + 1) * sizeof(vfio_iova_range);
          if (end > buf.size()) break;
          ranges.push_back({cap->iova_ranges[i].start, cap->iova_ranges[i].end});
        }
      }
      if (header->next <= off) break;  // a chain only moves forward
      off = header->next;
    }
    break;
  }
  g_iova.Reset(std::move(ranges));
}

void UnmapAllLocked() {
  for (const auto& m : g_mappings) {
    vfio_iommu_type1_dma_unmap unmap = {};
    unmap.argsz = sizeof(unmap);
    unmap.iova = m.second.iova;
    unmap.size = m.second.size;
    (void)ioctl(g_container, VFIO_IOMMU_UNMAP_DMA, &unmap);
  }
  g_mappings.clear();
}

// Drops one device's hold on its group; closes the group when unused and the container after the last.
void ReleaseGroupLocked(int group) {
  auto it = g_groups.find(group);
  if (it == g_groups.end()) return;
  if (--it->second.devices > 0) return;
  if (g_groups.size() == 1 && g_container >= 0) UnmapAllLocked();  // mappings go before the fds
  close(it->second.fd);
  g_groups.erase(it);
  if (g_groups.empty() && g_container >= 0) {
    close(g_container);
    g_container = -1;
    g_iommu_set = false;
  }
}

VfioStatus AcquireGroupLocked(const std::string& address, int group) {
  auto it = g_groups.find(group);
  if (it != g_groups.end()) {
    it->second.devices++;
    return VfioStatus::Ok();
  }
  VfioStatus s = OpenContainer();
  if (!s.ok()) return s;
  const std::string path = "/dev/vfio/" + std::to_string(group);
  const int fd = open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    const int e = errno;
    if (g_groups.empty()) {
      close(g_container);
      g_container = -1;
    }
    if (e == EACCES || e == EPERM) {
      return VfioStatus::Fail("ERR_PERMISSION",
                              "permission denied opening " + path + " (IOMMU group of " + address +
                                  "): run as root, or give your user access to it (sudo chown $USER " + path +
                                  ", or a udev rule giving the group file to a group you are in), and raise the "
                                  "locked-memory limit (ulimit -l) for DMA memory",
                              e, "open");
    }
    if (e == EBUSY) {
      return VfioStatus::Fail("ERR_DEVICE_BUSY",
                              path + " (IOMMU group of " + address +
                                  ") is open in another process: only one process may use a VFIO group; stop "
                                  "the other program, then retry",
                              e, "open");
    }
    return VfioStatus::Fail("ERR_VFIO_UNAVAILABLE",
                            "cannot open " + path + " (" + strerror(e) + "): bind " + address +
                                " to vfio-pci with `tsnic bind " + address + "`",
                            e, "open");
  }
  const char* failed = nullptr;
  int e = 0;
  vfio_group_status status = {};
  status.argsz = sizeof(status);
  if (ioctl(fd, VFIO_GROUP_GET_STATUS, &status) != 0) {
    failed = "VFIO_GROUP_GET_STATUS";
    e = errno;
  } else if ((status.flags & VFIO_GROUP_FLAGS_VIABLE) == 0) {
    close(fd);
    if (g_groups.empty()) {
      close(g_container);
      g_container = -1;
    }
    return VfioStatus::Fail("ERR_GROUP_NOT_VIABLE",
                            "IOMMU group " + std::to_string(group) + " of " + address +
                                " is not viable: every device in /sys/kernel/iommu_groups/" + std::to_string(group) +
                                "/devices must be bound to vfio-pci or to no driver");
  } else if (ioctl(fd, VFIO_GROUP_SET_CONTAINER, &g_container) != 0) {
    failed = "VFIO_GROUP_SET_CONTAINER";
    e = errno;
  } else if (!g_iommu_set) {
    if (ioctl(g_container, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU) != 0) {
      failed = "VFIO_SET_IOMMU";
      e = errno;
    } else {
      g_iommu_set = true;
      ReadIommuRanges();
    }
  }
  if (failed != nullptr) {
    close(fd);
    if (g_groups.empty()) {
      close(g_container);
      g_container = -1;
      g_iommu_set = false;
    }
    return VfioStatus::Fail("ERR_VFIO_UNAVAILABLE",
                            std::string(failed) + " failed for IOMMU group " + std::to_string(group) + " of " +
                                address + " (" + strerror(e) + "): check dmesg for VFIO/IOMMU messages",
                            e, "ioctl");
  }
  g_groups[group] = Group{fd, 1};
  return VfioStatus::Ok();
}

VfioStatus RegionInfo(int fd, uint32_t index, vfio_region_info* info) {
  std::memset(info, 0, sizeof(*info));
  info->argsz = sizeof(*info);
  info->index = index;
  if (ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, info) != 0) {
    const int e = errno;
    return VfioStatus::Fail("ERR_VFIO_UNAVAILABLE",
                            std::string("VFIO_DEVICE_GET_REGION_INFO failed (") + strerror(e) + ")", e, "ioctl");
  }
  return VfioStatus::Ok();
}

VfioStatus OpenDeviceInGroupLocked(const std::string& address, int group, Device* dev) {
  const int fd = ioctl(g_groups[group].fd, VFIO_GROUP_GET_DEVICE_FD, address.c_str());
  if (fd < 0) {
    const int e = errno;
    if (e == EBUSY) {
      return VfioStatus::Fail("ERR_DEVICE_BUSY", address + " is already open (in this or another process): close it first",
                              e, "ioctl");
    }
    return VfioStatus::Fail("ERR_VFIO_UNAVAILABLE",
                            "VFIO_GROUP_GET_DEVICE_FD failed for " + address + " (" + strerror(e) +
                                "): check that it is bound to vfio-pci (tsnic list) and see dmesg",
                            e, "ioctl");
  }
  vfio_region_info bar = {};
  vfio_region_info config = {};
  VfioStatus s = RegionInfo(fd, VFIO_PCI_BAR0_REGION_INDEX, &bar);
  if (s.ok()) s = RegionInfo(fd, VFIO_PCI_CONFIG_REGION_INDEX, &config);
  if (s.ok() && ((bar.flags & VFIO_REGION_INFO_FLAG_MMAP) == 0 || bar.size == 0)) {
    s = VfioStatus::Fail("ERR_UNSUPPORTED_DEVICE",
                         address + " has no memory-mappable BAR0: tsnic drives NICs whose registers sit in BAR0");
  }
  void* p = MAP_FAILED;
  if (s.ok()) {
    p = mmap(nullptr, bar.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, static_cast<off_t>(bar.offset));
    if (p == MAP_FAILED) {
      const int e = errno;
      s = VfioStatus::Fail("ERR_VFIO_UNAVAILABLE",
                           "mapping BAR0 of " + address + " failed (" + strerror(e) + "): see dmesg", e, "mmap");
    }
  }
  if (!s.ok()) {
    close(fd);
    return s;
  }
  *dev = Device{fd, group, p, static_cast<size_t>(bar.size), config.offset, config.size, -1};
  return VfioStatus::Ok();
}

}  // namespace

VfioStatus VfioOpenDevice(const std::string& address, int group, VfioDeviceInfo* out) {
  std::lock_guard<std::mutex> guard(g_lock);
  VfioStatus s = AcquireGroupLocked(address, group);
  if (!s.ok()) return s;
  Device dev = {};
  s = OpenDeviceInGroupLocked(address, group, &dev);
  if (!s.ok()) {
    ReleaseGroupLocked(group);
    return s;
  }
  const int handle = g_next_handle++;
  g_devices[handle] = dev;
  out->handle = handle;
  out->bar0 = dev.bar0;
  out->bar0_size = dev.bar0_size;
  out->config_size = dev.config_size;
  return VfioStatus::Ok();
}

static VfioStatus FindDevice(int handle, uint32_t offset, uint32_t width, Device* out) {
  auto it = g_devices.find(handle);
  if (it == g_devices.end()) return VfioStatus::Fail("ERR_DEVICE_CLOSED", "the PCI function was closed: open it again");
  if (width != 1 && width != 2 && width != 4) {
    return VfioStatus::Fail("ERR_INVALID_ARG", "config access width must be 1, 2 or 4 bytes");
  }
  if (offset % width != 0 || uint64_t{offset} + width > it->second.config_size) {
    return VfioStatus::Fail("ERR_INVALID_ARG", "config offset " + Hex(offset) + " is unaligned or beyond config space (" +
                                                   std::to_string(it->second.config_size) + " bytes)");
  }
  *out = it->second;
  return VfioStatus::Ok();
}

VfioStatus VfioConfigRead(int handle, uint32_t offset, uint32_t width, uint32_t* value) {
  std::lock_guard<std::mutex> guard(g_lock);
  Device dev;
  VfioStatus s = FindDevice(handle, offset, width, &dev);
  if (!s.ok()) return s;
  uint8_t bytes[4] = {0, 0, 0, 0};
  if (pread(dev.fd, bytes, width, static_cast<off_t>(dev.config_offset + offset)) != static_cast<ssize_t>(width)) {
    const int e = errno;
    return VfioStatus::Fail("ERR_VFIO_UNAVAILABLE", "reading PCI config space failed (" + std::string(strerror(e)) + ")",
                            e, "pread");
  }
  // PCI config space is little-endian.
  *value = uint32_t{bytes[0]} | uint32_t{bytes[1]} << 8 | uint32_t{bytes[2]} << 16 | uint32_t{bytes[3]} << 24;
  return VfioStatus::Ok();
}

VfioStatus VfioConfigWrite(int handle, uint32_t offset, uint32_t width, uint32_t value) {
  std::lock_guard<std::mutex> guard(g_lock);
  Device dev;
  VfioStatus s = FindDevice(handle, offset, width, &dev);
  if (!s.ok()) return s;
  const uint8_t bytes[4] = {static_cast<uint8_t>(value), static_cast<uint8_t>(value >> 8),
                            static_cast<uint8_t>(value >> 16), static_cast<uint8_t>(value >> 24)};
  if (pwrite(dev.fd, bytes, width, static_cast<off_t>(dev.config_offset + offset)) != static_cast<ssize_t>(width)) {
    const int e = errno;
    return VfioStatus::Fail("ERR_VFIO_UNAVAILABLE", "writing PCI config space failed (" + std::string(strerror(e)) + ")",
                            e, "pwrite");
  }
  return VfioStatus::Ok();
}

VfioStatus VfioMapDma(void* addr, size_t size, uint64_t* iova) {
  std::lock_guard<std::mutex> guard(g_lock);
  if (g_container < 0 || !g_iommu_set) {
    return VfioStatus::Fail("ERR_VFIO_UNAVAILABLE", "no VFIO device is open: open a device before mapping DMA memory");
  }
  if (g_mappings.count(addr) != 0) {
    return VfioStatus::Fail("ERR_INVALID_ARG", "this DMA region is already mapped");
  }
  constexpr uint64_t kHuge = 2u << 20;
  // Hugepage-sized regions get 2 MiB-aligned IOVAs so the IOMMU can use large pages too.
  const uint64_t align = size >= kHuge && g_iommu_page < kHuge ? kHuge : g_iommu_page;
  const uint64_t len = (uint64_t{size} + g_iommu_page - 1) & ~(g_iommu_page - 1);
  uint64_t at = 0;
  if (!g_iova.Allocate(len, align, &at)) {
    return VfioStatus::Fail("ERR_DMA_MAP",
                            "no room for " + std::to_string(len) +
                                " bytes in the IOMMU's address ranges: free DMA memory or use smaller pools",
                            ENOSPC);
  }
  vfio_iommu_type1_dma_map map = {};
  map.argsz = sizeof(map);
  map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
  map.vaddr = reinterpret_cast<uintptr_t>(addr);
  map.iova = at;
  map.size = len;
  if (ioctl(g_container, VFIO_IOMMU_MAP_DMA, &map) != 0) {
    const int e = errno;
    g_iova.Release(at, len);
    std::string hint = e == ENOMEM ? ": the locked-memory limit is too low: raise it (ulimit -l unlimited) or run as root"
                                   : ": see dmesg for IOMMU messages";
    return VfioStatus::Fail("ERR_DMA_MAP",
                            "VFIO_IOMMU_MAP_DMA of " + std::to_string(len) + " bytes at IOVA " + Hex(at) + " failed (" +
                                strerror(e) + ")" + hint,
                            e, "ioctl");
  }
  g_mappings[addr] = Mapping{at, len};
  *iova = at;
  return VfioStatus::Ok();
}

VfioStatus VfioUnmapDma(void* addr) {
  std::lock_guard<std::mutex> guard(g_lock);
  auto it = g_mappings.find(addr);
  if (it == g_mappings.end()) return VfioStatus::Ok();
  const Mapping m = it->second;
  g_mappings.erase(it);
  vfio_iommu_type1_dma_unmap unmap = {};
  unmap.argsz = sizeof(unmap);
  unmap.iova = m.iova;
  unmap.size = m.size;
  if (ioctl(g_container, VFIO_IOMMU_UNMAP_DMA, &unmap) != 0) {
    const int e = errno;
    return VfioStatus::Fail("ERR_DMA_MAP",
                            "VFIO_IOMMU_UNMAP_DMA of " + std::to_string(m.size) + " bytes at IOVA " + Hex(m.iova) +
                                " failed (" + strerror(e) + "): the memory stays pinned until the process exits",
                            e, "ioctl");
  }
  g_iova.Release(m.iova, m.size);
  return VfioStatus::Ok();
}

namespace {

VfioStatus IrqFail(const char* what, int e) {
  return VfioStatus::Fail("ERR_INTERRUPTS",
                          std::string(what) + " failed (" + strerror(e) +
                              "): the kernel refused the interrupt set-up; check dmesg for vfio-pci messages, or "
                              "open the device with rxMode: 'poll'",
                          e, "ioctl");
}

// VFIO_DEVICE_SET_IRQS with no data: `action` on `count` vectors of `index` from `start`.
int SetIrqsNoData(int fd, uint32_t index, uint32_t action, uint32_t start, uint32_t count) {
  vfio_irq_set set = {};
  set.argsz = sizeof(set);
  set.flags = VFIO_IRQ_SET_DATA_NONE | action;
  set.index = index;
  set.start = start;
  set.count = count;
  return ioctl(fd, VFIO_DEVICE_SET_IRQS, &set);
}

void DisableIrqsLocked(Device& dev) {
  if (dev.irq_index < 0) return;
  (void)SetIrqsNoData(dev.fd, static_cast<uint32_t>(dev.irq_index), VFIO_IRQ_SET_ACTION_TRIGGER, 0, 0);
  dev.irq_index = -1;
}

}  // namespace

VfioStatus VfioIrqInfo(int handle, uint32_t index, uint32_t* count, uint32_t* flags) {
  std::lock_guard<std::mutex> guard(g_lock);
  auto it = g_devices.find(handle);
  if (it == g_devices.end()) return VfioStatus::Fail("ERR_DEVICE_CLOSED", "the PCI function was closed: open it again");
  vfio_irq_info info = {};
  info.argsz = sizeof(info);
  info.index = index;
  *count = 0;
  *flags = 0;
  // A plain PCI device has no index beyond its kinds (QEMU's e1000: EINVAL for MSI-X): none offered.
  if (ioctl(it->second.fd, VFIO_DEVICE_GET_IRQ_INFO, &info) != 0) return VfioStatus::Ok();
  *count = info.count;
  *flags = info.flags;
  return VfioStatus::Ok();
}

VfioStatus VfioSetIrqEventfds(int handle, uint32_t index, const int* fds, uint32_t count) {
  std::lock_guard<std::mutex> guard(g_lock);
  auto it = g_devices.find(handle);
  if (it == g_devices.end()) return VfioStatus::Fail("ERR_DEVICE_CLOSED", "the PCI function was closed: open it again");
  Device& dev = it->second;
  DisableIrqsLocked(dev);
  std::vector<uint8_t> buf(sizeof(vfio_irq_set) + sizeof(int32_t) * count);
  auto* set = reinterpret_cast<vfio_irq_set*>(buf.data());
  set->argsz = static_cast<uint32_t>(buf.size());
  set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
  set->index = index;
  set->start = 0;
  set->count = count;
  std::memcpy(set->data, fds, sizeof(int32_t) * count);
  if (ioctl(dev.fd, VFIO_DEVICE_SET_IRQS, set) != 0) return IrqFail("VFIO_DEVICE_SET_IRQS (eventfds)", errno);
  dev.irq_index = static_cast<int>(index);
  return VfioStatus::Ok();
}

VfioStatus VfioDisableIrqs(int handle) {
  std::lock_guard<std::mutex> guard(g_lock);
  auto it = g_devices.find(handle);
  if (it != g_devices.end()) DisableIrqsLocked(it->second);
  return VfioStatus::Ok();
}

VfioStatus VfioUnmaskIntx(int handle) {
  std::lock_guard<std::mutex> guard(g_lock);
  auto it = g_devices.find(handle);
  if (it == g_devices.end()) return VfioStatus::Fail("ERR_DEVICE_CLOSED", "the PCI function was closed: open it again");
  if (SetIrqsNoData(it->second.fd, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_UNMASK, 0, 1) != 0) {
    return IrqFail("VFIO_DEVICE_SET_IRQS (INTx unmask)", errno);
  }
  return VfioStatus::Ok();
}

void VfioCloseDevice(int handle) {
  std::lock_guard<std::mutex> guard(g_lock);
  auto it = g_devices.find(handle);
  if (it == g_devices.end()) return;
  DisableIrqsLocked(it->second);
  const Device dev = it->second;
  g_devices.erase(it);
  munmap(dev.bar0, dev.bar0_size);
  close(dev.fd);
  ReleaseGroupLocked(dev.group);
}

}  // namespace tsnic
