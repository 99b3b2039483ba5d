// Every VFIO error path reachable without VFIO hardware: the sysfs pre-checks of openVfio on the real
// /sys and on a fake tree, the addon's own errors on a machine without /dev/vfio, and the addon's
// argument checks.
import fs from 'node:fs';
import t, { type Test } from 'tap';
import { native } from '../../lib/bus/native';
import { listPciFunctions } from '../../lib/bus/sysfs';
import { openVfio, type VfioNative } from '../../lib/bus/vfio';
import { TsnicError } from '../../lib/errors';
import { fakeSysfs } from './fake-sysfs';

/** A binding that fails the test if openVfio reaches it. */
function untouchable(t: Test): VfioNative {
  return new Proxy({} as VfioNative, {
    get: (_target, name) => () => t.fail(`native ${String(name)} called`),
  });
}

const hasVfio = fs.existsSync('/dev/vfio/vfio');

t.test('a malformed address fails with ERR_PCI_ADDRESS before touching sysfs or the addon', async (t) => {
  const options = { sysfsRoot: '/nonexistent', binding: untouchable(t) };
  for (const bad of ['03:00', '0000:03:00.0.0', 'sim:0', '']) {
    t.throws(() => openVfio(bad, options), { code: 'ERR_PCI_ADDRESS', message: /0000:03:00\.0/ }, bad);
  }
});

t.test('an absent device (0000:ff:1f.7 on the real /sys) fails with ERR_NO_DEVICE naming the address', async (t) => {
  const err = t.throws(() => openVfio('ff:1f.7', { binding: untouchable(t) }), { code: 'ERR_NO_DEVICE' }) as Error;
  t.match(err.message, /0000:ff:1f\.7/);
  t.ok(err instanceof TsnicError, 'a TsnicError');
});

const noGroup = fs.existsSync('/sys/bus/pci/devices') ? listPciFunctions().filter((f) => f.iommuGroup === undefined) : [];
t.test(
  "a real device of this host without an IOMMU group fails with ERR_NO_IOMMU_GROUP",
  { skip: noGroup.length === 0 ? 'every PCI function of this host has an IOMMU group' : false },
  async (t) => {
    const err = t.throws(() => openVfio(noGroup[0].address, { binding: untouchable(t) }), { code: 'ERR_NO_IOMMU_GROUP' }) as Error;
    t.match(err.message, /intel_iommu=on/);
  },
);

t.test('fake sysfs: bound to a kernel driver, or to none, fails before the addon is called', async (t) => {
  const root = fakeSysfs(
    [
      { address: '0000:00:03.0', driver: 'e1000', group: 4 },
      { address: '0000:00:04.0', group: 5 },
    ],
    (fn) => t.teardown(fn),
  );
  const options = { sysfsRoot: root, binding: untouchable(t) };
  t.throws(() => openVfio('00:03.0', options), { code: 'ERR_BOUND_TO_KERNEL_DRIVER', message: /e1000.*vfio-pci/ });
  t.throws(() => openVfio('00:04.0', options), { code: 'ERR_NOT_BOUND_TO_VFIO', message: /vfio-pci/ });
});

t.test(
  'fake sysfs with a vfio-pci device, real addon, no /dev/vfio: ERR_VFIO_UNAVAILABLE saying modprobe vfio-pci',
  { skip: hasVfio ? 'this machine has /dev/vfio/vfio' : false },
  async (t) => {
    const root = fakeSysfs([{ address: '0000:00:03.0', driver: 'vfio-pci', group: 4 }], (fn) => t.teardown(fn));
    const err = t.throws(() => openVfio('0000:00:03.0', { sysfsRoot: root }), {
      code: 'ERR_VFIO_UNAVAILABLE',
      errno: 2,
      syscall: 'open',
      message: /\/dev\/vfio\/vfio.*modprobe vfio-pci/,
    }) as Error;
    t.ok(err instanceof TsnicError, 'the addon error is re-thrown as a TsnicError');
  },
);

t.test('a group that is not viable: the error lists the group members still on kernel drivers', async (t) => {
  const root = fakeSysfs(
    [
      { address: '0000:03:00.0', driver: 'vfio-pci', group: 12 },
      { address: '0000:03:00.1', driver: 'ixgbe', group: 12 },
    ],
    (fn) => t.teardown(fn),
  );
  const binding = {
    ...native,
    vfioOpen: () => {
      throw Object.assign(new Error('IOMMU group 12 of 0000:03:00.0 is not viable'), { code: 'ERR_GROUP_NOT_VIABLE' });
    },
  };
  t.throws(() => openVfio('0000:03:00.0', { sysfsRoot: root, binding }), {
    code: 'ERR_GROUP_NOT_VIABLE',
    message: /0000:03:00\.1 \(ixgbe\)/,
  });
});

t.test('the addon checks its arguments: wrong types throw ERR_INVALID_ARG', async (t) => {
  const calls: [string, () => unknown][] = [
    ['vfioOpen()', () => (native.vfioOpen as () => unknown)()],
    ['vfioOpen(number, number)', () => native.vfioOpen(3 as unknown as string, 1)],
    ['vfioOpen(address, -1)', () => native.vfioOpen('0000:03:00.0', -1)],
    ['vfioOpen(address, 1.5)', () => native.vfioOpen('0000:03:00.0', 1.5)],
    ['vfioOpen(address, "1")', () => native.vfioOpen('0000:03:00.0', '1' as unknown as number)],
    ['vfioReadConfig(handle, offset, 3)', () => native.vfioReadConfig(1, 0, 3 as 4)],
    ['vfioReadConfig(handle, -2, 2)', () => native.vfioReadConfig(1, -2, 2)],
    ['vfioReadConfig("1", 0, 2)', () => native.vfioReadConfig('1' as unknown as number, 0, 2)],
    ['vfioWriteConfig without value', () => (native.vfioWriteConfig as (...a: number[]) => void)(1, 4, 2)],
    ['vfioWriteConfig value 2^32', () => native.vfioWriteConfig(1, 4, 4, 2 ** 32)],
    ['vfioMapDma(number)', () => native.vfioMapDma(7 as unknown as ArrayBuffer)],
    ['vfioMapDma(foreign ArrayBuffer)', () => native.vfioMapDma(new ArrayBuffer(4096))],
    ['vfioUnmapDma(Uint8Array)', () => native.vfioUnmapDma(new Uint8Array(8) as unknown as ArrayBuffer)],
    ['vfioClose("1")', () => native.vfioClose('1' as unknown as number)],
    ['vfioClose(0)', () => native.vfioClose(0)],
  ];
  for (const [name, call] of calls) t.throws(call, { code: 'ERR_INVALID_ARG' }, name);
});

t.test('the addon refuses a malformed address itself, before any open', async (t) => {
  t.throws(() => native.vfioOpen('03:00.0', 1), { code: 'ERR_PCI_ADDRESS' });
});

t.test('the addon without an open device: closed handles and DMA mapping say what is wrong', async (t) => {
  t.throws(() => native.vfioReadConfig(12345, 0, 2), { code: 'ERR_DEVICE_CLOSED' }, 'unknown handle');
  t.equal(native.vfioClose(12345), undefined, 'closing an unknown handle does nothing');
  const mem = native.allocHostMemory(4096, false);
  t.teardown(() => native.freeHostMemory(mem.bytes));
  t.throws(() => native.vfioMapDma(mem.bytes), { code: 'ERR_VFIO_UNAVAILABLE', message: /open a device/ });
  t.equal(native.vfioUnmapDma(mem.bytes), undefined, 'unmapping a region never mapped does nothing');
});
