// The ixgbe driver's bring-up on the simulated 82599: probe, every init step's error path, options,
// queue ids and the closed state.
import t from 'tap';
import type { PciFunction } from '../../lib/bus/types';
import { findDriver } from '../../lib/drivers/index';
import { IxgbeDevice, ixgbeDriver } from '../../lib/drivers/ixgbe';
import { computeChecksum } from '../../lib/drivers/ixgbe/eeprom';
import { PacketBatch } from '../../lib/memory/batch';
import { assertConformant, openPort, testCard } from './ixgbe-helpers';

t.test('probe and init: MAC from RAL/RAH(0), 10G link, zero violations; close resets the port', async (t) => {
  const card = testCard(t);
  t.equal(findDriver(0x8086, 0x10fb), ixgbeDriver, 'the driver table picks ixgbe for 8086:10fb');
  t.match(ixgbeDriver.describe(0x8086, 0x10fb), /82599ES/);
  const dev = await ixgbeDriver.open(card.port(0), {});
  t.equal(dev.driver, 'ixgbe');
  t.equal(dev.mac, '02:00:5e:82:59:00');
  t.same(dev.linkStatus(), { up: true, speedMbps: 10000 });
  t.equal(dev.rxQueueCount, 1);
  t.equal(dev.txQueueCount, 1);
  t.ok(dev.rxPool(0).count >= 4096, 'at least 4096 rx buffers');
  const bar0 = card.port(0).bar0;
  t.equal(bar0[0x4a80 >>> 2] & 1, 1, 'DMATXCTL.TE set');
  t.equal(bar0[0x3000 >>> 2] & 1, 1, 'RXCTRL.RXEN set');
  t.equal(bar0[0x1018 >>> 2], 511, 'RDT = ring size - 1');
  t.equal(bar0[0x5080 >>> 2] & 0x700, 0x700, 'FCTRL: BAM, UPE, MPE (promiscuous by default)');
  assertConformant(t, card);
  dev.close();
  t.ok(dev.closed);
  t.equal(dev.pci.closed, true, 'the PCI function is released');
  t.equal(bar0[0x4a80 >>> 2] & 1, 0, 'DMATXCTL.TE clear after close');
  t.equal(bar0[0x1028 >>> 2] & (1 << 25), 0, 'RXDCTL.ENABLE clear after close');
  assertConformant(t, card);
});

t.test('the port id is checked before anything is touched', async (t) => {
  const card = testCard(t);
  const port = card.port(0);
  const fake = (vendorId: number, deviceId: number): PciFunction =>
    new Proxy(port, { get: (target, key) => (key === 'vendorId' ? vendorId : key === 'deviceId' ? deviceId : Reflect.get(target, key)) });
  await t.rejects(IxgbeDevice.open(fake(0x8086, 0x1528), {}), { code: 'ERR_UNSUPPORTED_DEVICE', message: /8086:1528 is an Intel X540-T.*8086:10fb/ });
  await t.rejects(IxgbeDevice.open(fake(0x10ec, 0x8168), {}), { code: 'ERR_UNSUPPORTED_DEVICE', message: /10ec:8168 is not an 82599/ });
  t.equal(ixgbeDriver.describe(0x8086, 0x1528), undefined, 'X540 is not claimed');
  t.equal(ixgbeDriver.describe(0x8086, 0x100e), undefined, 'an e1000 id is not claimed');
  t.equal(findDriver(0x8086, 0x100e)?.name, 'e1000');
  t.equal(card.port(0).bar0[0] & (1 << 26), 0, 'no reset was issued');
});

t.test('EEPROM checksum mismatch is refused with both values; ignoreEepromChecksum opens anyway', async (t) => {
  const card = testCard(t);
  const image = card.eeprom(0);
  const computed = computeChecksum((w) => image[w], image.length);
  t.equal(computed, image[0x3f], 'the healthy image carries the right checksum');
  card.setFaults(0, { badEepromChecksum: true });
  const stored = (image[0x3f] ^ 0x5a5a).toString(16).padStart(4, '0');
  const want = computed.toString(16).padStart(4, '0');
  await t.rejects(openPort(card), {
    code: 'ERR_EEPROM_CHECKSUM',
    message: new RegExp(`stores 0x${stored} but the covered words need 0x${want}.*ignoreEepromChecksum`),
  });
  const dev = await openPort(card, 0, { ignoreEepromChecksum: true });
  t.same(dev.linkStatus().up, true);
  assertConformant(t, card);
  dev.close();
});

for (const [fault, code] of [
  [{ resetNeverCompletes: true }, 'ERR_RESET_TIMEOUT'],
  [{ eepromAutoReadNeverCompletes: true }, 'ERR_EEPROM_TIMEOUT'],
  [{ dmaInitNeverCompletes: true }, 'ERR_DMA_INIT_TIMEOUT'],
  [{ invalidMac: 'zero' }, 'ERR_INVALID_MAC'],
  [{ invalidMac: 'multicast' }, 'ERR_INVALID_MAC'],
] as const) {
  t.test(`${JSON.stringify(fault)} -> ${code}`, async (t) => {
    const card = testCard(t);
    card.setFaults(0, fault);
    await t.rejects(openPort(card), { code });
    assertConformant(t, card);
  });
}

