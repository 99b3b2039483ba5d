/** A fake /sys tree in a temp folder for the sysfs readers and the VFIO pre-checks (removed after the test). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** One PCI function of the fake tree. */
export interface FakeFunction {
  address: string;
  vendor?: number;
  device?: number;
  classCode?: number;
  driver?: string;
  group?: number;
}

/** Builds a fake sysfs root holding `functions` (with their drivers and IOMMU groups); returns its path. */
export function fakeSysfs(functions: FakeFunction[], teardown: (fn: () => void) => void): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsnic-vfio-sysfs-'));
  teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  const hex = (n: number, digits: number): string => `0x${n.toString(16).padStart(digits, '0')}\n`;
  for (const f of functions) {
    const dir = path.join(root, 'bus', 'pci', 'devices', f.address);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'vendor'), hex(f.vendor ?? 0x8086, 4));
    fs.writeFileSync(path.join(dir, 'device'), hex(f.device ?? 0x100e, 4));
    fs.writeFileSync(path.join(dir, 'class'), hex(f.classCode ?? 0x020000, 6));
    if (f.driver !== undefined) {
      const driverDir = path.join(root, 'bus', 'pci', 'drivers', f.driver);
      fs.mkdirSync(driverDir, { recursive: true });
      fs.symlinkSync(path.relative(dir, driverDir), path.join(dir, 'driver'));
    }
    if (f.group !== undefined) {
      const groupDir = path.join(root, 'kernel', 'iommu_groups', String(f.group));
      fs.mkdirSync(path.join(groupDir, 'devices'), { recursive: true });
      fs.symlinkSync(path.relative(dir, groupDir), path.join(dir, 'iommu_group'));
      fs.symlinkSync(path.relative(path.join(groupDir, 'devices'), dir), path.join(groupDir, 'devices', f.address));
    }
  }
  return root;
}
