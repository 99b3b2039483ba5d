// openDevice() with PCI addresses on a machine without that device: the checks that run before
// anything is opened (issue 2: an absent address names itself; a malformed one says what a spec looks like).
import t from 'tap';
import { checkPlatform, openDevice } from '../../lib/open';
import { openAddresses } from '../../lib/lifecycle';

t.test('an absent PCI function fails with ERR_NO_DEVICE naming the address, and stays unclaimed', async (t) => {
  for (const spec of ['0000:ff:1f.7', 'ff:1f.7', '0000:FF:1F.7']) {
    await t.rejects(openDevice(spec), { code: 'ERR_NO_DEVICE', message: /0000:ff:1f\.7: no such PCI device.*tsnic list/ }, spec);
  }
  t.same(openAddresses(), [], 'nothing left registered');
});

t.test('malformed addresses fail with ERR_PCI_ADDRESS and the form a spec takes', async (t) => {
  for (const spec of ['0000:ff:1f.8', '0000:ff:1f', 'zz:00.0', '0000:03:00.0 ', '', 'eth0']) {
    await t.rejects(openDevice(spec), { code: 'ERR_PCI_ADDRESS', message: /is not a device: use a PCI address like 0000:03:00\.0/ }, JSON.stringify(spec));
  }
});

t.test('a spec that is not a string is refused', async (t) => {
  await t.rejects(openDevice(42 as unknown as string), { code: 'ERR_INVALID_ARG', message: /device spec must be a string, got number/ });
});

t.test('a real device is refused on CPUs whose memory ordering the drivers do not rely on', async (t) => {
  for (const arch of ['arm64', 'ppc64', 'riscv64']) {
    t.throws(() => checkPlatform('0000:03:00.0', arch), {
      code: 'ERR_UNSUPPORTED_PLATFORM',
      message: new RegExp(`0000:03:00\\.0: tsnic drives real NICs only on x86-64 \\(this is ${arch}\\).*use an x86-64 machine, or sim:0`),
    }, arch);
  }
  t.doesNotThrow(() => checkPlatform('0000:03:00.0', 'x64'));
});
