/**
 * PCI ids of the Intel 82576, which this driver initialises (device ids from Linux's igb
 * e1000_hw.h). QEMU 8 and later emulate the copper 82576 (`-device igb`, 8086:10c9). The 82576's
 * virtual function (8086:10ca) is a different device with its own register set, and the other igb
 * families (82575, 82580, i350, i210) share the descriptors but not this init; none is claimed.
 */

/** Intel's PCI vendor id. */
export const INTEL_VENDOR_ID = 0x8086;

/** The 82576 device ids the driver claims, with their names. */
export const IGB_DEVICES: ReadonlyMap<number, string> = new Map([
  [0x10c9, 'Intel 82576 Gigabit Ethernet (copper)'],
  [0x10e6, 'Intel 82576 Gigabit Ethernet (fiber)'],
  [0x10e7, 'Intel 82576 Gigabit Ethernet (SerDes)'],
  [0x10e8, 'Intel 82576 Gigabit Ethernet (quad copper)'],
  [0x1526, 'Intel 82576 Gigabit Ethernet (quad copper ET2)'],
  [0x150a, 'Intel 82576NS Gigabit Ethernet (copper)'],
  [0x1518, 'Intel 82576NS Gigabit Ethernet (SerDes)'],
  [0x150d, 'Intel 82576 Gigabit Ethernet (SerDes quad)'],
]);

/** The name of a claimed device, or undefined. */
export function lookupIgb(vendorId: number, deviceId: number): string | undefined {
  return vendorId === INTEL_VENDOR_ID ? IGB_DEVICES.get(deviceId) : undefined;
}
