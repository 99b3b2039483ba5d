/**
 * PCI ids of the Intel 82599 family, which this driver initialises (device ids from Linux
 * ixgbe_type.h). The X540 and X550 families share the register layout but not the init this driver
 * performs (their EEPROM is read and checksummed differently, and their PHYs need their own link
 * set-up), so they are recognised only to refuse them with a precise message.
 */

/** Intel's PCI vendor id. */
export const INTEL_VENDOR_ID = 0x8086;

/** How {@link IxgbeDevice} sets up the link of a device id. */
export type LinkSetup =
  /** Force AUTOC.LMS to 10 GbE serial (SFI) before restarting auto-negotiation, as ixy does. */
  | 'serial'
  /** Keep the link mode the EEPROM loaded into AUTOC and only restart auto-negotiation. */
  | 'eeprom';

/** One supported device id. */
export interface IxgbeDeviceId {
  /** Marketing name. */
  name: string;
  /** Link set-up for its media. */
  link: LinkSetup;
}

/** The 82599 device ids the driver claims. */
export const IXGBE_DEVICES: ReadonlyMap<number, IxgbeDeviceId> = new Map([
  [0x10f7, { name: 'Intel 82599 10 GbE (KX4 backplane)', link: 'eeprom' }],
  [0x1514, { name: 'Intel 82599 10 GbE (KX4 mezzanine)', link: 'eeprom' }],
  [0x1517, { name: 'Intel 82599 10 GbE (KR backplane)', link: 'eeprom' }],
  [0x10f8, { name: 'Intel 82599 10 GbE (combo backplane)', link: 'eeprom' }],
  [0x10f9, { name: 'Intel 82599 10 GbE (CX4)', link: 'eeprom' }],
  [0x10fb, { name: 'Intel 82599ES 10 GbE SFP+ (X520)', link: 'serial' }],
  [0x1507, { name: 'Intel 82599 10 GbE SFP+ (EM)', link: 'serial' }],
  [0x154d, { name: 'Intel 82599 10 GbE SFP+ (SF2, X520)', link: 'serial' }],
  [0x1529, { name: 'Intel 82599 10 GbE SFP+ (FCoE)', link: 'serial' }],
  [0x152a, { name: 'Intel 82599 10 GbE (backplane FCoE)', link: 'eeprom' }],
  [0x1557, { name: 'Intel 82599EN 10 GbE SFP+ (X520)', link: 'serial' }],
  [0x154a, { name: 'Intel 82599 10 GbE SFP+ (SF QP, X520-Q1)', link: 'serial' }],
  [0x1558, { name: 'Intel 82599 10 GbE QSFP+ (SF QP, X520-Q1)', link: 'serial' }],
  [0x154f, { name: 'Intel 82599 10 GbE (LS)', link: 'serial' }],
  [0x10fc, { name: 'Intel 82599 10 GbE (XAUI LOM)', link: 'eeprom' }],
  [0x151c, { name: 'Intel 82599 10 GbE (T3 LOM)', link: 'eeprom' }],
]);

/** X540/X550 ids: same driver family in Linux, refused here (different EEPROM and PHY handling). */
export const UNSUPPORTED_IXGBE_DEVICES: ReadonlyMap<number, string> = new Map([
  [0x1528, 'Intel X540-T'],
  [0x1560, 'Intel X540-T1'],
  [0x1563, 'Intel X550-T'],
  [0x15d1, 'Intel X550-T1'],
  [0x15aa, 'Intel X550EM_x KX4'],
  [0x15ab, 'Intel X550EM_x KR'],
  [0x15ac, 'Intel X550EM_x SFP'],
  [0x15ad, 'Intel X550EM_x 10G-T'],
  [0x15ae, 'Intel X550EM_x 1G-T'],
  [0x15c2, 'Intel X550EM_a KR'],
  [0x15c3, 'Intel X550EM_a KR-L'],
  [0x15c4, 'Intel X550EM_a SFP-N'],
  [0x15c6, 'Intel X550EM_a SGMII'],
  [0x15c7, 'Intel X550EM_a SGMII-L'],
  [0x15ce, 'Intel X550EM_a SFP'],
]);

/** `8086:10fb` style. */
export function formatPciId(vendorId: number, deviceId: number): string {
  return `${vendorId.toString(16).padStart(4, '0')}:${deviceId.toString(16).padStart(4, '0')}`;
}

/** The supported device, or undefined. */
export function lookupDevice(vendorId: number, deviceId: number): IxgbeDeviceId | undefined {
  return vendorId === INTEL_VENDOR_ID ? IXGBE_DEVICES.get(deviceId) : undefined;
}

/** Why `vendorId:deviceId` cannot be opened by this driver, as an error message. */
export function unsupportedMessage(address: string, vendorId: number, deviceId: number): string {
  const id = formatPciId(vendorId, deviceId);
  const known = vendorId === INTEL_VENDOR_ID ? UNSUPPORTED_IXGBE_DEVICES.get(deviceId) : undefined;
  const supported = [...IXGBE_DEVICES.keys()].map((d) => formatPciId(INTEL_VENDOR_ID, d)).join(', ');
  const what = known === undefined ? `${id} is not an 82599` : `${id} is an ${known}, whose EEPROM and PHY set-up this driver does not implement`;
  return `${address}: ${what}; the ixgbe driver supports the 82599 family only (${supported}): use a supported NIC or another driver`;
}
