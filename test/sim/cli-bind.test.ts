import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { main } from '../../lib/cli/main';
import { assess } from '../../lib/cli/list';
import { readPciFunction } from '../../lib/bus/sysfs';
import { bindToVfio, defaultRouteInterfaces, listNetworkFunctions, unbindFromVfio } from '../../lib/cli/pci-sysfs';
import { findDriver } from '../../lib/drivers';
import { readHugepages, setHugepages } from '../../lib/cli/hugepages';

/** A fake /sys and /proc: a routed 82599 port (eth0), a free 82599 port, an e1000 on vfio-pci, a GPU. */
function fakeTree(): { sys: string; proc: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsnic-sysfs-'));
  const sys = path.join(root, 'sys');
  const proc = path.join(root, 'proc');
  const devices = path.join(sys, 'bus', 'pci', 'devices');
  for (const d of ['ixgbe', 'vfio-pci', 'e1000', 'nouveau']) fs.mkdirSync(path.join(sys, 'bus', 'pci', 'drivers', d), { recursive: true });
  fs.writeFileSync(path.join(sys, 'bus', 'pci', 'drivers_probe'), '');
  const add = (address: string, vendor: string, device: string, cls: string, driver?: string, group?: number, iface?: string): void => {
    const dir = path.join(devices, address);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'vendor'), `${vendor}\n`);
    fs.writeFileSync(path.join(dir, 'device'), `${device}\n`);
    fs.writeFileSync(path.join(dir, 'class'), `${cls}\n`);
    fs.writeFileSync(path.join(dir, 'driver_override'), '(null)\n');
    if (driver !== undefined) {
      fs.symlinkSync(path.join(sys, 'bus', 'pci', 'drivers', driver), path.join(dir, 'driver'));
      fs.writeFileSync(path.join(sys, 'bus', 'pci', 'drivers', driver, 'unbind'), '');
    }
    if (group !== undefined) fs.symlinkSync(`../../../kernel/iommu_groups/${group}`, path.join(dir, 'iommu_group'));
    if (iface !== undefined) fs.mkdirSync(path.join(dir, 'net', iface), { recursive: true });
  };
  add('0000:03:00.0', '0x8086', '0x10fb', '0x020000', 'ixgbe', 12, 'eth0');
  add('0000:03:00.1', '0x8086', '0x10fb', '0x020000', 'ixgbe', 13, 'eth1');
  add('0000:00:1f.0', '0x8086', '0x100e', '0x020000', 'vfio-pci', 7);
  add('0000:01:00.0', '0x10de', '0x1234', '0x030000', 'nouveau', 1);
  fs.mkdirSync(path.join(proc, 'net'), { recursive: true });
  fs.writeFileSync(
    path.join(proc, 'net', 'route'),
    'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n' +
      'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n' +
      'eth1\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n',
  );
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  return { sys, proc };
}

const describe = (v: number, d: number): string | undefined => findDriver(v, d)?.describe(v, d);

t.test('list: network functions only, with driver, group, interfaces and what to do', async (t) => {
  const roots = fakeTree();
  t.same(defaultRouteInterfaces(roots), ['eth0']);
  const routed = defaultRouteInterfaces(roots);
  const rows = listNetworkFunctions(roots).map((f) => assess(f, describe, routed));
  t.same(rows.map((r) => r.address), ['0000:00:1f.0', '0000:03:00.0', '0000:03:00.1'], 'the GPU is not listed');
  t.match(rows[0], { driver: 'vfio-pci', iommuGroup: 7, ready: true, hint: '' });
  t.ok(rows[0].supported !== undefined, 'the e1000 is supported');
  t.match(rows[1], { driver: 'ixgbe', interfaces: ['eth0'], ready: false, hint: /default route/ });
  t.match(rows[2], { driver: 'ixgbe', iommuGroup: 13, ready: false, hint: 'run: sudo tsnic bind 0000:03:00.1' });
  const noGroup = assess({ ...readPciFunction('0000:03:00.1', roots.sys), iommuGroup: undefined }, describe, routed);
  t.match(noGroup.hint, /intel_iommu=on/);
  t.equal(assess(readPciFunction('0000:01:00.0', roots.sys), describe, routed).supported, undefined);
});

