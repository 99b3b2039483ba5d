// Open options of the ixgbe driver: ring sizes, queue counts, buffers, defaults.
import t from 'tap';
import { checkRingSize, ixgbeSettings } from '../../lib/drivers/ixgbe/settings';
import { IXGBE_DEVICES, UNSUPPORTED_IXGBE_DEVICES, unsupportedMessage } from '../../lib/drivers/ixgbe/ids';

t.test('defaults: one queue each way, 512 descriptors, 4096 buffers of 2048 bytes, promiscuous', async (t) => {
  t.same(ixgbeSettings({}), {
    rxQueues: 1, txQueues: 1, rxRingSize: 512, txRingSize: 512, mempoolSize: 4096, bufferSize: 2048,
    promiscuous: true, waitForLink: true, linkTimeoutMs: 10000, ignoreEepromChecksum: false, hugepages: 'prefer',
  });
  t.equal(ixgbeSettings({ rxRingSize: 4096 }).mempoolSize, 16384, '4 x the ring when larger');
});

t.test('ring sizes: powers of two from 64 to 32768 (RDLEN <= 0xFFF80, two tx clean chunks)', async (t) => {
  for (const ok of [64, 128, 512, 4096, 32768]) t.equal(checkRingSize('rxRingSize', ok), ok);
  for (const bad of [0, 8, 32, 63, 96, 500, 65536, -512, 512.5, NaN, '512']) {
    t.throws(() => checkRingSize('rxRingSize', bad), { code: 'ERR_RING_SIZE', message: /^rxRingSize must be a power of two/ }, String(bad));
  }
  t.ok(32768 * 16 <= 0xfff80, 'the largest ring fits RDLEN');
  t.equal((64 * 16) % 128, 0, 'the smallest ring is a multiple of 128 bytes');
});

t.test('queue counts 1..64; buffer sizes in 1 KiB units from 2048; mempool larger than the ring', async (t) => {
  t.equal(ixgbeSettings({ rxQueues: 16, txQueues: 64 }).rxQueues, 16);
  t.throws(() => ixgbeSettings({ rxQueues: 17 }), { code: 'ERR_QUEUE_ID', message: /1 to 16 on the 82599 \(RSS/ });
  t.throws(() => ixgbeSettings({ txQueues: 65 }), { code: 'ERR_QUEUE_ID', message: /1 to 64/ });
  t.throws(() => ixgbeSettings({ rxQueues: 0 }), { code: 'ERR_QUEUE_ID' });
  t.throws(() => ixgbeSettings({ txQueues: 65 }), { code: 'ERR_QUEUE_ID' });
  t.equal(ixgbeSettings({ bufferSize: 16384 }).bufferSize, 16384);
  t.throws(() => ixgbeSettings({ bufferSize: 2560 }), { code: 'ERR_INVALID_ARG' });
  t.throws(() => ixgbeSettings({ bufferSize: 17408 }), { code: 'ERR_INVALID_ARG' });
  t.throws(() => ixgbeSettings({ rxRingSize: 512, mempoolSize: 512 }), { code: 'ERR_INVALID_ARG' });
  t.throws(() => ixgbeSettings({ hugepages: 'always' as never }), { code: 'ERR_INVALID_ARG' });
});

t.test('device table: the 82599 ids claimed, X540/X550 refused by name', async (t) => {
  for (const id of [0x10fb, 0x10f7, 0x1514, 0x1517, 0x10f8, 0x10f9, 0x1507, 0x154d, 0x1529, 0x152a, 0x10fc, 0x151c, 0x1557]) {
    t.ok(IXGBE_DEVICES.has(id), id.toString(16));
  }
  for (const id of IXGBE_DEVICES.keys()) t.notOk(UNSUPPORTED_IXGBE_DEVICES.has(id));
  t.match(unsupportedMessage('sim:0', 0x8086, 0x1563), /8086:1563 is an Intel X550-T.*supports the 82599 family only \(8086:10f7/);
});
