/**
 * The e1000 driver: Intel 8254x gigabit NICs as QEMU emulates them (hw/net/e1000.c implements the
 * 82540EM, 82544GC and 82545EM) and as they exist in silicon.
 */
import type { Driver } from '../../device';
import { E1000Device } from './device';

export { E1000Device } from './device';

/** Intel's PCI vendor id. */
export const INTEL_VENDOR_ID = 0x8086;

/** Device ids the driver claims, with their names (8254x SDM table 5-1). */
export const E1000_DEVICES: ReadonlyMap<number, string> = new Map([
  [0x100e, 'Intel 82540EM Gigabit Ethernet (desktop)'],
  [0x1015, 'Intel 82540EM Gigabit Ethernet (LOM)'],
  [0x100f, 'Intel 82545EM Gigabit Ethernet (copper)'],
  [0x100c, 'Intel 82544GC Gigabit Ethernet (copper)'],
]);

/** The e1000 driver. */
export const e1000Driver: Driver = {
  name: 'e1000',
  describe(vendorId, deviceId) {
    return vendorId === INTEL_VENDOR_ID ? E1000_DEVICES.get(deviceId) : undefined;
  },
  open(pci, options) {
    return E1000Device.open(pci, options);
  },
};