t.test('bind refuses the port carrying the default route unless forced', async (t) => {
  const roots = fakeTree();
  t.throws(() => bindToVfio('0000:03:00.0', false, roots), {
    code: 'ERR_UNSAFE', message: /0000:03:00.0 carries this machine's default route \(eth0\).*--force/,
  });
  const dir = path.join(roots.sys, 'bus', 'pci', 'devices', '0000:03:00.0');
  t.equal(fs.readFileSync(path.join(dir, 'driver_override'), 'utf8'), '(null)\n', 'nothing was written');
  // Forced: the writes happen (the fake kernel does not rebind, so the check afterwards reports it).
  t.throws(() => bindToVfio('0000:03:00.0', true, roots), { code: 'ERR_SYSFS', message: /did not bind to vfio-pci \(driver now: ixgbe\)/ });
  t.equal(fs.readFileSync(path.join(dir, 'driver_override'), 'utf8'), 'vfio-pci');
});

t.test('bind and unbind write driver_override, unbind and drivers_probe ', async (t) => {
  const roots = fakeTree();
  const dir = path.join(roots.sys, 'bus', 'pci', 'devices', '0000:03:00.1');
  const probe = path.join(roots.sys, 'bus', 'pci', 'drivers_probe');
  // The fake kernel does not rebind, so bind reports that after doing its writes.
  t.throws(() => bindToVfio('0000:03:00.1', false, roots), { code: 'ERR_SYSFS' });
  t.equal(fs.readFileSync(path.join(dir, 'driver_override'), 'utf8'), 'vfio-pci');
  t.equal(fs.readFileSync(path.join(roots.sys, 'bus', 'pci', 'drivers', 'ixgbe', 'unbind'), 'utf8'), '0000:03:00.1');
  t.equal(fs.readFileSync(probe, 'utf8'), '0000:03:00.1');

  const vfioDev = '0000:00:1f.0';
  t.equal(bindToVfio(vfioDev, false, roots).driver, 'vfio-pci', 'already on vfio-pci: nothing to do');
  unbindFromVfio(vfioDev, roots);
  t.equal(fs.readFileSync(path.join(roots.sys, 'bus', 'pci', 'drivers', 'vfio-pci', 'unbind'), 'utf8'), vfioDev);
  t.equal(fs.readFileSync(path.join(roots.sys, 'bus', 'pci', 'devices', vfioDev, 'driver_override'), 'utf8'), '\n', 'override cleared');
  t.equal(fs.readFileSync(probe, 'utf8'), vfioDev);
});

t.test('bind without vfio-pci loaded, and unknown addresses', async (t) => {
  const roots = fakeTree();
  fs.rmSync(path.join(roots.sys, 'bus', 'pci', 'drivers', 'vfio-pci'), { recursive: true });
  t.throws(() => bindToVfio('0000:03:00.1', false, roots), { code: 'ERR_VFIO_UNAVAILABLE', message: /modprobe vfio-pci/ });
  t.throws(() => readPciFunction('0000:09:00.0', roots.sys), { code: 'ERR_NO_DEVICE', message: /no such PCI device/ });
});

