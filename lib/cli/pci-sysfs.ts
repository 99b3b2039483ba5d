/**
 * What `tsnic list`, `bind` and `unbind` do beyond reading PCI functions (lib/bus/sysfs): the network
 * functions only; moving a function to vfio-pci and back (driver_override + drivers_probe, the
 * kernel's documented way); and the interfaces carrying the default route (/proc/net/route), which
 * must never be taken away. Every path hangs off `roots` so tests run on a fake tree.
 */
import fs from 'node:fs';
import path from 'node:path';
import { listPciFunctions, readPciFunction, type PciFunctionInfo } from '../bus/sysfs';
import { TsnicError } from '../errors';

/** Where sysfs and procfs are (the real ones by default). */
export interface SysRoots {
  /** Default `/sys`. */
  sys?: string;
  /** Default `/proc`. */
  proc?: string;
}

function sysOf(roots: SysRoots): string {
  return roots.sys ?? '/sys';
}

/** Every PCI network function (class 0x02), in address order. */
export function listNetworkFunctions(roots: SysRoots = {}): PciFunctionInfo[] {
  return listPciFunctions(sysOf(roots)).filter((f) => f.classCode >>> 16 === 0x02);
}

/** Interfaces that carry a default route (destination 0.0.0.0 in /proc/net/route). */
export function defaultRouteInterfaces(roots: SysRoots = {}): string[] {
  let text: string;
  try {
    text = fs.readFileSync(path.join(roots.proc ?? '/proc', 'net', 'route'), 'utf8');
  } catch {
    return [];
  }
  const found = new Set<string>();
  for (const line of text.split('\n').slice(1)) {
    const [iface, destination] = line.trim().split(/\s+/);
    if (iface !== undefined && iface !== '' && destination === '00000000') found.add(iface);
  }
  return [...found];
}

const PCI_ADDRESS = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/i;

/**
 * The PCI functions carrying the default route: each routed interface's /sys/class/net/IF/device
 * link, followed up to the PCI function it belongs to (a virtio NIC's link names its virtio child
 * device, whose parent is the function). What dpdk-devbind marks *Active*.
 */
export function defaultRouteFunctions(roots: SysRoots = {}): string[] {
  const found = new Set<string>();
  for (const iface of defaultRouteInterfaces(roots)) {
    let target: string;
    try {
      // /sys/class/net/IF is itself a link into /sys/devices: resolve every link on the way.
      target = fs.realpathSync(path.join(sysOf(roots), 'class', 'net', iface, 'device'));
    } catch {
      continue;  // a virtual interface (bridge, tunnel): no device
    }
    for (let dir = target; dir !== path.dirname(dir); dir = path.dirname(dir)) {
      if (PCI_ADDRESS.test(path.basename(dir))) {
        found.add(path.basename(dir).toLowerCase());
        break;
      }
    }
  }
  return [...found].sort();
}

function write(file: string, value: string, what: string): void {
  try {
    fs.writeFileSync(file, value);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') {
      throw new TsnicError('ERR_PERMISSION', `${what}: permission denied writing ${file}: run as root (sudo)`, { cause: err });
    }
    throw new TsnicError('ERR_SYSFS', `${what}: writing ${file} failed (${code ?? 'error'})`, { cause: err });
  }
}

/**
 * Binds `address` to vfio-pci: its current driver lets go, driver_override makes vfio-pci the only
 * candidate, drivers_probe binds it. Refuses (ERR_UNSAFE) a function whose interface carries the
 * default route unless `force`. Returns the function as it is afterwards.
 */
export function bindToVfio(address: string, force: boolean, roots: SysRoots = {}): PciFunctionInfo {
  const info = readPciFunction(address, sysOf(roots));
  if (info.driver === 'vfio-pci') return info;
  const routed = info.interfaces.filter((i) => defaultRouteInterfaces(roots).includes(i));
  if (routed.length > 0 && !force) {
    throw new TsnicError(
      'ERR_UNSAFE',
      `${address} carries this machine's default route (${routed.join(', ')}): binding it to vfio-pci would cut the ` +
        'network connection; use another port, or pass --force if you are sure',
    );
  }
  const sys = sysOf(roots);
  const dir = path.join(sys, 'bus', 'pci', 'devices', address);
  if (!fs.existsSync(path.join(sys, 'bus', 'pci', 'drivers', 'vfio-pci'))) {
    throw new TsnicError('ERR_VFIO_UNAVAILABLE', `${address}: the vfio-pci driver is not loaded: run sudo modprobe vfio-pci, then retry`);
  }
  write(path.join(dir, 'driver_override'), 'vfio-pci', `bind ${address}`);
  if (info.driver !== undefined) write(path.join(dir, 'driver', 'unbind'), address, `bind ${address}`);
  write(path.join(sys, 'bus', 'pci', 'drivers_probe'), address, `bind ${address}`);
  const after = readPciFunction(address, sysOf(roots));
  if (after.driver !== 'vfio-pci') {
    throw new TsnicError(
      'ERR_SYSFS',
      `${address} did not bind to vfio-pci (driver now: ${after.driver ?? 'none'}): check dmesg; the IOMMU must be on ` +
        '(intel_iommu=on or amd_iommu=on on the kernel command line)',
    );
  }
  return after;
}

/**
 * Gives `address` back to its kernel driver: vfio-pci lets go, driver_override is cleared,
 * drivers_probe lets the kernel pick the driver again. Returns the function as it is afterwards. A
 * function already on another driver is left alone (as dpdk-devbind skips a device already bound to
 * the driver asked for).
 */
export function unbindFromVfio(address: string, roots: SysRoots = {}): PciFunctionInfo {
  const info = readPciFunction(address, sysOf(roots));
  if (info.driver !== undefined && info.driver !== 'vfio-pci') return info;
  const sys = sysOf(roots);
  const dir = path.join(sys, 'bus', 'pci', 'devices', address);
  if (info.driver === 'vfio-pci') write(path.join(dir, 'driver', 'unbind'), address, `unbind ${address}`);
  write(path.join(dir, 'driver_override'), '\n', `unbind ${address}`);
  write(path.join(sys, 'bus', 'pci', 'drivers_probe'), address, `unbind ${address}`);
  return readPciFunction(address, sysOf(roots));
}
