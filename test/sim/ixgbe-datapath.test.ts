// The ixgbe driver moving frames on the simulated 82599: rx from the tester's generator, tx to its
// checker, loopback, forwarding between the two ports, starvation, rx errors, several queues, and
// close while traffic flows.
import t from 'tap';
import { lineRatePps } from '../../lib/bus/sim';
import type { IxgbeDevice } from '../../lib/drivers/ixgbe';
import { TX_CLEAN_CHUNK } from '../../lib/drivers/ixgbe/tx-queue';
import { PacketBatch } from '../../lib/memory/batch';
import { Mempool } from '../../lib/memory/mempool';
import type { SimCard } from '../../lib/bus/sim';
import { rxLost, SeqLedger } from './balance';
import { assertConformant, openPort, putFrame, testCard } from './ixgbe-helpers';
import { sleep, testFrame, verifyFrame } from './model-helpers';
import { waitForTraffic } from './traffic-watch';

/** Checks every frame of `batch` as a tester frame: size, checksums, payload pattern; returns their sequence numbers. */
function checkBatch(batch: PacketBatch, size: number, seqs: number[], problems: string[]): void {
  const pool = batch.pool as Mempool;
  const data = pool.data;
  for (let k = 0; k < batch.count; k++) {
    const off = pool.offsetOf(batch.ids[k]);
    const len = batch.lengths[k];
    if (len !== size) problems.push(`length ${len} != ${size}`);
    const v = verifyFrame(data.subarray(off, off + len));
    if (!v.ipOk || !v.udpOk) problems.push(`bad checksum in frame ${v.seq}`);
    for (let i = 46; i < len; i++) {
      if (data[off + i] !== (i & 0xff)) {
        problems.push(`frame ${v.seq}: byte ${i} is ${data[off + i]}`);
        break;
      }
    }
    seqs.push(v.seq);
  }
}

/** Sends `frames` (built by `make(i)`) on queue `queue` of `dev`, from `pool`. */
async function sendAll(card: SimCard, dev: IxgbeDevice, queue: number, pool: Mempool, count: number, make: (i: number) => Uint8Array): Promise<void> {
  const batch = new PacketBatch(32);
  batch.pool = pool;
  let next = 0;
  await waitForTraffic(`${count} frames queued on tx queue ${queue}`, () => {
    while (batch.count < batch.capacity && next < count) {
      const id = pool.alloc();
      if (id < 0) break;
      const f = make(next++);
      putFrame(pool, id, f);
      batch.ids[batch.count] = id;
      batch.lengths[batch.count] = f.length;
      batch.count++;
    }
    dev.txBatch(queue, batch);
    return next === count && batch.count === 0;
  }, { card, devs: [dev], progress: () => next - batch.count, describe: () => `${next - batch.count} of ${count} queued` });
}

/** Sizes 60..1514 from a fixed linear congruential sequence. */
function mixedSize(i: number): number {
  return 60 + ((i * 2654435761) >>> 0) % (1514 - 60 + 1);
}

t.test('rx: line-rate bursts of each size that fit the ring arrive once, in order, intact; counters agree', async (t) => {
  const card = testCard(t);
  const dev = await openPort(card);
  const batch = new PacketBatch(64);
  const tester = card.tester(0);
  // 500 frames never overrun the 511 descriptors the driver hands the card, however slowly it polls:
  // every frame must arrive, whatever the machine's load.
  const n = 500;
  let total = 0;
  let bytes = 0;
  for (const size of [60, 61, 64, 128, 513, 1024, 1513, 1514]) {
    for (let burst = 0; burst < 4; burst++) {
      tester.startGenerator({ count: n, frameSize: size, ratePps: 'line' });
      const seqs: number[] = [];
      const problems: string[] = [];
      await waitForTraffic(`${n} frames of ${size} bytes`, () => {
        dev.rxBatch(0, batch);
        checkBatch(batch, size, seqs, problems);
        batch.freeAll();
        return seqs.length >= n && !tester.stats().generatorRunning;
      }, { card, devs: [dev], progress: () => seqs.length, describe: () => `${seqs.length} of ${n} frames of ${size} bytes` });
      await sleep(5);
      t.equal(dev.rxBatch(0, batch), 0, `${size}: nothing more`);
      t.same(problems, [], `${size}: every frame intact`);
      t.ok(seqs.length === n && seqs.every((s, i) => s === i), `${size}: sequence 0..${n - 1} without gap or repeat`);
      total += n;
      bytes += n * (size + 4);
    }
  }
  const stats = dev.readStats();
  t.equal(stats.rxPackets, total, 'GPRC accumulated');
  t.equal(stats.rxBytes, bytes, 'GORC accumulated (with FCS)');
  t.equal(rxLost(stats), 0, 'nothing missed: no burst was larger than the free descriptors');
  t.equal(stats.rxErrors, 0);
  t.equal(tester.stats().txPackets, total, 'the generator sent exactly that');
  t.equal(dev.rxPool(0).available, dev.rxPool(0).count - 512, 'every buffer back in the pool but the ring\'s');
  assertConformant(t, card);
  dev.close();
  assertConformant(t, card);
});

