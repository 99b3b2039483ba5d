// The ixgbe rx/tx ring logic over plain memory: the test plays the NIC by writing descriptors back.
import t from 'tap';
import type { DmaRegion, PciFunction } from '../../lib/bus/types';
import { RxQueue } from '../../lib/drivers/ixgbe/rx-queue';
import { TX_CLEAN_CHUNK, TxQueue } from '../../lib/drivers/ixgbe/tx-queue';
import { rdt, tdt } from '../../lib/drivers/ixgbe/registers';
import { PacketBatch } from '../../lib/memory/batch';
import { Mempool } from '../../lib/memory/mempool';

// Memory above 4 GiB, so the high address halves are exercised.
function fakePci(): PciFunction {
  let nextIova = 0x3_ffff_f000;
  return {
    allocDma(size: number): DmaRegion {
      const region = { bytes: new ArrayBuffer(size), iova: nextIova, size, hugepages: false };
      nextIova += size + 0x1000;
      return region;
    },
    freeDma() {},
  } as unknown as PciFunction;
}

/** BAR0 that records every write per register index. */
function recordingBar(): { bar0: Uint32Array; writes: Map<number, number[]> } {
  const writes = new Map<number, number[]>();
  const bar0 = new Proxy(new Uint32Array(0x20000 / 4), {
    set(target, key, value: number) {
      const i = Number(key);
      writes.set(i, [...(writes.get(i) ?? []), value]);
      target[i] = value;
      return true;
    },
  });
  return { bar0, writes };
}

const iovaOf = (ring: Uint32Array, i: number): number => ring[i * 4] + ring[i * 4 + 1] * 2 ** 32;

/** The NIC's advanced write-back: status (DD, EOP, errors) in dword 2, length in dword 3. */
function nicReceives(ring: Uint32Array, i: number, length: number, eop = true, errors = 0): void {
  ring[i * 4 + 3] = length;
  ring[i * 4 + 2] = (1 | (eop ? 2 : 0) | errors) >>> 0;
}

t.test('rx: frames handed out in order, slots re-armed with fresh buffers, one RDT write per batch', async (t) => {
  const pool = Mempool.create(fakePci(), { count: 100 });
  const { bar0, writes } = recordingBar();
  const ring = new Uint32Array(64 * 4);
  const rx = new RxQueue(bar0, 3, ring, 64, pool);
  rx.fill();
  t.equal(pool.available, 36);
  t.ok(ring[1] >= 3, 'high address half written');
  const batch = new PacketBatch(8);
  t.equal(rx.receive(batch.ids, batch.lengths, 0, 8), 0);
  t.notOk(writes.has(rdt(3) >>> 2), 'no tail write for an empty poll');
  const firstIova = iovaOf(ring, 0);
  for (let i = 0; i < 10; i++) nicReceives(ring, i, 60 + i);
  t.equal(rx.receive(batch.ids, batch.lengths, 0, 8), 8);
  t.same([...batch.lengths], [60, 61, 62, 63, 64, 65, 66, 67]);
  t.equal(pool.iovaOf(batch.ids[0]), firstIova, 'the buffer the NIC filled');
  t.not(iovaOf(ring, 0), firstIova, 'slot 0 holds a fresh buffer');
  t.same([...ring.subarray(2, 4)], [0, 0], 'status cleared');
  t.same(writes.get(rdt(3) >>> 2), [7], 'RDT = last re-armed slot, once');
  t.equal(rx.receive(batch.ids, batch.lengths, 3, 5), 2, 'appends after `start`');
  t.same([...batch.lengths.subarray(3, 5)], [68, 69]);
  t.same(writes.get(rdt(3) >>> 2), [7, 9]);
});

