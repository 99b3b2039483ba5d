// The igb driver's pure parts: the 82576 ids in the driver table, its queue registers and rx error
// bits on the shared advanced rings, the EEPROM rule, the open options' limits and the link decoding.
import t from 'tap';
import type { DmaRegion, PciFunction } from '../../lib/bus/types';
import { assess } from '../../lib/cli/list';
import { findDriver } from '../../lib/drivers';
import { queueSettings } from '../../lib/drivers/common/settings';
import { IGB_LIMITS } from '../../lib/drivers/igb/device';
import { EEPROM_SUM, eepromSum, macFromEeprom } from '../../lib/drivers/igb/eeprom';
import { linkFromStatus } from '../../lib/drivers/igb/init';
import { igbRxQueue, igbTxQueue } from '../../lib/drivers/igb/queues';
import { rdt, rxdctl, tdt, txdctl } from '../../lib/drivers/igb/registers';
import { PacketBatch } from '../../lib/memory/batch';
import { Mempool } from '../../lib/memory/mempool';

function fakePci(): PciFunction {
  let nextIova = 0x1_0000_0000;
  return {
    allocDma(size: number): DmaRegion {
      const region = { bytes: new ArrayBuffer(size), iova: nextIova, size, hugepages: false };
      nextIova += size + 0x1000;
      return region;
    },
    freeDma() {},
  } as unknown as PciFunction;
}

t.test('the driver table gives every 82576 id to igb, QEMU\'s 8086:10c9 first, and not the VF', async (t) => {
  t.equal(findDriver(0x8086, 0x10c9)?.name, 'igb');
  t.match(findDriver(0x8086, 0x10c9)?.describe(0x8086, 0x10c9), /82576/);
  for (const id of [0x10e6, 0x10e7, 0x10e8, 0x1526, 0x150a, 0x1518, 0x150d]) t.equal(findDriver(0x8086, id)?.name, 'igb', id.toString(16));
  t.equal(findDriver(0x8086, 0x10ca), undefined, '82576 VF not claimed');
  t.equal(findDriver(0x8086, 0x100e)?.name, 'e1000', 'e1000 ids still e1000');
});

t.test('queue registers: 0xC000/0xE000 + 0x40 per queue for all 16 queues', async (t) => {
  t.equal(rdt(0), 0xc018);
  t.equal(rdt(15), 0xc018 + 15 * 0x40);
  t.equal(tdt(1), 0xe058);
  t.equal(rxdctl(2), 0xc0a8);
  t.equal(txdctl(0), 0xe028);
});

t.test("rx on the shared ring: the 82576's RDT, its error bits", async (t) => {
  const bar0 = new Uint32Array(0x20000 / 4);
  const pool = Mempool.create(fakePci(), { count: 256, bufferSize: 2048 });
  const ring = new Uint32Array(64 * 4);
  const rx = igbRxQueue(bar0, 3, ring, 64, pool);
  rx.fill();
  const DD_EOP = 0x3;
  ring[2] = DD_EOP | 0x08000000; // bit 27 is no frame error on the 82576 (it is on the 82599)
  ring[3] = 100;
  ring[6] = DD_EOP | 0x20000000; // RXE: a bad frame
  ring[7] = 100;
  const batch = new PacketBatch(8);
  const ids = batch.ids;
  t.equal(rx.receive(ids, batch.lengths, 0, 8), 1, 'one good frame');
  t.equal(batch.lengths[0], 100);
  t.equal(rx.errors, 1, 'the RXE frame dropped and counted');
  t.equal(bar0[rdt(3) >>> 2], 1, 'RDT of queue 3 moved to the last re-armed slot');
});

t.test("tx on the shared ring: the 82576's TDT", async (t) => {
  const bar0 = new Uint32Array(0x20000 / 4);
  const pool = Mempool.create(fakePci(), { count: 64, bufferSize: 2048 });
  const tx = igbTxQueue(bar0, 5, new Uint32Array(64 * 4), 64, 'test');
  const batch = new PacketBatch(4);
  batch.pool = pool;
  for (let k = 0; k < 3; k++) {
    batch.ids[k] = pool.alloc();
    batch.lengths[k] = 60;
  }
  batch.count = 3;
  t.equal(tx.transmit(batch), 3);
  t.equal(bar0[tdt(5) >>> 2], 3, 'TDT of queue 5 written once, after the batch');
});

t.test('EEPROM: words 0x00..0x3F sum to 0xBABA; MAC in words 0..2', async (t) => {
  const words = new Uint16Array(0x40);
  words.set([0x5452, 0x1200, 0x5634]);
  let sum = 0;
  for (let i = 0; i < 0x3f; i++) sum = (sum + words[i]) & 0xffff;
  words[0x3f] = (EEPROM_SUM - sum) & 0xffff;
  t.equal(eepromSum(words), EEPROM_SUM);
  words[5] ^= 1;
  t.not(eepromSum(words), EEPROM_SUM, 'one flipped bit shows');
  t.same(Array.from(macFromEeprom(words)), [0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
});

t.test('open options: the 82576 limits, named in the errors', async (t) => {
  t.equal(queueSettings({ rxQueues: 16 }, IGB_LIMITS).rxQueues, 16);
  t.throws(() => queueSettings({ rxQueues: 17 }, IGB_LIMITS), { code: 'ERR_QUEUE_ID', message: /1 to 16 on the 82576/ });
  t.throws(() => queueSettings({ txRingSize: 8192 }, IGB_LIMITS), { code: 'ERR_RING_SIZE', message: /64 to 4096 on the 82576/ });
  t.equal(queueSettings({}, IGB_LIMITS).rxRingSize, 512);
});

t.test('link from STATUS: LU and the speed bits', async (t) => {
  t.same(linkFromStatus(0), { up: false, speedMbps: 0 });
  t.same(linkFromStatus(0x2 | (2 << 6)), { up: true, speedMbps: 1000 });
  t.same(linkFromStatus(0x2 | (1 << 6)), { up: true, speedMbps: 100 });
});

t.test('tsnic list marks an 82576 function supported, and says how to make it ready', async (t) => {
  const describe = (v: number, d: number): string | undefined => findDriver(v, d)?.describe(v, d);
  const info = { address: '0000:01:00.0', vendorId: 0x8086, deviceId: 0x10c9, classCode: 0x020000, iommuGroup: 7, interfaces: ['eth1'] };
  const bound = assess({ ...info, driver: 'igb' }, describe, []);
  t.match(bound.supported, /82576/);
  t.equal(bound.ready, false);
  t.match(bound.hint, /tsnic bind 0000:01:00\.0/);
  t.equal(assess({ ...info, driver: 'vfio-pci', interfaces: [] }, describe, []).ready, true);
  t.equal(assess({ ...info, deviceId: 0x10ca, driver: 'igbvf' }, describe, []).supported, undefined, 'the VF is not');
});
