/**
 * Opening a device by spec: a PCI address (`0000:03:00.0`, the VFIO backend, the driver chosen by PCI
 * id from the driver table) or a simulated port (`sim:0`, `sim:1`, optionally with `,key=value`
 * wiring and tester options, see {@link SimSpec}).
 */
import type { DeviceOptions, NetDevice } from './device';
import type { PciFunction } from './bus/types';
import { openVfio } from './bus/vfio';
import { defaultSimCard, parseSimSpec, type SimCardOptions } from './bus/sim';
import { findDriver, unsupportedDeviceError } from './drivers';
import { readPciFunction } from './bus/sysfs';
import { TsnicError } from './errors';
import { claimAddress, trackDevice } from './lifecycle';
import { registerPeer, simPeer } from './apps/peer';

/** Options of {@link openDevice}: the driver's {@link DeviceOptions} plus the simulated card's. */
export interface OpenOptions extends DeviceOptions {
  /** Options for the default simulated card, used when this open creates it (`sim:` specs only). */
  sim?: SimCardOptions;
}

const PCI_ADDRESS = /^(?:([0-9a-f]{4}):)?([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/i;

/** The full `dddd:bb:dd.f` form of a PCI address (domain 0000 added when left out), or undefined. */
export function normalizePciAddress(spec: string): string | undefined {
  const m = PCI_ADDRESS.exec(spec);
  if (m === null) return undefined;
  return `${m[1] ?? '0000'}:${m[2]}:${m[3]}.${m[4]}`.toLowerCase();
}

/** True when `spec` names a simulated port. */
export function isSimSpec(spec: string): boolean {
  return spec.startsWith('sim:');
}

/**
 * Opens the device `spec` names and initialises it with its driver. The device is registered for
 * teardown at process exit (lib/lifecycle.ts); opening the same address twice is refused with
 * ERR_DEVICE_BUSY. Close it with {@link NetDevice.close} when done.
 *
 * @example
 * const dev = await openDevice('sim:0');
 * const dev = await openDevice('0000:03:00.0', { rxQueues: 2 });
 */
export async function openDevice(spec: string, options: OpenOptions = {}): Promise<NetDevice> {
  if (typeof spec !== 'string') throw new TsnicError('ERR_INVALID_ARG', `device spec must be a string, got ${typeof spec}`);
  if (typeof options !== 'object' || options === null) {
    throw new TsnicError('ERR_INVALID_ARG', `open options must be an object such as { rxQueues: 2 }, got ${String(options)}`);
  }
  if (isSimSpec(spec)) return openSim(spec, options);
  const address = normalizePciAddress(spec);
  if (address === undefined) {
    throw new TsnicError(
      'ERR_PCI_ADDRESS',
      `"${spec}" is not a device: use a PCI address like 0000:03:00.0 (see tsnic list) or a simulated port, sim:0 or sim:1`,
    );
  }
  checkPlatform(address, process.arch);
  claimAddress(address);
  checkSupported(address);
  return openWithDriver(openVfio(address), options);
}

/**
 * Throws ERR_UNSUPPORTED_DEVICE when no tsnic driver claims the function's PCI id (read from sysfs
 * under `sysfsRoot`), before anything VFIO needs is checked: a NIC tsnic cannot drive gets that
 * answer, not advice on the IOMMU or vfio-pci. ERR_NO_DEVICE when sysfs has no such function.
 */
export function checkSupported(address: string, sysfsRoot = '/sys'): void {
  const info = readPciFunction(address, sysfsRoot);
  if (findDriver(info.vendorId, info.deviceId) === undefined) throw unsupportedDeviceError(address, info.vendorId, info.deviceId, info.driver);
}

/**
 * The drivers rely on x86-64's memory ordering: stores to descriptors become visible to the NIC before
 * the later tail store, and a load of a descriptor after its DD check sees what the NIC wrote before
 * DD. Weakly ordered CPUs need fences there, which JavaScript cannot issue on device memory, so a
 * real device is refused on them (the simulated card is not: its model orders its own accesses).
 */
export function checkPlatform(address: string, arch: string): void {
  if (arch !== 'x64') {
    throw new TsnicError(
      'ERR_UNSUPPORTED_PLATFORM',
      `${address}: tsnic drives real NICs only on x86-64 (this is ${arch}): its descriptor and tail accesses rely on ` +
        "x86-64's memory ordering, and weaker CPUs need fences it cannot issue; use an x86-64 machine, or sim:0 to try the API",
    );
  }
}

async function openSim(spec: string, options: OpenOptions): Promise<NetDevice> {
  const parsed = parseSimSpec(spec);
  const address = `sim:${parsed.port}`;
  claimAddress(address);
  const card = defaultSimCard({
    ...options.sim,
    ...(parsed.linkUpDelayMs === undefined ? {} : { linkUpDelayMs: parsed.linkUpDelayMs }),
  });
  if (parsed.wiring !== undefined) card.setWiring(parsed.port, parsed.wiring);
  if (parsed.faults !== undefined) card.setFaults(parsed.port, parsed.faults);
  if (parsed.rxErrorEvery !== undefined) card.setFaults(parsed.port, { rxErrorEvery: parsed.rxErrorEvery });
  const dev = await openWithDriver(card.port(parsed.port), options);
  registerPeer(dev, simPeer(card, parsed.port));
  // The spec's generator starts once the driver has the port ready (link up, receive enabled): started
  // before, its first frames would be dropped by a port still in reset or with its link down.
  const generator = parsed.generator;
  if (generator !== undefined) whenLinkUp(dev, () => card.tester(parsed.port).startGenerator(generator));
  return dev;
}

/** Milliseconds between link checks while a spec's generator waits for the link. */
const LINK_CHECK_MS = 1;

/**
 * Runs `start` now if `dev` has link, else once it has (opened with `waitForLink: false`, as the CLI
 * does before its own interruptible wait); never once the device closed. The timer does not keep the
 * process alive.
 */
function whenLinkUp(dev: NetDevice, start: () => void): void {
  if (dev.linkStatus().up) {
    start();
    return;
  }
  const check = (): void => {
    if (dev.closed) return;
    if (dev.linkStatus().up) start();
    else setTimeout(check, LINK_CHECK_MS).unref();
  };
  setTimeout(check, LINK_CHECK_MS).unref();
}

async function openWithDriver(pci: PciFunction, options: DeviceOptions): Promise<NetDevice> {
  const driver = findDriver(pci.vendorId, pci.deviceId);
  if (driver === undefined) {
    pci.close();
    throw unsupportedDeviceError(pci.address, pci.vendorId, pci.deviceId);
  }
  let dev: NetDevice;
  try {
    dev = await driver.open(pci, options);
  } catch (err) {
    pci.close();
    throw err;
  }
  trackDevice({
    address: pci.address,
    get closed() {
      return dev.closed;
    },
    close: () => dev.close(),
  });
  return dev;
}