t.test('rx: error frames and multi-descriptor frames are dropped and counted, buffers kept', async (t) => {
  const pool = Mempool.create(fakePci(), { count: 100 });
  const { bar0 } = recordingBar();
  const ring = new Uint32Array(64 * 4);
  const rx = new RxQueue(bar0, 0, ring, 64, pool);
  rx.fill();
  const slot1 = iovaOf(ring, 1);
  nicReceives(ring, 0, 60);
  nicReceives(ring, 1, 60, true, 1 << 29); // RXE
  nicReceives(ring, 2, 2048, false); // first part of a frame spanning three descriptors
  nicReceives(ring, 3, 2048, false);
  nicReceives(ring, 4, 100, true);
  nicReceives(ring, 5, 61);
  const batch = new PacketBatch(8);
  t.equal(rx.receive(batch.ids, batch.lengths, 0, 8), 2);
  t.same([...batch.lengths.subarray(0, 2)], [60, 61]);
  t.equal(rx.errors, 2, 'one bad frame, one oversize frame');
  t.equal(iovaOf(ring, 1), slot1, 'the bad frame\'s buffer is re-armed as is');
  t.equal(pool.available, 100 - 64 - 2);
});

t.test('rx: a multi-descriptor frame split across two polls still counts once', async (t) => {
  const pool = Mempool.create(fakePci(), { count: 100 });
  const rx = new RxQueue(recordingBar().bar0, 0, new Uint32Array(64 * 4), 64, pool);
  rx.fill();
  nicReceives(rx.ring, 0, 2048, false);
  const batch = new PacketBatch(8);
  t.equal(rx.receive(batch.ids, batch.lengths, 0, 8), 0);
  nicReceives(rx.ring, 1, 500, true);
  nicReceives(rx.ring, 2, 70, true);
  t.equal(rx.receive(batch.ids, batch.lengths, 0, 8), 1);
  t.equal(batch.lengths[0], 70);
  t.equal(rx.errors, 1);
});

t.test('rx: an empty pool stops the harvest with the frame left in the ring', async (t) => {
  const pool = Mempool.create(fakePci(), { count: 66 });
  const rx = new RxQueue(recordingBar().bar0, 0, new Uint32Array(64 * 4), 64, pool);
  rx.fill();
  for (let i = 0; i < 4; i++) nicReceives(rx.ring, i, 60 + i);
  const batch = new PacketBatch(8);
  t.equal(rx.receive(batch.ids, batch.lengths, 0, 8), 2, 'two spare buffers, two frames');
  t.equal(rx.ring[2 * 4 + 2] & 1, 1, 'the third frame waits in its slot');
  pool.freeBulk(batch.ids, 0, 2);
  t.equal(rx.receive(batch.ids, batch.lengths, 0, 8), 2);
  t.same([...batch.lengths.subarray(0, 2)], [62, 63], 'in order once buffers are back');
});

t.test('tx: descriptors filled, one TDT write, the batch consumed; frames past the free slots stay', async (t) => {
  const pci = fakePci();
  const pool = Mempool.create(pci, { count: 256 });
  const { bar0, writes } = recordingBar();
  const ring = new Uint32Array(64 * 4);
  const tx = new TxQueue(bar0, 2, ring, 64, 'test');
  const batch = new PacketBatch(100);
  batch.pool = pool;
  batch.count = pool.allocBulk(batch.ids, 0, 70);
  batch.lengths.fill(60);
  const firstId = batch.ids[0];
  t.equal(tx.transmit(batch), 63, 'ring size - 1');
  t.same(writes.get(tdt(2) >>> 2), [63]);
  t.equal(batch.count, 7, 'the rest stays in the batch');
  t.equal(iovaOf(ring, 0), pool.iovaOf(firstId));
  t.equal(ring[2] & 0xffff, 60);
  t.equal(ring[3] >>> 14, 60);
  t.equal(tx.transmit(batch), 0, 'ring full');
  t.same(writes.get(tdt(2) >>> 2), [63], 'no tail write when nothing was taken');
});