t.test('invalid MAC messages name the address and the kind', async (t) => {
  const card = testCard(t);
  card.setFaults(0, { invalidMac: 'multicast' });
  await t.rejects(openPort(card), { message: /03:00:5e:82:59:00 is a multicast/ });
  card.setFaults(0, { invalidMac: 'zero' });
  await t.rejects(openPort(card), { message: /00:00:00:00:00:00 is all zeros/ });
});

t.test('link timeout: refused, stopped and freed; the port opens again once the link comes', async (t) => {
  const card = testCard(t);
  card.setFaults(0, { linkNeverUp: true });
  await t.rejects(openPort(card, 0, { linkTimeoutMs: 50 }), { code: 'ERR_LINK_TIMEOUT', message: /no link after 50 ms/ });
  t.equal(card.port(0).bar0[0x4a80 >>> 2] & 1, 0, 'transmit is off again after the failed open');
  const dev = await openPort(card, 0, { waitForLink: false });
  t.same(dev.linkStatus(), { up: false, speedMbps: 0 }, 'waitForLink: false opens with the link down');
  await t.rejects(dev.waitForLink(30), { code: 'ERR_LINK_TIMEOUT' });
  card.setFaults(0, { linkNeverUp: false });
  t.same(await dev.waitForLink(2000), { up: true, speedMbps: 10000 });
  assertConformant(t, card);
  dev.close();
});

t.test('options are validated before the device is touched', async (t) => {
  const card = testCard(t);
  for (const rxRingSize of [32, 100, 65536, 0, 1.5]) {
    await t.rejects(openPort(card, 0, { rxRingSize }), { code: 'ERR_RING_SIZE', message: /power of two from 64 to 32768/ }, `rxRingSize ${rxRingSize}`);
  }
  await t.rejects(openPort(card, 0, { txRingSize: 48 }), { code: 'ERR_RING_SIZE' });
  await t.rejects(openPort(card, 0, { rxQueues: 17 }), { code: 'ERR_QUEUE_ID', message: /1 to 16/ });
  await t.rejects(openPort(card, 0, { txQueues: 0 }), { code: 'ERR_QUEUE_ID' });
  await t.rejects(openPort(card, 0, { bufferSize: 3000 }), { code: 'ERR_INVALID_ARG', message: /multiple of 1024/ });
  await t.rejects(openPort(card, 0, { bufferSize: 1024 }), { code: 'ERR_INVALID_ARG' });
  await t.rejects(openPort(card, 0, { rxRingSize: 1024, mempoolSize: 1024 }), { code: 'ERR_INVALID_ARG' });
  t.equal(card.port(0).bar0[0x3000 >>> 2] & 1, 0, 'receive was never enabled');
  const dev = await openPort(card, 0, { rxRingSize: 64, txRingSize: 32768, mempoolSize: 65 });
  assertConformant(t, card);
  dev.close();
});

t.test('queue ids are checked at call time; a closed device refuses everything', async (t) => {
  const card = testCard(t);
  const dev = await openPort(card, 0, { rxQueues: 2, txQueues: 3 });
  const batch = new PacketBatch(8);
  t.equal(dev.rxBatch(1, batch), 0, 'queue 1 exists');
  t.throws(() => dev.rxBatch(2, batch), { code: 'ERR_QUEUE_ID', message: /rx queue 2 does not exist.*2 rx queue/ });
  t.throws(() => dev.rxBatch(-1, batch), { code: 'ERR_QUEUE_ID' });
  t.throws(() => dev.txBatch(3, batch), { code: 'ERR_QUEUE_ID', message: /tx queue 3/ });
  t.throws(() => dev.rxPool(5), { code: 'ERR_QUEUE_ID' });
  dev.close();
  t.throws(() => dev.rxBatch(0, batch), { code: 'ERR_DEVICE_CLOSED' });
  t.throws(() => dev.txBatch(0, batch), { code: 'ERR_DEVICE_CLOSED' });
  t.throws(() => dev.rxBurstAll(batch), { code: 'ERR_DEVICE_CLOSED' });
  t.throws(() => dev.readStats(), { code: 'ERR_DEVICE_CLOSED' });
  t.throws(() => dev.linkStatus(), { code: 'ERR_DEVICE_CLOSED' });
  t.throws(() => dev.setPromiscuous(false), { code: 'ERR_DEVICE_CLOSED' });
  t.throws(() => dev.close(), { code: 'ERR_DEVICE_CLOSED' });
  assertConformant(t, card);
});

t.test('promiscuous mode switches with receive paused; setMac refuses group addresses', async (t) => {
  const card = testCard(t);
  const dev = await openPort(card, 0, { promiscuous: false });
  const fctrl = (): number => card.port(0).bar0[0x5080 >>> 2] & 0x700;
  t.equal(fctrl(), 0x400, 'broadcast only');
  dev.setPromiscuous(true);
  t.equal(fctrl(), 0x700);
  dev.setPromiscuous(false);
  t.equal(fctrl(), 0x400);
  t.equal(card.port(0).bar0[0x3000 >>> 2] & 1, 1, 'receive enabled again');
  dev.setMac('02:11:22:33:44:55');
  t.equal(dev.mac, '02:11:22:33:44:55');
  t.equal(card.port(0).bar0[0xa200 >>> 2], 0x33221102);
  t.throws(() => dev.setMac('01:00:5e:00:00:01'), { code: 'ERR_INVALID_MAC' });
  assertConformant(t, card);
  dev.close();
});