t.test('rx: 200000 frames at line rate, 256 per poll: each received once, in order; the rest counted missed', async (t) => {
  const card = testCard(t);
  const dev = await openPort(card, 0, { rxRingSize: 1024 });
  const batch = new PacketBatch(256);
  const tester = card.tester(0);
  const n = 200_000;
  tester.startGenerator({ count: n, frameSize: 60, ratePps: 'line' });
  const seq = new SeqLedger();
  let wrongLength = 0;
  let stats = dev.readStats();
  await waitForTraffic('every frame received or missed', () => {
    const got = dev.rxBatch(0, batch);
    const pool = batch.pool as Mempool;
    for (let k = 0; k < got; k++) {
      const off = pool.offsetOf(batch.ids[k]) + 42;
      const d = pool.data;
      seq.see(((d[off] << 24) | (d[off + 1] << 16) | (d[off + 2] << 8) | d[off + 3]) >>> 0);
      if (batch.lengths[k] !== 60) wrongLength++;
    }
    batch.freeAll();
    if (got > 0) return false;
    stats = dev.readStats(stats);
    return seq.received + rxLost(stats) >= n;
  }, { card, devs: [dev], progress: () => seq.received, describe: () => `received ${seq.received} of ${n}` });
  stats = dev.readStats(stats);
  t.comment(`received ${seq.received}, missed ${rxLost(stats)}`);
  t.equal(wrongLength, 0, 'every frame 60 bytes');
  t.equal(seq.backwards, 0, 'no frame twice or out of order');
  t.equal(seq.received + rxLost(stats), n, 'received + missed = sent');
  t.equal(seq.missing(n), rxLost(stats), 'the frames missing from the sequence are exactly the missed ones');
  t.equal(stats.rxPackets, seq.received);
  assertConformant(t, card);
  dev.close();
});

t.test('tx: mixed-size IPv4/UDP frames reach the checker once, in order, with valid checksums', async (t) => {
  const card = testCard(t);
  const dev = await openPort(card);
  const pool = Mempool.create(dev.pci, { count: 1024 });
  const n = 20_000;
  let bytes = 0;
  for (let i = 0; i < n; i++) bytes += mixedSize(i);
  await sendAll(card, dev, 0, pool, n, (i) => testFrame(mixedSize(i), i));
  const tester = card.tester(0);
  await waitForTraffic('checker saw every frame', () => tester.stats().rxPackets >= n, { card, devs: [dev] });
  const s = tester.stats();
  t.equal(s.rxPackets, n);
  t.equal(s.rxBytes, bytes);
  t.equal(s.seqGaps, 0);
  t.equal(s.seqReordered, 0);
  t.equal(s.badChecksums, 0);
  t.equal(s.nonUdp, 0);
  const stats = dev.readStats();
  t.equal(stats.txPackets, n, 'GPTC accumulated');
  t.equal(stats.txBytes, bytes + 4 * n, 'GOTC accumulated (with FCS)');
  const empty = new PacketBatch(1);
  await waitForTraffic('sent buffers back', () => {
    dev.txBatch(0, empty);
    return pool.available >= pool.count - (TX_CLEAN_CHUNK - 1);
  }, { card, devs: [dev], progress: () => pool.available, describe: () => `${pool.available} of ${pool.count} buffers back` });
  t.pass('sent buffers returned to their pool in chunks of 32 (a partial chunk stays in the ring)');
  assertConformant(t, card);
  dev.close();
  t.equal(pool.available, pool.count, 'close returns the buffers still in the ring');
  pool.destroy();
  assertConformant(t, card);
});

