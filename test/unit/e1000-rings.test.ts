// The e1000 rx/tx ring logic over plain memory: the test plays the NIC by writing descriptors back.
import t from 'tap';
import type { DmaRegion, PciFunction } from '../../lib/bus/types';
import { RxQueue } from '../../lib/drivers/e1000/rx-queue';
import { TxQueue } from '../../lib/drivers/e1000/tx-queue';
import { REG } from '../../lib/drivers/e1000/registers';
import { PacketBatch } from '../../lib/memory/batch';
import { Mempool } from '../../lib/memory/mempool';

// Only allocDma/freeDma are used by Mempool; memory at a made-up IOVA.
function fakePci(): PciFunction {
  let nextIova = 0x4000_0000;
  return {
    allocDma(size: number): DmaRegion {
      const region = { bytes: new ArrayBuffer(size), iova: nextIova, size, hugepages: false };
      nextIova += size;
      return region;
    },
    freeDma() {},
  } as unknown as PciFunction;
}

/** Counts writes per register index. */
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

/** What the NIC does on receive: DD|EOP, length, and the frame into the descriptor's buffer. */
function nicReceives(ring: Uint32Array, pool: Mempool, i: number, length: number, errors = 0): void {
  ring[i * 4 + 2] = length;
  ring[i * 4 + 3] = 0x3 | (errors << 8);
  const offset = ring[i * 4] - pool.iovaBase;
  pool.data.fill(i & 0xff, offset, offset + length);
}

t.test('rx: frames in order, slots re-armed, one RDT write per batch', async (t) => {
  const pool = Mempool.create(fakePci(), { count: 64 });
  const { bar0, writes } = recordingBar();
  const ring = new Uint32Array(8 * 4);
  const rx = new RxQueue(bar0, ring, 8, pool);
  rx.fill();
  t.equal(pool.available, 56);
  const batch = new PacketBatch(4);
  t.equal(rx.receive(batch, 4), 0, 'nothing written back yet');
  t.notOk(writes.has(REG.RDT >>> 2), 'no tail write for an empty poll');

  const firstBuffer = ring[0] - pool.iovaBase;
  for (let i = 0; i < 6; i++) nicReceives(ring, pool, i, 60 + i);
  t.equal(rx.receive(batch, 4), 4);
  t.same(Array.from(batch.lengths.subarray(0, 4)), [60, 61, 62, 63]);
  t.equal(pool.offsetOf(batch.ids[0]), firstBuffer, 'the buffer the NIC filled');
  t.equal(pool.data[pool.offsetOf(batch.ids[3])], 3);
  t.same(writes.get(REG.RDT >>> 2), [3], 'RDT = last re-armed slot, written once');
  t.equal(ring[3] & 0xff, 0, 'slot 0 status cleared');
  t.not(ring[0] - pool.iovaBase, firstBuffer, 'slot 0 holds a fresh buffer');
  t.equal(pool.available, 52);

  t.equal(rx.receive(batch, 4), 2, 'the rest');
  t.same(writes.get(REG.RDT >>> 2), [3, 5]);
  batch.freeAll();
});

t.test('rx: a frame with a receive error is dropped and counted, its buffer kept', async (t) => {
  const pool = Mempool.create(fakePci(), { count: 16 });
  const { bar0 } = recordingBar();
  const ring = new Uint32Array(8 * 4);
  const rx = new RxQueue(bar0, ring, 8, pool);
  rx.fill();
  nicReceives(ring, pool, 0, 64, 0x01); // CRC error
  nicReceives(ring, pool, 1, 64);
  const batch = new PacketBatch(8);
  t.equal(rx.receive(batch, 8), 1);
  t.equal(rx.errors, 1);
  t.equal(pool.available, 16 - 8 - 1, 'only the delivered frame left the ring');
});

t.test('rx: an empty pool leaves frames in the ring', async (t) => {
  const pool = Mempool.create(fakePci(), { count: 9 });
  const { bar0 } = recordingBar();
  const ring = new Uint32Array(8 * 4);
  const rx = new RxQueue(bar0, ring, 8, pool);
  rx.fill();
  for (let i = 0; i < 3; i++) nicReceives(ring, pool, i, 60);
  const batch = new PacketBatch(8);
  t.equal(rx.receive(batch, 8), 1, 'one spare buffer, one frame');
  batch.freeAll();
  t.equal(rx.receive(batch, 8), 1, 'the next once a buffer came back');
});

t.test('tx: descriptors written, TDT once, full ring keeps one slot free', async (t) => {
  const pool = Mempool.create(fakePci(), { count: 64 });
  const { bar0, writes } = recordingBar();
  const ring = new Uint32Array(8 * 4);
  const tx = new TxQueue(bar0, ring, 8, 'test:0');
  const batch = new PacketBatch(16);
  batch.pool = pool;
  batch.count = pool.allocBulk(batch.ids, 0, 10);
  batch.lengths.fill(100);
  t.equal(tx.transmit(batch), 7, 'size - 1 descriptors');
  t.equal(batch.count, 3, 'the rest stays with the caller');
  t.same(writes.get(REG.TDT >>> 2), [7]);
  t.equal(ring[2], (0x0b << 24) | 100, 'EOP|IFCS|RS and the length');
  t.equal(ring[0], pool.iovaOf(0));
  t.equal(tx.transmit(batch), 0, 'ring full');
  t.same(writes.get(REG.TDT >>> 2), [7], 'no tail write when nothing was queued');
  batch.freeAll();
});

t.test('tx: sent buffers return to their pool once the chunk is done', async (t) => {
  const pool = Mempool.create(fakePci(), { count: 128 });
  const { bar0 } = recordingBar();
  const size = 64;
  const ring = new Uint32Array(size * 4);
  const tx = new TxQueue(bar0, ring, size, 'test:0');
  const batch = new PacketBatch(40);
  batch.pool = pool;
  batch.count = pool.allocBulk(batch.ids, 0, 40);
  batch.lengths.fill(60);
  t.equal(tx.transmit(batch), 40);
  t.equal(pool.available, 88);
  for (let i = 0; i < 31; i++) ring[i * 4 + 3] = 1; // DD on 31 of the first chunk of 32
  tx.reclaim();
  t.equal(pool.available, 88, 'chunk not complete: nothing freed');
  ring[31 * 4 + 3] = 1;
  tx.reclaim();
  t.equal(pool.available, 120, 'first chunk of 32 freed');
  for (let i = 32; i < 40; i++) ring[i * 4 + 3] = 1;
  tx.reclaim();
  t.equal(pool.available, 128, 'the partial tail chunk once its last descriptor is done');
  t.equal(tx.inFlight, 0);
});

t.test('tx: frame sizes outside 1..bufferSize refused', async (t) => {
  const pool = Mempool.create(fakePci(), { count: 8 });
  const { bar0 } = recordingBar();
  const tx = new TxQueue(bar0, new Uint32Array(8 * 4), 8, 'test:0');
  const batch = new PacketBatch(1);
  batch.pool = pool;
  batch.count = pool.allocBulk(batch.ids, 0, 1);
  batch.lengths[0] = 0;
  t.throws(() => tx.transmit(batch), { code: 'ERR_FRAME_SIZE', message: /test:0/ });
  batch.lengths[0] = 2049;
  t.throws(() => tx.transmit(batch), { code: 'ERR_FRAME_SIZE' });
});