t.test('the commands: bad addresses and flags exit non-zero with one line', async (t) => {
  for (const [argv, pattern, code] of [
    [['bind', 'eth0'], /^tsnic: <pci>: "eth0" is not a PCI address: use the form 0000:03:00.0/, 2],
    [['unbind', '03:00'], /^tsnic: <pci>: "03:00" is not a PCI address/, 2],
    [['bind', 'bogus'], /^tsnic: <pci>: "bogus" is not a PCI address/, 2],
    [['bind'], /^tsnic: missing <pci>/, 2],
    [['unbind', '0000:03:00.0', '--force'], /^tsnic: unknown option --force/, 2],
    [['list', 'extra'], /^tsnic: unexpected argument "extra"/, 2],
    [['bind', '0000:7f:1f.7'], /^tsnic: 0000:7f:1f.7: no such PCI device/, 1],
  ] as const) {
    let stderr = '';
    const got = await main([...argv], { stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) } });
    t.equal(got, code, argv.join(' '));
    t.match(stderr, pattern);
    t.equal(stderr.split('\n').length, 2, 'one line');
  }
});

t.test('hugepages: reads the pool, sets it, and says when the kernel gave fewer pages', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsnic-huge-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'nr_hugepages'), '8\n');
  fs.writeFileSync(path.join(dir, 'free_hugepages'), '3\n');
  t.same(readHugepages(dir), { total: 8, free: 3 });
  t.same(setHugepages(64, dir), { total: 64, free: 3 });
  t.throws(() => readHugepages(path.join(dir, 'missing')), { code: 'ERR_SYSFS', message: /no 2 MiB hugepage support/ });
  let stdout = '';
  t.equal(await main(['hugepages'], { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: () => true } }), 0);
  t.match(stdout, /^2 MiB hugepages: \d+ reserved \(\d+ MiB\), \d+ free\n$/);
});

/** Runs main() on the fake tree `roots`, collecting what it writes. */
async function onTree(roots: { sys: string; proc: string }, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, roots });
  return { code, stdout, stderr };
}

t.test('unbind of a function already on its kernel driver says so, changes nothing, exits 0', async (t) => {
  const roots = fakeTree();
  const dir = path.join(roots.sys, 'bus', 'pci', 'devices', '0000:03:00.1');
  const probe = path.join(roots.sys, 'bus', 'pci', 'drivers_probe');
  const r = await onTree(roots, ['unbind', '0000:03:00.1']);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, '0000:03:00.1: already bound to its kernel driver ixgbe, not to vfio-pci: nothing to do\n');
  t.equal(fs.readFileSync(path.join(dir, 'driver_override'), 'utf8'), '(null)\n', 'driver_override untouched');
  t.equal(fs.readFileSync(path.join(roots.sys, 'bus', 'pci', 'drivers', 'ixgbe', 'unbind'), 'utf8'), '', 'not unbound');
  t.equal(fs.readFileSync(probe, 'utf8'), '', 'no probe');
  // The function on vfio-pci is given back (the fake kernel does not rebind it, so it ends on no driver).
  const back = await onTree(roots, ['unbind', '0000:00:1f.0']);
  t.equal(back.code, 0, back.stderr);
  t.equal(fs.readFileSync(path.join(roots.sys, 'bus', 'pci', 'drivers', 'vfio-pci', 'unbind'), 'utf8'), '0000:00:1f.0');
});

t.test('hugepages --json: one JSON object, also after --pages', async (t) => {
  const roots = fakeTree();
  const dir = path.join(roots.sys, 'kernel', 'mm', 'hugepages', 'hugepages-2048kB');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'nr_hugepages'), '8\n');
  fs.writeFileSync(path.join(dir, 'free_hugepages'), '3\n');
  const r = await onTree(roots, ['hugepages', '--json']);
  t.equal(r.code, 0, r.stderr);
  t.same(JSON.parse(r.stdout), { page_kib: 2048, total: 8, free: 3, total_mib: 16 });
  t.equal(r.stdout.split('\n').length, 2, 'one line');
  const set = await onTree(roots, ['hugepages', '--pages', '32', '--json']);
  t.equal(set.code, 0, set.stderr);
  t.same(JSON.parse(set.stdout), { page_kib: 2048, total: 32, free: 3, total_mib: 64, requested: 32 });
  const plain = await onTree(roots, ['hugepages']);
  t.equal(plain.stdout, '2 MiB hugepages: 32 reserved (64 MiB), 3 free\n');
});
