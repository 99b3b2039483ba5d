import fs from 'node:fs';
import t, { type Test } from 'tap';
import { checkVfioReady, groupNotViableError, iommuGroupMembers, listPciFunctions, readPciFunction } from '../../lib/bus/sysfs';
import { fakeSysfs } from './fake-sysfs';

const tree = (tt: Test): string =>
  fakeSysfs(
    [
      { address: '0000:00:02.0', vendor: 0x8086, device: 0x100e, driver: 'vfio-pci', group: 3 },
      { address: '0000:03:00.0', vendor: 0x8086, device: 0x10fb, driver: 'vfio-pci', group: 12 },
      { address: '0000:03:00.1', vendor: 0x8086, device: 0x10fb, driver: 'ixgbe', group: 12 },
      { address: '0000:03:00.2', vendor: 0x8086, device: 0x10fb, group: 12 },
      { address: '0000:04:00.0', vendor: 0x8086, device: 0x10fb, driver: 'ixgbe', group: 13 },
      { address: '0000:05:00.0', vendor: 0x8086, device: 0x100e, group: 14 },
      { address: '0000:06:00.0', vendor: 0x10de, device: 0x1234, classCode: 0x030000, driver: 'nouveau' },
    ],
    (fn) => tt.teardown(fn),
  );

t.test('readPciFunction: ids, class, driver and IOMMU group', async (t) => {
  const root = tree(t);
  t.same(readPciFunction('0000:03:00.1', root), {
    address: '0000:03:00.1',
    vendorId: 0x8086,
    deviceId: 0x10fb,
    classCode: 0x020000,
    driver: 'ixgbe',
    iommuGroup: 12,
    interfaces: [],
  });
  t.match(readPciFunction('0000:06:00.0', root), { classCode: 0x030000, driver: 'nouveau', iommuGroup: undefined });
  t.match(readPciFunction('0000:03:00.2', root), { driver: undefined, iommuGroup: 12 });
});

t.test('readPciFunction: network interfaces of the function and of a virtio child, sorted', async (t) => {
  const root = tree(t);
  const dir = (address: string): string => `${root}/bus/pci/devices/${address}`;
  fs.mkdirSync(`${dir('0000:03:00.1')}/net/eth3`, { recursive: true });
  fs.mkdirSync(`${dir('0000:03:00.1')}/net/eth1`, { recursive: true });
  fs.mkdirSync(`${dir('0000:03:00.2')}/virtio4/net/ens5`, { recursive: true });
  t.same(readPciFunction('0000:03:00.1', root).interfaces, ['eth1', 'eth3']);
  t.same(readPciFunction('0000:03:00.2', root).interfaces, ['ens5']);
  t.same(readPciFunction('0000:03:00.0', root).interfaces, [], 'none without a kernel network driver');
});

t.test('listPciFunctions: every function in address order', async (t) => {
  const root = tree(t);
  t.same(
    listPciFunctions(root).map((f) => f.address),
    ['0000:00:02.0', '0000:03:00.0', '0000:03:00.1', '0000:03:00.2', '0000:04:00.0', '0000:05:00.0', '0000:06:00.0'],
  );
  t.throws(() => listPciFunctions(`${root}/nowhere`), { code: 'ERR_SYSFS', message: /is \/sys mounted/ });
});

t.test('iommuGroupMembers lists the group, sorted; an unknown group is empty', async (t) => {
  const root = tree(t);
  t.same(iommuGroupMembers(12, root), ['0000:03:00.0', '0000:03:00.1', '0000:03:00.2']);
  t.same(iommuGroupMembers(99, root), []);
});

t.test('checkVfioReady returns the group of a vfio-pci function', async (t) => {
  const root = tree(t);
  t.equal(checkVfioReady('0000:00:02.0', root), 3);
  t.equal(checkVfioReady('0000:03:00.0', root), 12);
});

t.test('checkVfioReady: absent device -> ERR_NO_DEVICE naming the address and tsnic list', async (t) => {
  const root = tree(t);
  t.throws(() => checkVfioReady('0000:ff:1f.7', root), { code: 'ERR_NO_DEVICE', message: /0000:ff:1f\.7.*tsnic list/ });
});

t.test('checkVfioReady: no iommu_group -> ERR_NO_IOMMU_GROUP naming the kernel parameters', async (t) => {
  const root = tree(t);
  const err = t.throws(() => checkVfioReady('0000:06:00.0', root), { code: 'ERR_NO_IOMMU_GROUP' }) as Error;
  for (const word of [/0000:06:00\.0/, /IOMMU is off/, /intel_iommu=on/, /amd_iommu=on/, /iommu=pt/, /VT-d/, /AMD-Vi/]) {
    t.match(err.message, word);
  }
});

t.test('checkVfioReady: kernel driver -> ERR_BOUND_TO_KERNEL_DRIVER naming it and how to bind vfio-pci', async (t) => {
  const root = tree(t);
  const err = t.throws(() => checkVfioReady('0000:04:00.0', root), { code: 'ERR_BOUND_TO_KERNEL_DRIVER' }) as Error;
  t.match(err.message, /bound to the kernel driver ixgbe/);
  t.match(err.message, /sudo tsnic bind 0000:04:00\.0/);
  t.match(err.message, /echo vfio-pci > \/sys\/bus\/pci\/devices\/0000:04:00\.0\/driver_override/);
  t.match(err.message, /echo 0000:04:00\.0 > \/sys\/bus\/pci\/drivers\/ixgbe\/unbind/);
  t.match(err.message, /drivers_probe/);
});

t.test('checkVfioReady: no driver at all -> ERR_NOT_BOUND_TO_VFIO with the bind command', async (t) => {
  const root = tree(t);
  t.throws(() => checkVfioReady('0000:05:00.0', root), { code: 'ERR_NOT_BOUND_TO_VFIO', message: /sudo tsnic bind 0000:05:00\.0/ });
});

t.test('groupNotViableError names the group members still on a kernel driver, not the free ones', async (t) => {
  const root = tree(t);
  const cause = new Error('native');
  const err = groupNotViableError('0000:03:00.0', 12, root, cause);
  t.equal(err.code, 'ERR_GROUP_NOT_VIABLE');
  t.match(err.message, /IOMMU group 12 of 0000:03:00\.0 is not viable/);
  t.match(err.message, /0000:03:00\.1 \(ixgbe\)/);
  t.notMatch(err.message, /0000:03:00\.2/, 'an unbound member does not block');
  t.match(err.message, /tsnic bind/);
  t.equal(err.cause, cause);
  const generic = groupNotViableError('0000:00:02.0', 3, root);
  t.match(generic.message, /\/sys\/kernel\/iommu_groups\/3\/devices must be bound to vfio-pci or to no driver/);
});

const hostFunctionsWithoutGroup = fs.existsSync('/sys/bus/pci/devices') ? listPciFunctions().filter((f) => f.iommuGroup === undefined) : [];
t.test(
  "this host's real sysfs: a PCI function without an IOMMU group gives ERR_NO_IOMMU_GROUP",
  { skip: hostFunctionsWithoutGroup.length === 0 ? 'every PCI function here has an IOMMU group (or there is no PCI bus)' : false },
  async (t) => {
    const address = hostFunctionsWithoutGroup[0].address;
    t.throws(() => checkVfioReady(address), { code: 'ERR_NO_IOMMU_GROUP', message: new RegExp(address.replace(/\./g, '\\.')) });
  },
);