t.test('tx: short frames are padded, empty and oversize frames refused with the ring untouched', async (t) => {
  const card = testCard(t);
  const dev = await openPort(card);
  const pool = Mempool.create(dev.pci, { count: 256 });
  const tester = card.tester(0);
  const batch = new PacketBatch(4);
  batch.pool = pool;
  const id = pool.alloc();
  pool.data.fill(0xaa, pool.offsetOf(id), pool.offsetOf(id) + 64);
  batch.ids[0] = id;
  batch.lengths[0] = 14;
  batch.count = 1;
  t.equal(dev.txBatch(0, batch), 1);
  t.same([...pool.data.subarray(pool.offsetOf(id) + 14, pool.offsetOf(id) + 18)], [0, 0, 0, 0xaa], 'zero-padded to 17 bytes');
  await waitForTraffic('short frame', () => tester.stats().rxPackets === 1, { card, devs: [dev] });
  t.equal(tester.stats().rxBytes, 60, 'padded to 60 bytes on the wire (HLREG0.TXPADEN)');
  const tdt = (): number => card.port(0).bar0[0x6018 >>> 2];
  const before = tdt();
  for (const bad of [0, 1515, 2000]) {
    const a = pool.alloc();
    const b = pool.alloc();
    putFrame(pool, a, testFrame(60, 100));
    batch.ids[0] = a;
    batch.lengths[0] = 60;
    batch.ids[1] = b;
    batch.lengths[1] = bad;
    batch.count = 2;
    t.throws(() => dev.txBatch(0, batch), { code: 'ERR_FRAME_SIZE', message: new RegExp(`packet 1 is ${bad} bytes; frames must be 1 to 1514`) });
    t.equal(batch.count, 2, 'the batch keeps its packets');
    t.equal(tdt(), before, 'TDT not moved');
    pool.freeBulk(batch.ids, 0, 2);
  }
  await sleep(10);
  t.equal(tester.stats().rxPackets, 1, 'nothing of the refused batches went out');
  assertConformant(t, card);
  dev.close();
  pool.destroy();
});

t.test('loopback: what tx sends, rx receives, byte for byte', async (t) => {
  const card = testCard(t, { wiring: 'loopback' });
  const dev = await openPort(card);
  const n = 5000;
  const frames = Array.from({ length: n }, (_, i) => testFrame(mixedSize(i * 7), i));
  const batch = new PacketBatch(32);
  let received = 0;
  let mismatched = 0;
  const drain = (): void => {
    dev.rxBatch(0, batch);
    const pool = batch.pool as Mempool;
    for (let k = 0; k < batch.count; k++) {
      const f = frames[received++];
      const off = pool.offsetOf(batch.ids[k]);
      if (batch.lengths[k] !== f.length || Buffer.compare(pool.data.subarray(off, off + f.length), f) !== 0) mismatched++;
    }
    batch.freeAll();
  };
  const txPool = Mempool.create(dev.pci, { count: 512 });
  const txb = new PacketBatch(32);
  txb.pool = txPool;
  let sent = 0;
  await waitForTraffic('loopback', () => {
    // At most half a ring in flight: the wire loops frames back at line rate, so a test process
    // descheduled for a moment must never have more outstanding than the rx ring holds.
    while (txb.count < 32 && sent < n && sent - received < 256) {
      const id = txPool.alloc();
      if (id < 0) break;
      putFrame(txPool, id, frames[sent]);
      txb.ids[txb.count] = id;
      txb.lengths[txb.count++] = frames[sent++].length;
    }
    dev.txBatch(0, txb);
    drain();
    return received >= n;
  }, { card, devs: [dev], progress: () => received + sent, describe: () => `sent ${sent}, received ${received} of ${n}` });
  t.equal(received, n);
  t.equal(mismatched, 0, 'every frame identical, in order');
  const stats = dev.readStats();
  t.equal(stats.rxPackets, stats.txPackets, 'rx == tx counters');
  t.equal(stats.rxPackets, n);
  assertConformant(t, card);
  dev.close();
  txPool.destroy();
});

