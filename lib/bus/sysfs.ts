/**
 * What tsnic reads of PCI functions in sysfs, for the VFIO backend (before it touches /dev/vfio) and
 * for `tsnic list`/`bind`: whether a function exists, its ids, the kernel driver bound to it, its
 * network interfaces, its IOMMU group and the group's other members. Every path hangs off a root
 * directory (`/sys` by default) so tests run on a fake tree.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TsnicError } from '../errors';

/** Drivers a device may be bound to without making its IOMMU group unusable for VFIO. */
const VFIO_COMPATIBLE_DRIVERS = ['vfio-pci', 'pci-stub', 'pcieport'];

/** One PCI function as sysfs shows it. */
export interface PciFunctionInfo {
  /** `0000:03:00.0`. */
  address: string;
  /** PCI vendor id. */
  vendorId: number;
  /** PCI device id. */
  deviceId: number;
  /** PCI class code, 24 bits (0x020000: Ethernet controller). */
  classCode: number;
  /** The kernel driver bound now, or undefined when none is. */
  driver: string | undefined;
  /** IOMMU group number, or undefined when the function has none (IOMMU off). */
  iommuGroup: number | undefined;
  /** Its network interfaces, sorted (empty unless a kernel network driver is bound). */
  interfaces: string[];
}

function deviceDir(address: string, root: string): string {
  return path.join(root, 'bus', 'pci', 'devices', address);
}

function linkTarget(file: string): string | undefined {
  try {
    return path.basename(fs.readlinkSync(file));
  } catch {
    return undefined;
  }
}

function readdirOrEmpty(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** Interfaces sit in net/ of the function, or of a child device (virtio-pci: virtio<N>/net/). */
function networkInterfaces(dir: string): string[] {
  const found: string[] = [];
  for (const sub of ['.', ...readdirOrEmpty(dir).filter((n) => n.startsWith('virtio'))]) {
    found.push(...readdirOrEmpty(path.join(dir, sub, 'net')));
  }
  return found.sort();
}

function readHex(file: string): number {
  try {
    return parseInt(fs.readFileSync(file, 'utf8').trim(), 16);
  } catch (err) {
    throw new TsnicError('ERR_SYSFS', `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}): is /sys mounted?`, {
      cause: err,
    });
  }
}

/**
 * Reads one function (`address` in the full form, see parsePciAddress). ERR_NO_DEVICE when sysfs has
 * no such address.
 */
export function readPciFunction(address: string, root = '/sys'): PciFunctionInfo {
  const dir = deviceDir(address, root);
  if (!fs.existsSync(dir)) {
    throw new TsnicError(
      'ERR_NO_DEVICE',
      `${address}: no such PCI device (${dir} does not exist): check the address with tsnic list (or lspci -D)`,
    );
  }
  const group = linkTarget(path.join(dir, 'iommu_group'));
  return {
    address,
    vendorId: readHex(path.join(dir, 'vendor')),
    deviceId: readHex(path.join(dir, 'device')),
    classCode: readHex(path.join(dir, 'class')),
    driver: linkTarget(path.join(dir, 'driver')),
    iommuGroup: group === undefined ? undefined : Number(group),
    interfaces: networkInterfaces(dir),
  };
}

/** Every PCI function in address order. */
export function listPciFunctions(root = '/sys'): PciFunctionInfo[] {
  const dir = path.join(root, 'bus', 'pci', 'devices');
  let names: string[];
  try {
    names = fs.readdirSync(dir).sort();
  } catch (err) {
    throw new TsnicError('ERR_SYSFS', `cannot read ${dir} (${(err as NodeJS.ErrnoException).code ?? 'error'}): is /sys mounted?`, {
      cause: err,
    });
  }
  return names.map((name) => readPciFunction(name, root));
}

/** The addresses of every device in IOMMU group `group` (/sys/kernel/iommu_groups/N/devices), sorted. */
export function iommuGroupMembers(group: number, root = '/sys'): string[] {
  return readdirOrEmpty(path.join(root, 'kernel', 'iommu_groups', String(group), 'devices')).sort();
}

/**
 * Checks that VFIO can open `address` and returns its IOMMU group number; otherwise throws what stands
 * in the way: ERR_NO_DEVICE, ERR_NO_IOMMU_GROUP (the IOMMU is off), ERR_BOUND_TO_KERNEL_DRIVER, or
 * ERR_NOT_BOUND_TO_VFIO (no driver at all).
 */
export function checkVfioReady(address: string, root = '/sys'): number {
  const info = readPciFunction(address, root);
  if (info.iommuGroup === undefined) {
    throw new TsnicError(
      'ERR_NO_IOMMU_GROUP',
      `${address} has no IOMMU group, so VFIO cannot use it: the IOMMU is off. Turn on VT-d (Intel) or AMD-Vi (AMD) ` +
        'in the BIOS/firmware and boot Linux with intel_iommu=on (Intel) or amd_iommu=on (AMD), optionally iommu=pt, ' +
        'on the kernel command line; after a reboot the device appears in /sys/kernel/iommu_groups',
    );
  }
  if (info.driver !== undefined && info.driver !== 'vfio-pci') {
    throw new TsnicError(
      'ERR_BOUND_TO_KERNEL_DRIVER',
      `${address} is bound to the kernel driver ${info.driver}: bind it to vfio-pci with \`sudo tsnic bind ${address}\`, ` +
        `or by hand: echo vfio-pci > ${deviceDir(address, '/sys')}/driver_override; ` +
        `echo ${address} > /sys/bus/pci/drivers/${info.driver}/unbind; echo ${address} > /sys/bus/pci/drivers_probe ` +
        '(modprobe vfio-pci first)',
    );
  }
  if (info.driver === undefined) {
    throw new TsnicError(
      'ERR_NOT_BOUND_TO_VFIO',
      `${address} is not bound to any driver: bind it to vfio-pci with \`sudo tsnic bind ${address}\` ` +
        `(or: modprobe vfio-pci; echo vfio-pci > /sys/bus/pci/devices/${address}/driver_override; ` +
        `echo ${address} > /sys/bus/pci/drivers_probe)`,
    );
  }
  return info.iommuGroup;
}

/**
 * The ERR_GROUP_NOT_VIABLE error for `address` in `group`: names the other members of the group that
 * are still bound to a driver VFIO cannot share a group with, and how to release them.
 */
export function groupNotViableError(address: string, group: number, root = '/sys', cause?: unknown): TsnicError {
  const blocking: string[] = [];
  for (const member of iommuGroupMembers(group, root)) {
    if (member === address) continue;
    const driver = linkTarget(path.join(deviceDir(member, root), 'driver'));
    if (driver !== undefined && !VFIO_COMPATIBLE_DRIVERS.includes(driver)) blocking.push(`${member} (${driver})`);
  }
  const who =
    blocking.length > 0
      ? `these devices of the group are still bound to kernel drivers: ${blocking.join(', ')}; bind each to vfio-pci ` +
        '(sudo tsnic bind <address>) or unbind it (echo <address> > /sys/bus/pci/devices/<address>/driver/unbind)'
      : `every device in /sys/kernel/iommu_groups/${group}/devices must be bound to vfio-pci or to no driver`;
  return new TsnicError('ERR_GROUP_NOT_VIABLE', `IOMMU group ${group} of ${address} is not viable: ${who}`, { cause });
}
