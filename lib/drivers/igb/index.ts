/**
 * The igb driver: Intel 82576 gigabit NICs, in silicon and as QEMU 8 and later emulate them
 * (`-device igb`): the 82599's advanced descriptors, SRRCTL and queue enables on a 1 GbE chip.
 */
import type { Driver } from '../../device';
import { IgbDevice } from './device';
import { lookupIgb } from './ids';

export { IgbDevice } from './device';
export { IGB_DEVICES } from './ids';

/** The igb driver. */
export const igbDriver: Driver = {
  name: 'igb',
  describe(vendorId, deviceId) {
    return lookupIgb(vendorId, deviceId);
  },
  open(pci, options) {
    return IgbDevice.open(pci, options);
  },
};
