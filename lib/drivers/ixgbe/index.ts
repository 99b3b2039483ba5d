/**
 * The ixgbe driver: Intel 82599 10 GbE NICs (X520 and the other 82599 boards), and the simulated
 * 82599 of lib/bus/sim.ts.
 */
import type { Driver } from '../../device';
import { IxgbeDevice } from './device';
import { lookupDevice } from './ids';

export { IxgbeDevice } from './device';
export { IXGBE_DEVICES, INTEL_VENDOR_ID } from './ids';

/** The ixgbe driver. */
export const ixgbeDriver: Driver = {
  name: 'ixgbe',
  describe(vendorId, deviceId) {
    return lookupDevice(vendorId, deviceId)?.name;
  },
  open(pci, options) {
    return IxgbeDevice.open(pci, options);
  },
};
