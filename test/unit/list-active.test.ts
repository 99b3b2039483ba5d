/**
 * `tsnic list` marks the function carrying the default route *Active* (found through
 * /sys/class/net/IF/device, a virtio NIC's child device included), and opening a NIC no tsnic driver
 * claims says which NICs are supported instead of advising on the IOMMU. On a fake sysfs and procfs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { main } from '../../lib/cli/main';
import { defaultRouteFunctions } from '../../lib/cli/pci-sysfs';
import { checkSupported } from '../../lib/open';
import { fakeSysfs } from './fake-sysfs';

/**
 * A fake tree as the kernel lays it out: a virtio NIC (1af4:1041, no IOMMU group) whose interface eth0
 * sits under its child device virtio2 and carries the default route; an 82599 port with eth1 (not
 * routed); /sys/class/net links into /sys/devices.
 */
function tree(): { sys: string; proc: string } {
  const sys = fakeSysfs([
    { address: '0000:00:03.0', vendor: 0x1af4, device: 0x1041, driver: 'virtio-pci' },
    { address: '0000:03:00.1', vendor: 0x8086, device: 0x10fb, driver: 'ixgbe', group: 13 },
  ], (fn) => t.teardown(fn));
  const devices = path.join(sys, 'bus', 'pci', 'devices');
  const virtioNet = path.join(devices, '0000:00:03.0', 'virtio2', 'net', 'eth0');
  fs.mkdirSync(virtioNet, { recursive: true });
  const ixgbeNet = path.join(devices, '0000:03:00.1', 'net', 'eth1');
  fs.mkdirSync(ixgbeNet, { recursive: true });
  fs.mkdirSync(path.join(sys, 'class', 'net'), { recursive: true });
  fs.symlinkSync(virtioNet, path.join(sys, 'class', 'net', 'eth0'));
  fs.symlinkSync(path.join(devices, '0000:00:03.0', 'virtio2'), path.join(virtioNet, 'device'));
  fs.symlinkSync(ixgbeNet, path.join(sys, 'class', 'net', 'eth1'));
  fs.symlinkSync(path.join(devices, '0000:03:00.1'), path.join(ixgbeNet, 'device'));
  fs.mkdirSync(path.join(sys, 'class', 'net', 'br0'));  // a bridge: no device link
  const proc = fs.mkdtempSync(path.join(os.tmpdir(), 'tsnic-proc-'));
  t.teardown(() => fs.rmSync(proc, { recursive: true, force: true }));
  fs.mkdirSync(path.join(proc, 'net'));
  fs.writeFileSync(
    path.join(proc, 'net', 'route'),
    'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n' +
      'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n' +
      'br0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n' +
      'eth1\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n',
  );
  return { sys, proc };
}

async function list(roots: { sys: string; proc: string }, json: boolean): Promise<string> {
  let stdout = '';
  const code = await main(['list', ...(json ? ['--json'] : [])], { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: () => true }, roots });
  if (code !== 0) throw new Error(`tsnic list exited ${code}`);
  return stdout;
}

t.test('the function under the default route is *Active*, found through /sys/class/net/IF/device', async (t) => {
  const roots = tree();
  t.same(defaultRouteFunctions(roots), ['0000:00:03.0'], 'eth0 -> virtio2 -> 0000:00:03.0; br0 has no device');
  const text = await list(roots, false);
  t.match(text, /^0000:00:03\.0 {2}1af4:1041 {2}virtio-pci \(eth0\) {2}no IOMMU group {2}not supported by tsnic {2}\*Active\*$/m);
  t.match(text, /^0000:03:00\.1 .*run: sudo tsnic bind 0000:03:00\.1$/m, 'the other port is not active');
  const rows = (await list(roots, true)).trim().split('\n').map((l) => JSON.parse(l) as { address: string; active: boolean });
  t.same(rows.map((r) => [r.address, r.active]), [['0000:00:03.0', true], ['0000:03:00.1', false]], '--json: active');
});

t.test('opening an unsupported NIC names the supported ones, not the IOMMU', async (t) => {
  const roots = tree();
  t.throws(() => checkSupported('0000:00:03.0', roots.sys), {
    code: 'ERR_UNSUPPORTED_DEVICE',
    message: /^0000:00:03\.0: no tsnic driver for PCI id 1af4:1041, kernel driver virtio-pci: tsnic drives Intel 82599 \(ixgbe\), 82576 \(igb\) and 8254x \(e1000\) NICs; tsnic list shows/,
  });
  let message = '';
  try {
    checkSupported('0000:00:03.0', roots.sys);
  } catch (err) {
    message = (err as Error).message;
  }
  t.notMatch(message, /IOMMU|VT-d|intel_iommu|vfio/i, 'no advice about the IOMMU or vfio-pci');
  t.doesNotThrow(() => checkSupported('0000:03:00.1', roots.sys), 'an 82599 passes (VFIO checks come next)');
  t.throws(() => checkSupported('0000:09:00.0', roots.sys), { code: 'ERR_NO_DEVICE' });
});