t.test("forwarding at line rate: generator -> port 0 -> port 1 -> checker; port 0's misses are the checker's gaps", async (t) => {
  const card = testCard(t);
  const dev0 = await openPort(card, 0);
  const dev1 = await openPort(card, 1);
  const n = 50_000;
  card.tester(0).startGenerator({ count: n, frameSize: 60, ratePps: 'line' });
  const batch = new PacketBatch(64);
  const checker = card.tester(1);
  let received = 0;
  let forwarded = 0;
  const seq = new SeqLedger();
  await waitForTraffic('every frame forwarded or missed', () => {
    if (batch.count === 0) {
      const got = dev0.rxBatch(0, batch);
      const pool = batch.pool as Mempool | null;
      for (let k = 0; k < got && pool !== null; k++) {
        const off = pool.offsetOf(batch.ids[k]) + 42;
        const d = pool.data;
        seq.see(((d[off] << 24) | (d[off + 1] << 16) | (d[off + 2] << 8) | d[off + 3]) >>> 0);
      }
      received += got;
    }
    forwarded += dev1.txBatch(0, batch);
    return batch.count === 0 && received + rxLost(dev0.readStats()) >= n && checker.stats().rxPackets >= forwarded;
  }, { card, devs: [dev0, dev1], progress: () => received + forwarded, describe: () => `received ${received}, forwarded ${forwarded} of ${n}` });
  const missed = rxLost(dev0.readStats());
  const s = checker.stats();
  t.comment(`received ${received}, missed ${missed}`);
  t.equal(received + missed, n, 'port 0 received or missed every frame');
  t.equal(s.rxPackets, received, 'every received frame forwarded once');
  t.equal(seq.missing(n), missed, 'the sequence numbers port 0 never received are exactly its rx_missed');
  t.equal(s.seqGaps, seq.gaps, 'the checker sees the same gaps: nothing lost or added by forwarding');
  t.equal(s.seqReordered, 0);
  t.equal(s.badChecksums, 0);
  t.equal(dev1.readStats().txPackets, s.rxPackets);
  dev1.close();
  t.equal(dev0.rxPool(0).available, dev0.rxPool(0).count - 512, "port 1 returned port 0's buffers on close");
  dev0.close();
  assertConformant(t, card, 0);
  assertConformant(t, card, 1);
});

t.test('a driver slower than line rate: rx_missed counts exactly the frames it did not take', async (t) => {
  const card = testCard(t);
  const dev = await openPort(card);
  const n = 100_000;
  // Line rate is 14.88 Mpps; the test takes at most 32 frames per millisecond (32 kpps).
  card.tester(0).startGenerator({ count: n, frameSize: 60, ratePps: 'line' });
  const batch = new PacketBatch(32);
  const seq = new SeqLedger();
  let stats = dev.readStats();
  const take = (): number => {
    const got = dev.rxBatch(0, batch);
    const pool = batch.pool as Mempool | null;
    for (let k = 0; k < got && pool !== null; k++) {
      const off = pool.offsetOf(batch.ids[k]) + 42;
      const d = pool.data;
      seq.see(((d[off] << 24) | (d[off + 1] << 16) | (d[off + 2] << 8) | d[off + 3]) >>> 0);
    }
    batch.freeAll();
    return got;
  };
  const watched = { card, devs: [dev], progress: () => seq.received, describe: () => `received ${seq.received} of ${n}` };
  await waitForTraffic('the generator to finish', () => {
    take();
    return !card.tester(0).stats().generatorRunning;
  }, watched);
  await waitForTraffic('every frame received or missed', () => {
    if (take() > 0) return false;
    stats = dev.readStats(stats);
    return seq.received + rxLost(stats) >= n;
  }, watched);
  await sleep(5);
  t.equal(take(), 0, 'nothing more');
  stats = dev.readStats(stats);
  const missed = rxLost(stats);
  t.comment(`received ${seq.received}, missed ${missed}`);
  t.ok(missed > 0, 'frames were missed');
  t.equal(seq.received + missed, n, 'received + missed = sent');
  t.equal(seq.backwards, 0, 'no frame twice or out of order');
  t.equal(seq.missing(n), missed, 'rx_missed is exactly the number of sequence numbers never received');
  t.equal(missed, card.counters(0).rxMissed + card.counters(0).rxDropEn, 'the model agrees (packet buffer full, or DROP_EN)');
  t.equal(stats.rxPackets, seq.received);
  assertConformant(t, card);
  dev.close();
});

