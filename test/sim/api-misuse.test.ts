// Issue 8, misuse through the public API: a second open of an open device, close twice, use after
// close, and a reopen after close, on the default simulated card; the model sees no fault.
import t from 'tap';
import { defaultSimCard, openAddresses, openDevice, PacketBatch } from '../../lib';

t.test('open twice, close twice, use after close, reopen', async (t) => {
  const dev = await openDevice('sim:0');
  await t.rejects(openDevice('sim:0'), { code: 'ERR_DEVICE_BUSY', message: /sim:0 is already open in this process: close the first/ });
  await t.rejects(openDevice('sim:0,rate=1000pps'), { code: 'ERR_DEVICE_BUSY' }, 'options do not make it another device');
  t.same(openAddresses(), ['sim:0'], 'the refused opens left the first one registered');
  const batch = new PacketBatch(32);
  t.equal(dev.rxBatch(0, batch), 0, 'usable while open');
  dev.close();
  t.ok(dev.closed);
  t.throws(() => dev.close(), { code: 'ERR_DEVICE_CLOSED', message: /sim:0/ }, 'a second close says so');
  t.throws(() => dev.rxBatch(0, batch), { code: 'ERR_DEVICE_CLOSED' });
  t.throws(() => dev.txBatch(0, batch), { code: 'ERR_DEVICE_CLOSED' });
  t.throws(() => dev.readStats(), { code: 'ERR_DEVICE_CLOSED' });
  t.same(openAddresses(), []);
  const again = await openDevice('sim:0');
  t.equal(again.linkStatus().up, true, 'reopened after close');
  again.close();
  const card = defaultSimCard();
  t.equal(card.dmaFaults().count, 0, 'no DMA fault');
  t.equal(Object.values(card.violations(0)).reduce((a, b) => a + b, 0), 0, 'no violation');
});
