// Frames spread over several buffers (PacketBatch.chain) go out over several advanced tx data
// descriptors (82599 datasheet 7.2.3.2.4: EOP on the last, PAYLEN the whole frame); the model
// reassembles them and the tester's checker validates every byte-dependent checksum.
import t from 'tap';
import { PacketBatch } from '../../lib/memory/batch';
import { Mempool } from '../../lib/memory/mempool';
import { assertConformant, openPort, testCard } from './ixgbe-helpers';
import { testFrame } from './model-helpers';
import { waitForTraffic } from './traffic-watch';

/** Puts `frame` into `parts` buffers of `pool` (split at even cuts), chained in `batch` from its end. */
function addChained(batch: PacketBatch, pool: Mempool, frame: Uint8Array, parts: number): void {
  const cut = Math.ceil(frame.length / parts);
  for (let off = 0, p = 0; off < frame.length; off += cut, p++) {
    const piece = frame.subarray(off, Math.min(off + cut, frame.length));
    const id = pool.alloc();
    if (id < 0) throw new Error('pool empty');
    pool.data.set(piece, pool.offsetOf(id));
    const k = batch.count++;
    batch.ids[k] = id;
    batch.lengths[k] = piece.length;
    if (off + cut < frame.length) batch.chain(k);
  }
}

t.test('chained frames of 2 to 5 segments arrive whole, in order, checksums valid', async (t) => {
  const card = testCard(t);
  const dev = await openPort(card);
  const pool = Mempool.create(dev.pci, { count: 4096 });
  const batch = new PacketBatch(64);
  batch.pool = pool;
  const n = 2000;
  let bytes = 0;
  let sent = 0;
  let next = 0;
  await waitForTraffic('every chained frame queued', () => {
    while (next < n && batch.count + 5 <= batch.capacity && pool.available >= 5) {
      const size = 60 + ((next * 7919) % (1514 - 60 + 1));
      bytes += size;
      addChained(batch, pool, testFrame(size, next), 2 + (next % 4));
      next++;
    }
    const before = batch.count;
    const taken = dev.txBatch(0, batch);
    t.ok(taken <= before);
    sent += taken;
    return next === n && batch.count === 0;
  }, { card, devs: [dev], progress: () => sent, describe: () => `${next} of ${n} frames built, ${sent} segments queued` });
  const tester = card.tester(0);
  await waitForTraffic('the checker saw every frame', () => tester.stats().rxPackets >= n, { card, devs: [dev] });
  const s = tester.stats();
  t.equal(s.rxPackets, n, 'one frame per chain');
  t.equal(s.rxBytes, bytes, 'every byte');
  t.equal(s.seqGaps + s.seqReordered + s.badChecksums + s.nonUdp, 0, 'in order, checksums valid');
  t.equal(card.counters(0).txDescriptors, sent, 'one descriptor per segment');
  t.equal(dev.readStats().txPackets, n, 'GPTC counts frames, not segments');
  assertConformant(t, card);
  dev.close();
  t.equal(pool.available, pool.count, 'every segment buffer returned');
  pool.destroy();
});

t.test('chains are whole or refused: a frame never straddles two calls; bad chains leave the ring alone', async (t) => {
  const card = testCard(t);
  const dev = await openPort(card, 0, { txRingSize: 64 });
  const pool = Mempool.create(dev.pci, { count: 512 });
  const batch = new PacketBatch(256);
  batch.pool = pool;
  // 40 frames of 3 segments = 120 descriptors; the ring has 63 free: 21 frames (63 segments) fit.
  for (let i = 0; i < 40; i++) addChained(batch, pool, testFrame(300, i), 3);
  t.equal(dev.txBatch(0, batch), 63, 'whole frames only: 21 frames of 3');
  t.equal(batch.count, 57, 'the rest stays in the batch');
  t.equal(batch.more[0], 1, 'with its chain marks moved along');
  batch.freeAll();
  t.equal(batch.hasChains, false, 'an emptied batch has no chains');

  await waitForTraffic('ring drained', () => card.tester(0).stats().rxPackets === 21, { card, devs: [dev] });
  const dangling = new PacketBatch(4);
  dangling.pool = pool;
  addChained(dangling, pool, testFrame(100, 0), 2);
  dangling.count = 1; // the frame's last part is missing
  t.throws(() => dev.txBatch(0, dangling), { code: 'ERR_BATCH', message: /chained to a packet the batch does not have/ });
  dangling.count = 2;
  dangling.lengths[1] = 1500; // 50 + 1500 bytes: over 1514
  t.throws(() => dev.txBatch(0, dangling), { code: 'ERR_FRAME_SIZE', message: /1550 bytes/ });
  t.equal(card.counters(0).txDescriptors, 63, 'refused chains queued nothing');
  dangling.freeAll();
  dev.close();
  assertConformant(t, card);
});