t.test('rx errors: frames with a MAC error are dropped by the NIC (FCTRL.SBP clear) and counted in CRCERRS', async (t) => {
  const card = testCard(t);
  const dev = await openPort(card);
  card.setFaults(0, { rxErrorEvery: 10 });
  // 500 frames fit the ring: none can be missed, however slowly the test polls.
  card.tester(0).startGenerator({ count: 500, frameSize: 100, ratePps: 'line' });
  const batch = new PacketBatch(32);
  let received = 0;
  await waitForTraffic('450 frames', () => {
    received += dev.rxBatch(0, batch);
    batch.freeAll();
    return !card.tester(0).stats().generatorRunning && received >= 450;
  }, { card, devs: [dev], progress: () => received, describe: () => `received ${received} of 450` });
  await sleep(5);
  received += dev.rxBatch(0, batch);
  batch.freeAll();
  const stats = dev.readStats();
  t.equal(received, 450);
  t.equal(stats.rxErrors, 0, 'no bad frame reached a descriptor');
  t.equal(stats.rxCrcErrors, 50);
  t.equal(stats.rxPackets, 450);
  t.equal(rxLost(stats), 0);
  t.equal(dev.rxPool(0).available, dev.rxPool(0).count - 512, 'no buffer lost');
  assertConformant(t, card);
  dev.close();
});

t.test('several queues: every tx queue sends; rxBurstAll shares a budget over the rx queues', async (t) => {
  const card = testCard(t);
  const dev = await openPort(card, 0, { rxQueues: 4, txQueues: 4 });
  // Each queue may keep up to a ring's worth of sent buffers until it is polled again.
  const pool = Mempool.create(dev.pci, { count: 4 * 512 + 64 });
  for (let q = 0; q < 4; q++) await sendAll(card, dev, q, pool, 500, (i) => testFrame(60 + q, q * 500 + i));
  await waitForTraffic('2000 frames', () => card.tester(0).stats().rxPackets >= 2000, { card, devs: [dev] });
  const s = card.tester(0).stats();
  t.equal(s.rxPackets, 2000);
  t.equal(s.badChecksums, 0);
  t.equal(s.rxBytes, 500 * (60 + 61 + 62 + 63), 'each queue\'s frames');
  // 300 frames fit the ring: none can be missed, however slowly the test polls.
  card.tester(0).startGenerator({ count: 300, frameSize: 60, ratePps: 'line' });
  const batch = new PacketBatch(64);
  let got = 0;
  let overBudget = 0;
  await waitForTraffic('300 frames', () => {
    const n = dev.rxBurstAll(batch, 40);
    if (n > 40) overBudget++;
    got += n;
    batch.freeAll();
    return got >= 300;
  }, { card, devs: [dev], progress: () => got, describe: () => `${got} of 300 frames` });
  t.equal(overBudget, 0, 'never more than the budget');
  t.equal(got, 300);
  assertConformant(t, card);
  dev.close();
  pool.destroy();
});

t.test('close while traffic flows: no DMA after close, the port is quiet', async (t) => {
  const card = testCard(t);
  const dev = await openPort(card);
  card.tester(0).startGenerator({ ratePps: lineRatePps(60) });
  const pool = Mempool.create(dev.pci, { count: 2048 });
  const batch = new PacketBatch(64);
  batch.pool = pool;
  for (let i = 0; i < 64; i++) {
    batch.ids[i] = pool.alloc();
    putFrame(pool, batch.ids[i], testFrame(1514, i));
    batch.lengths[i] = 1514;
  }
  batch.count = 64;
  for (let round = 0; round < 20; round++) dev.txBatch(0, batch);
  const rx = new PacketBatch(64);
  dev.rxBatch(0, rx);
  rx.freeAll();
  dev.close();
  const delivered = card.counters(0).rxDelivered;
  await sleep(20);
  t.equal(card.counters(0).rxDelivered, delivered, 'nothing written into descriptors after close');
  assertConformant(t, card);
  card.tester(0).stopGenerator();
  pool.destroy();
});