t.test('tx: cleaning in whole chunks of 32, checking only the chunk\'s last descriptor', async (t) => {
  const pool = Mempool.create(fakePci(), { count: 256 });
  const ring = new Uint32Array(64 * 4);
  const tx = new TxQueue(recordingBar().bar0, 0, ring, 64, 'test');
  const batch = new PacketBatch(64);
  batch.pool = pool;
  batch.count = pool.allocBulk(batch.ids, 0, 40);
  batch.lengths.fill(100);
  tx.transmit(batch);
  t.equal(pool.available, 216);
  ring[30 * 4 + 3] |= 1;
  tx.reclaim();
  t.equal(pool.available, 216, 'DD on descriptor 30 is not enough');
  ring[(TX_CLEAN_CHUNK - 1) * 4 + 3] |= 1;
  tx.reclaim();
  t.equal(pool.available, 216 + 32, 'the first chunk came back');
  t.equal(tx.inFlight, 8);
  ring[39 * 4 + 3] |= 1;
  tx.reclaim();
  t.equal(tx.inFlight, 8, 'a partial chunk waits');
  tx.drop();
  t.equal(pool.available, 256, 'drop returns the rest');
});

t.test('tx: buffers of several pools return to their own pool', async (t) => {
  const pci = fakePci();
  const a = Mempool.create(pci, { count: 64 });
  const b = Mempool.create(pci, { count: 64 });
  const ring = new Uint32Array(64 * 4);
  const tx = new TxQueue(recordingBar().bar0, 0, ring, 64, 'test');
  for (const pool of [a, b]) {
    const batch = new PacketBatch(16);
    batch.pool = pool;
    batch.count = pool.allocBulk(batch.ids, 0, 16);
    batch.lengths.fill(60);
    tx.transmit(batch);
  }
  ring[31 * 4 + 3] |= 1;
  tx.reclaim();
  t.equal(a.available, 64);
  t.equal(b.available, 64);
});

t.test('tx: short frames zero-padded to 17 bytes; 0 and > 1514 bytes refused, nothing queued', async (t) => {
  const pool = Mempool.create(fakePci(), { count: 64 });
  const { bar0, writes } = recordingBar();
  const ring = new Uint32Array(64 * 4);
  const tx = new TxQueue(bar0, 0, ring, 64, 'sim:0');
  const batch = new PacketBatch(4);
  batch.pool = pool;
  const id = pool.alloc();
  const off = pool.offsetOf(id);
  pool.data.fill(0xee, off, off + 32);
  batch.ids[0] = id;
  batch.lengths[0] = 5;
  batch.count = 1;
  t.equal(tx.transmit(batch), 1);
  t.equal(ring[2] & 0xffff, 17);
  t.same([...pool.data.subarray(off + 4, off + 18)], [0xee, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xee], 'bytes 5..16 zeroed');
  for (const bad of [0, 1515]) {
    batch.ids[0] = pool.alloc();
    batch.lengths[0] = 60;
    batch.ids[1] = pool.alloc();
    batch.lengths[1] = bad;
    batch.count = 2;
    t.throws(() => tx.transmit(batch), { code: 'ERR_FRAME_SIZE', message: /sim:0: txBatch: packet 1/ });
    t.equal(batch.count, 2);
    t.equal(tx.inFlight, 1);
  }
  t.same(writes.get(tdt(0) >>> 2), [1], 'TDT written for the good batch only');
  const noPool = new PacketBatch(1);
  noPool.count = 1;
  t.throws(() => tx.transmit(noPool), { code: 'ERR_BATCH' });
});

t.test('tx: chained frames carry RS only on their last descriptor, and cleanup checks DD there', async (t) => {
  const pool = Mempool.create(fakePci(), { count: 256 });
  const ring = new Uint32Array(64 * 4);
  const tx = new TxQueue(recordingBar().bar0, 0, ring, 64, 'test');
  const batch = new PacketBatch(64);
  batch.pool = pool;
  // Eleven frames of three segments: 33 descriptors, so descriptor 31 (the chunk's last) is the
  // middle of frame 10 (slots 30, 31, 32).
  batch.count = pool.allocBulk(batch.ids, 0, 33);
  batch.lengths.fill(100);
  for (let k = 0; k < 33; k++) if (k % 3 !== 2) batch.chain(k);
  t.equal(tx.transmit(batch), 33);
  const RS = 1 << 27;
  const EOP = 1 << 24;
  for (let i = 0; i < 33; i++) {
    const cmd = ring[i * 4 + 2];
    t.equal((cmd & RS) !== 0, (cmd & EOP) !== 0, `descriptor ${i}: RS exactly when EOP`);
  }
  const before = pool.available;
  ring[31 * 4 + 3] |= 1;  // a mid-frame descriptor: silicon never writes DD there
  tx.reclaim();
  t.equal(pool.available, before, 'DD is not looked for mid-frame');
  ring[32 * 4 + 3] |= 1;  // the frame's last descriptor
  tx.reclaim();
  t.equal(pool.available, before + 33, 'the chunk grew to the end of the frame');
  t.equal(tx.inFlight, 0);
});

