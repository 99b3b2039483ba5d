/** Opens a guest NIC through tsnic's public entry point, lib/open.ts (VFIO backend + driver table). */
import type { DeviceOptions, NetDevice } from '../../../lib/device';

type OpenDevice = (spec: string, options?: DeviceOptions) => Promise<NetDevice>;

/** openDevice(address, options) of lib/open.ts. */
export function openNic(address: string, options: DeviceOptions = {}): Promise<NetDevice> {
  // Loaded at run time so this file compiles while lib/open.ts is being written.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { openDevice } = require('../../../lib/open') as { openDevice: OpenDevice };
  return openDevice(address, options);
}
