// VfioFunction against a stand-in for the addon: what it asks of VFIO, in which order, and how it
// guards its arguments. (The real addon runs in the qemu suite.)
import t, { type Test } from 'tap';
import type { HostMemory } from '../../lib/bus/native';
import { openVfio, type VfioNative } from '../../lib/bus/vfio';
import { fakeSysfs } from './fake-sysfs';

interface Fake {
  binding: VfioNative;
  log: string[];
  config: Uint8Array;
}

/** A fake addon: 256 bytes of config space (vendor 8086, device 100e), host memory as plain buffers. */
function fakeNative(opts: { mapFails?: boolean } = {}): Fake {
  const log: string[] = [];
  const config = new Uint8Array(256);
  config.set([0x86, 0x80, 0x0e, 0x10]);
  const iovas = new Map<ArrayBuffer, number>();
  let nextIova = 1 << 30;
  const binding: VfioNative = {
    vfioOpen: (address, group) => {
      log.push(`open ${address} ${group}`);
      return { handle: 7, bar0: new ArrayBuffer(128 * 1024), configSize: 256 };
    },
    vfioReadConfig: (_h, offset, width) => {
      let v = 0;
      for (let i = width - 1; i >= 0; i--) v = v * 256 + config[offset + i];
      return v;
    },
    vfioWriteConfig: (_h, offset, width, value) => {
      log.push(`config ${offset} ${value.toString(16)}`);
      for (let i = 0; i < width; i++) config[offset + i] = (value >>> (8 * i)) & 0xff;
    },
    vfioMapDma: (bytes) => {
      if (opts.mapFails) throw Object.assign(new Error('VFIO_IOMMU_MAP_DMA failed'), { code: 'ERR_DMA_MAP', errno: 22, syscall: 'ioctl' });
      iovas.set(bytes, nextIova);
      log.push(`map ${bytes.byteLength} at ${nextIova.toString(16)}`);
      nextIova += bytes.byteLength;
      return nextIova - bytes.byteLength;
    },
    vfioUnmapDma: (bytes) => {
      log.push(`unmap ${iovas.get(bytes)?.toString(16)}`);
    },
    vfioIrqInfo: (_h, index) => {
      log.push(`irqinfo ${index}`);
      // QEMU's e1000: INTx and MSI, no MSI-X index.
      return { count: index === 2 ? 0 : 1, eventfd: true, maskable: index === 0, automasked: index === 0 };
    },
    vfioEnableIrqs: (_h, index, count) => log.push(`irqs ${index} ${count}`),
    vfioUnmaskIntx: () => log.push('unmask'),
    vfioIrqRef: (_h, on) => log.push(`ref ${String(on)}`),
    vfioDisableIrqs: () => log.push('irqs off'),
    vfioClose: (handle) => log.push(`close ${handle}`),
    allocHostMemory: (size, huge): HostMemory => {
      log.push(`alloc ${size} ${huge}`);
      return { bytes: new ArrayBuffer(Math.ceil(size / 4096) * 4096), address: 0x7f0000000000, size: Math.ceil(size / 4096) * 4096, huge };
    },
    freeHostMemory: (bytes) => log.push(`free ${bytes.byteLength}`),
  };
  return { binding, log, config };
}

function open(t: Test, fake: Fake) {
  const root = fakeSysfs([{ address: '0000:00:03.0', driver: 'vfio-pci', group: 4 }], (fn) => t.teardown(fn));
  return openVfio('00:03.0', { sysfsRoot: root, binding: fake.binding });
}

t.test('open: group from sysfs, ids from config space, BAR0 as 32-bit registers', async (t) => {
  const fake = fakeNative();
  const pci = open(t, fake);
  t.same(fake.log, ['open 0000:00:03.0 4']);
  t.match(pci, { address: '0000:00:03.0', backend: 'vfio', vendorId: 0x8086, deviceId: 0x100e, iommuGroup: 4, closed: false });
  t.equal(pci.bar0.length, 32 * 1024);
  t.equal(pci.readConfig32(0), 0x100e8086);
});