t.test('tx: pools switching and chained frames while others are in flight: every buffer back to its own pool, once, in time', async (t) => {
  // Three pools with the same ids (0..95): a buffer returned to the wrong pool shows as a duplicate id
  // there. The NIC completes frames in order; DD is written on each frame's last descriptor (RS).
  // Chains of 2 or 3 buffers start anywhere in a batch. Seeds 28 * 7919 and 33 * 7919 hold a chunk back
  // for good when the one-buffer frames queued between two chained batches keep a frame-end word from
  // the ring's previous lap (TxRing.slots, AdvTxQueue.markFrameEnds): cleanup then waits for DD on a
  // chained frame's first descriptor, which the NIC never writes, and the ring fills.
  for (const start of [12345, 28 * 7919, 33 * 7919]) {
    const pci = fakePci();
    const pools = [0, 1, 2].map(() => Mempool.create(pci, { count: 96 }));
    const ring = new Uint32Array(64 * 4);
    const tx = new TxQueue(recordingBar().bar0, 0, ring, 64, 'test');
    let seed = start;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    // Descriptor index (absolute) -> its frame's last descriptor, for completing frames in order.
    const frameEndOf: number[] = [];
    let queued = 0;
    let completed = 0;
    let early = 0;
    let late = 0;
    let chained = 0;
    for (let round = 0; round < 2000; round++) {
      const pool = pools[rnd(3)];
      const batch = new PacketBatch(8);
      batch.pool = pool;
      batch.count = pool.allocBulk(batch.ids, 0, 1 + rnd(8));
      batch.lengths.fill(60);
      let chainAt = -1;
      let chainLength = 0;
      if (rnd(4) === 0 && batch.count >= 2) {
        chainAt = rnd(batch.count - 1);
        chainLength = Math.min(2 + rnd(Math.min(3, batch.count - chainAt) - 1 || 1), batch.count - chainAt);
        for (let k = chainAt; k < chainAt + chainLength - 1; k++) batch.chain(k);
        chained++;
      }
      const n = tx.transmit(batch);
      for (let k = 0; k < n; k++) {
        const inChain = chainAt >= 0 && k >= chainAt && k < chainAt + chainLength;
        frameEndOf[queued + k] = inChain ? queued + chainAt + chainLength - 1 : queued + k;
      }
      queued += n;
      if (tx.inFlight < queued - completed) early++;
      // Cleanup releases in chunks of 32, stretched to the end of a chained frame: more than that held
      // after the NIC completed it is a chunk kept back.
      if (tx.inFlight > queued - completed + TX_CLEAN_CHUNK) late++;
      batch.freeAll();
      // The NIC finishes some frames: DD on the last descriptor of each.
      const finish = rnd(12);
      for (let f = 0; f < finish && completed < queued; f++) {
        const end = frameEndOf[completed];
        ring[(end % 64) * 4 + 3] |= 1;
        completed = end + 1;
      }
    }
    t.equal(early, 0, `seed ${start}: no buffer was released before the NIC completed its frame`);
    t.equal(late, 0, `seed ${start}: no completed chunk was held back`);
    t.ok(chained > 300 && completed > 5000, `seed ${start}: the run mixed ${chained} chained frames into ${completed} completed descriptors`);
    tx.drop();
    for (const [p, pool] of pools.entries()) {
      t.equal(pool.available, 96, `seed ${start}, pool ${p}: every buffer back`);
      const ids = [...pool.freeIds.subarray(0, pool.top)].sort((x, y) => x - y);
      t.same(ids, Array.from({ length: 96 }, (_, i) => i), `seed ${start}, pool ${p}: each of its ids once, none of another pool's`);
    }
  }
});
