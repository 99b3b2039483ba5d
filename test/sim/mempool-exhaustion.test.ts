// Issue 8, mempool exhaustion: an application that keeps every received buffer drains the rx pool.
// rxBatch then returns fewer frames and finally none (a ring slot is never left without a buffer),
// the port counts what it could not store in rx_missed, nothing leaks, and once the buffers come back
// the same rxBatch calls deliver again.
import t from 'tap';
import { PacketBatch } from '../../lib/memory/batch';
import { rxLost } from './balance';
import { assertConformant, openPort, testCard } from './ixgbe-helpers';
import { sleep } from './model-helpers';
import { waitForTraffic } from './traffic-watch';

t.test('rx pool exhausted by the application: fewer frames, misses counted, recovery, no leak', async (t) => {
  const card = testCard(t);
  const dev = await openPort(card, 0, { rxRingSize: 64, mempoolSize: 256 });
  const pool = dev.rxPool(0);
  const total = pool.available; // the pool's buffers not armed in the ring
  card.tester(0).startGenerator({ ratePps: 200_000 });

  // Hold everything: batches of 32 that are never freed.
  const held: PacketBatch[] = [];
  const watched = { card, devs: [dev], describe: () => `${pool.available} buffers in the pool, ${held.length} batches held` };
  await waitForTraffic('the pool runs dry', () => {
    const batch = new PacketBatch(32);
    if (dev.rxBatch(0, batch) > 0) held.push(batch);
    return pool.available === 0;
  }, watched);
  const heldFrames = held.reduce((n, b) => n + b.count, 0);
  t.equal(heldFrames, total, 'the application holds every buffer not armed in the ring');
  t.equal(total, 256 - 64, 'the ring holds 64 of the 256');
  const ids = new Set(held.flatMap((b) => [...b.ids.subarray(0, b.count)]));
  t.equal(ids.size, heldFrames, 'no buffer handed out twice');

  const missedBefore = rxLost(dev.readStats());
  const empty = new PacketBatch(32);
  let taken = 0;
  for (let i = 0; i < 50; i++) {
    taken += dev.rxBatch(0, empty);
    await sleep(1);
  }
  t.equal(taken, 0, 'nothing to re-arm a slot with: no frame taken in 50 polls');
  await sleep(20);
  t.ok(rxLost(dev.readStats()) > missedBefore, 'frames the full ring could not take are counted in rx_missed');

  for (const b of held) b.freeAll();
  t.equal(pool.available, total, 'every held buffer went back');
  const again = new PacketBatch(32);
  await waitForTraffic('frames flow again', () => {
    const n = dev.rxBatch(0, again);
    again.freeAll();
    return n > 0;
  }, watched);
  card.tester(0).stopGenerator();
  await sleep(10);
  while (dev.rxBatch(0, again) > 0) again.freeAll();
  t.equal(pool.available, total, 'after draining, the pool holds all but the armed buffers: nothing leaked');
  dev.close();
  assertConformant(t, card, 0);
});
