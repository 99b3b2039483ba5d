/**
 * The driver table: every NIC driver tsnic has, and the lookup that picks one for a PCI function by
 * its vendor and device id.
 */
import type { Driver } from '../device';
import { TsnicError } from '../errors';
import { e1000Driver } from './e1000';
import { igbDriver } from './igb';
import { ixgbeDriver } from './ixgbe';

/** Every driver, in lookup order. */
export const drivers: readonly Driver[] = [ixgbeDriver, igbDriver, e1000Driver];

/** The driver claiming `vendorId:deviceId`, or undefined when none does. */
export function findDriver(vendorId: number, deviceId: number): Driver | undefined {
  return drivers.find((driver) => driver.describe(vendorId, deviceId) !== undefined);
}

/** The NICs the drivers serve, for messages. */
export const SUPPORTED_NICS = 'Intel 82599 (ixgbe), 82576 (igb) and 8254x (e1000) NICs';

/**
 * ERR_UNSUPPORTED_DEVICE for the function `address` with PCI id `vendorId:deviceId` (and its kernel
 * driver, when known): names the NICs tsnic drives, where to see which functions of the machine they
 * are, and the simulated card.
 */
export function unsupportedDeviceError(address: string, vendorId: number, deviceId: number, kernelDriver?: string): TsnicError {
  const hex4 = (n: number): string => n.toString(16).padStart(4, '0');
  const bound = kernelDriver === undefined ? '' : `, kernel driver ${kernelDriver}`;
  return new TsnicError(
    'ERR_UNSUPPORTED_DEVICE',
    `${address}: no tsnic driver for PCI id ${hex4(vendorId)}:${hex4(deviceId)}${bound}: tsnic drives ${SUPPORTED_NICS}; ` +
      'tsnic list shows which functions of this machine those are (sim:0 and sim:1 need no hardware)',
  );
}
