// Linux VFIO for one process: one shared container (/dev/vfio/vfio, Type1 IOMMU) that every opened
// group joins, so one DMA mapping serves every device; groups opened once and shared by their devices;
// BAR0 mapped into the process; PCI config space through the device's config region; DMA mappings at
// IOVAs from the IOMMU's valid ranges. Every entry point takes one process-wide lock.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "vfio/status.h"

namespace tsnic {

struct VfioDeviceInfo {
  int handle = 0;          // for every other call
  void* bar0 = nullptr;    // BAR0 mapped read/write
  size_t bar0_size = 0;
  uint64_t config_size = 0;
};

// Opens PCI function `address` (dddd:bb:dd.f) of IOMMU group `group`: container (first time), group
// (unless already open), viability check, container attach, IOMMU type (first group), device fd, BAR0.
VfioStatus VfioOpenDevice(const std::string& address, int group, VfioDeviceInfo* out);

// Reads / writes `width` (1, 2 or 4) bytes of PCI config space at `offset`, little-endian.
VfioStatus VfioConfigRead(int handle, uint32_t offset, uint32_t width, uint32_t* value);
VfioStatus VfioConfigWrite(int handle, uint32_t offset, uint32_t width, uint32_t value);

// Maps [addr, addr + size) for device DMA (read and write) in the shared container and returns its IOVA.
VfioStatus VfioMapDma(void* addr, size_t size, uint64_t* iova);
// Removes the mapping that starts at `addr`. No mapping there: nothing to do.
VfioStatus VfioUnmapDma(void* addr);

// Interrupts (VFIO_DEVICE_GET_IRQ_INFO / VFIO_DEVICE_SET_IRQS). `index` is VFIO_PCI_INTX_IRQ_INDEX (0),
// VFIO_PCI_MSI_IRQ_INDEX (1) or VFIO_PCI_MSIX_IRQ_INDEX (2). How many vectors the device offers there
// (0 when the index does not exist), and whether they are eventfd-capable and maskable.
VfioStatus VfioIrqInfo(int handle, uint32_t index, uint32_t* count, uint32_t* flags);
// Triggers vectors 0..count-1 of `index` through `fds` (one eventfd per vector). Replaces what was set.
VfioStatus VfioSetIrqEventfds(int handle, uint32_t index, const int* fds, uint32_t count);
// Disables every vector of the index set last (SET_IRQS, DATA_NONE | ACTION_TRIGGER, count 0): the
// device stops signalling the eventfds. Nothing set: nothing to do.
VfioStatus VfioDisableIrqs(int handle);
// INTx: VFIO masks the line when it fires; this unmasks it (ACTION_UNMASK) once the cause was handled.
VfioStatus VfioUnmaskIntx(int handle);

// Unmaps BAR0 and closes the device (interrupts disabled first); its group when it was the group's last device; the container
// (after unmapping any DMA still mapped) when it was the last group. Unknown handle: nothing to do.
void VfioCloseDevice(int handle);

}  // namespace tsnic
