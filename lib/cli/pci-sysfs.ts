/**
 * What `tsnic list`, `bind` and `unbind` need of sysfs: the PCI network functions with their ids,
 * kernel driver, IOMMU group and network interfaces; moving a function to vfio-pci and back
 * (driver_override + drivers_probe, the kernel's documented way); and the interfaces carrying the
 * default route (/proc/net/route), which must never be taken away. Every path hangs off `root` so
 * tests run on a fake tree.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TsnicError } from '../errors';

/** Where sysfs and procfs are (the real ones by default). */
export interface SysRoots {
  /** Default `/sys`. */
  sys?: string;
  /** Default `/proc`. */
  proc?: string;
}

/** One PCI function as sysfs shows it. */
export interface PciInfo {
  /** `0000:03:00.0`. */
  address: string;
  /** PCI vendor id. */
  vendorId: number;
  /** PCI device id. */
  deviceId: number;
  /** PCI class code (0x020000: Ethernet). */
  classCode: number;
  /** The kernel driver bound now, or undefined. */
  driver: string | undefined;
  /** IOMMU group number, or undefined when the function has none (IOMMU off). */
  iommuGroup: number | undefined;
  /** Network interfaces of the function (empty unless a kernel network driver is bound). */
  interfaces: string[];
}

function sysOf(roots: SysRoots): string {
  return roots.sys ?? '/sys';
}

function readHex(file: string): number {
  return parseInt(fs.readFileSync(file, 'utf8').trim(), 16);
}

function linkName(file: string): string | undefined {
  try {
    return path.basename(fs.readlinkSync(file));
  } catch {
    return undefined;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** Reads one function; ERR_NO_DEVICE when sysfs has no such address. */
export function readPci(address: string, roots: SysRoots = {}): PciInfo {
  const dir = path.join(sysOf(roots), 'bus', 'pci', 'devices', address);
  if (!fs.existsSync(dir)) {
    throw new TsnicError('ERR_NO_DEVICE', `${address}: no such PCI device: check the address with tsnic list (or lspci -D)`);
  }
  const group = linkName(path.join(dir, 'iommu_group'));
  // Interfaces sit in net/ of the function, or of a child device (virtio-pci: virtio<N>/net/).
  const interfaces: string[] = [];
  for (const sub of ['.', ...safeReaddir(dir).filter((n) => n.startsWith('virtio'))]) {
    interfaces.push(...safeReaddir(path.join(dir, sub, 'net')));
  }
  interfaces.sort();
  return {
    address,
    vendorId: readHex(path.join(dir, 'vendor')),
    deviceId: readHex(path.join(dir, 'device')),
    classCode: readHex(path.join(dir, 'class')),
    driver: linkName(path.join(dir, 'driver')),
    iommuGroup: group === undefined ? undefined : Number(group),
    interfaces,
  };
}

/** Every PCI network function (class 0x02), in address order. */
export function listNetworkFunctions(roots: SysRoots = {}): PciInfo[] {
  const dir = path.join(sysOf(roots), 'bus', 'pci', 'devices');
  let names: string[];
  try {
    names = fs.readdirSync(dir).sort();
  } catch (err) {
    throw new TsnicError('ERR_SYSFS', `cannot read ${dir}: is /sys mounted? (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
  return names.map((name) => readPci(name, roots)).filter((f) => f.classCode >>> 16 === 0x02);
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
export function bindToVfio(address: string, force: boolean, roots: SysRoots = {}): PciInfo {
  const info = readPci(address, roots);
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
  const after = readPci(address, roots);
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
 * drivers_probe lets the kernel pick the driver again. Returns the function as it is afterwards.
 */
export function unbindFromVfio(address: string, roots: SysRoots = {}): PciInfo {
  const info = readPci(address, roots);
  const sys = sysOf(roots);
  const dir = path.join(sys, 'bus', 'pci', 'devices', address);
  if (info.driver === 'vfio-pci') write(path.join(dir, 'driver', 'unbind'), address, `unbind ${address}`);
  write(path.join(dir, 'driver_override'), '\n', `unbind ${address}`);
  write(path.join(sys, 'bus', 'pci', 'drivers_probe'), address, `unbind ${address}`);
  return readPci(address, roots);
}
