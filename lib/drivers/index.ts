/**
 * The driver table: every NIC driver tsnic has, and the lookup that picks one for a PCI function by
 * its vendor and device id.
 */
import type { Driver } from '../device';
import { e1000Driver } from './e1000';
import { igbDriver } from './igb';
import { ixgbeDriver } from './ixgbe';

/** Every driver, in lookup order. */
export const drivers: readonly Driver[] = [ixgbeDriver, igbDriver, e1000Driver];

/** The driver claiming `vendorId:deviceId`, or undefined when none does. */
export function findDriver(vendorId: number, deviceId: number): Driver | undefined {
  return drivers.find((driver) => driver.describe(vendorId, deviceId) !== undefined);
}