t.test('enableBusMastering sets bit 2 of the command register and keeps the others', async (t) => {
  const fake = fakeNative();
  const pci = open(t, fake);
  fake.config[4] = 0x02;
  pci.enableBusMastering();
  t.equal(pci.readConfig16(4), 0x0006);
});

t.test('config accesses are range- and alignment-checked', async (t) => {
  const pci = open(t, fakeNative());
  t.throws(() => pci.readConfig16(255), { code: 'ERR_INVALID_ARG' });
  t.throws(() => pci.readConfig16(3), { code: 'ERR_INVALID_ARG', message: /multiple of 2/ });
  t.throws(() => pci.readConfig32(256), { code: 'ERR_INVALID_ARG' });
  t.throws(() => pci.writeConfig16(4, 0x10000), { code: 'ERR_INVALID_ARG' });
  t.throws(() => pci.readConfig16(-2), { code: 'ERR_INVALID_ARG' });
});

t.test('allocDma maps host memory and returns the IOVA; freeDma unmaps before freeing, once', async (t) => {
  const fake = fakeNative();
  const pci = open(t, fake);
  fake.log.length = 0;
  const region = pci.allocDma(5000, { hugepages: 'never' });
  t.match(region, { iova: 1 << 30, size: 8192, hugepages: false });
  t.equal(region.bytes.byteLength, 8192);
  pci.freeDma(region);
  pci.freeDma(region);
  t.same(fake.log, ['alloc 5000 false', 'map 8192 at 40000000', 'unmap 40000000', 'free 8192']);
  t.throws(() => pci.allocDma(0), { code: 'ERR_INVALID_ARG' });
});

t.test('a failed DMA mapping frees the host memory and throws ERR_DMA_MAP as a TsnicError', async (t) => {
  const fake = fakeNative({ mapFails: true });
  const pci = open(t, fake);
  fake.log.length = 0;
  t.throws(() => pci.allocDma(4096, { hugepages: 'never' }), { name: 'TsnicError', code: 'ERR_DMA_MAP', errno: 22 });
  t.same(fake.log, ['alloc 4096 false', 'free 4096']);
});

t.test('close: bus mastering off, DMA unmapped and freed, then the device closed; idempotent', async (t) => {
  const fake = fakeNative();
  const pci = open(t, fake);
  pci.enableBusMastering();
  pci.allocDma(4096, { hugepages: 'never' });
  fake.log.length = 0;
  pci.close();
  pci.close();
  t.same(fake.log, ['config 4 0', 'unmap 40000000', 'free 4096', 'close 7']);
  t.equal(pci.closed, true);
  t.throws(() => pci.allocDma(4096), { code: 'ERR_DEVICE_CLOSED' });
  t.throws(() => pci.readConfig16(0), { code: 'ERR_DEVICE_CLOSED' });
});

t.test('interrupts: offers from VFIO_DEVICE_GET_IRQ_INFO, eventfds per index, turned off before close', async (t) => {
  const fake = fakeNative();
  const pci = open(t, fake);
  fake.log.length = 0;
  t.same(pci.interruptOffers(), [{ kind: 'msi', vectors: 1 }, { kind: 'intx', vectors: 1 }], 'no MSI-X on a plain PCI e1000');
  t.throws(() => pci.enableInterrupts('intx', 2, () => undefined), { code: 'ERR_INVALID_ARG' }, 'INTx has one vector');
  t.throws(() => pci.enableInterrupts('nmi' as never, 1, () => undefined), { code: 'ERR_INVALID_ARG' });
  pci.holdEventLoop(true);
  t.notOk(fake.log.includes('ref true'), 'nothing to hold before interrupts are enabled');
  pci.enableInterrupts('intx', 1, () => undefined);
  t.ok(pci.interruptsEnabled);
  pci.holdEventLoop(true);
  pci.unmaskIntx();
  pci.close();
  t.notOk(pci.interruptsEnabled);
  t.same(fake.log.slice(3), ['irqs 0 1', 'ref true', 'unmask', 'irqs off', 'config 4 0', 'close 7'],
    'vectors off before bus mastering and the device close');
  t.throws(() => pci.enableInterrupts('msi', 1, () => undefined), { code: 'ERR_DEVICE_CLOSED' });
});
