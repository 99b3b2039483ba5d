// Lockstep mode of the simulated card (SimCardOptions.lockstep): no model thread, frames move through
// the ixgbe driver only when the caller runs the model's passes with card.step(); the model's counters
// and violations are checked as in the threaded mode.
import t from 'tap';
import { IxgbeDevice } from '../../lib/drivers/ixgbe';
import { PacketBatch } from '../../lib/memory/batch';
import { Mempool } from '../../lib/memory/mempool';
import type { SimCard } from '../../lib/bus/sim';
import { assertConformant, putFrame, testCard } from './ixgbe-helpers';
import { sleep, testFrame, verifyFrame } from './model-helpers';

const FRAMES = 100;
const MAX_PASSES = 200_000;

/** Runs model passes, one per call of `poll`, until `poll` returns true; fails naming what it saw. */
function stepUntil(card: SimCard, what: string, poll: () => boolean, seen: () => string): number {
  let ns = 0;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    if (poll()) return ns;
    ns += card.step();
  }
  throw new Error(`${what}: not done after ${MAX_PASSES} lockstep passes; saw ${seen()}`);
}

async function openLockstep(card: SimCard): Promise<IxgbeDevice> {
  return await card.withModelThread(() => IxgbeDevice.open(card.port(0), { waitForLink: true, linkTimeoutMs: 5000 }));
}

t.test('rx: the generator sends and the driver receives only while step() runs passes', async (t) => {
  const card = testCard(t, { lockstep: true });
  const dev = await openLockstep(card);
  const tester = card.tester(0);
  const batch = new PacketBatch(32);
  tester.startGenerator({ count: FRAMES, frameSize: 60, ratePps: 'line' });
  await sleep(50);
  t.equal(dev.rxBatch(0, batch), 0, 'no step: nothing received');
  t.equal(tester.stats().txPackets, 0, 'no step: the generator sent nothing');
  const seqs: number[] = [];
  let bad = 0;
  const ns = stepUntil(card, `${FRAMES} frames received`, () => {
    const n = dev.rxBatch(0, batch);
    const pool = batch.pool as Mempool;
    for (let k = 0; k < n; k++) {
      const off = pool.offsetOf(batch.ids[k]);
      const v = verifyFrame(pool.data.subarray(off, off + batch.lengths[k]));
      if (!v.ipOk || !v.udpOk || batch.lengths[k] !== 60) bad++;
      seqs.push(v.seq);
    }
    batch.freeAll();
    return seqs.length >= FRAMES;
  }, () => `${seqs.length} frames, generator sent ${tester.stats().txPackets}`);
  t.ok(ns > 0, `the passes took ${ns} ns inside the model`);
  t.same(seqs, Array.from({ length: FRAMES }, (_, i) => i), 'every frame once, in order');
  t.equal(bad, 0, 'no frame damaged');
  const c = card.counters(0);
  t.equal(c.rxDelivered, FRAMES, 'model delivered every frame');
  t.equal(c.rxMissed, 0, 'none missed');
  await card.withModelThread(() => dev.close());
  assertConformant(t, card);
});

t.test('tx: frames the driver queues leave only while step() runs passes', async (t) => {
  const card = testCard(t, { lockstep: true });
  const dev = await openLockstep(card);
  const tester = card.tester(0);
  const pool = Mempool.create(dev.pci, { count: 256 });
  t.teardown(() => pool.destroy());
  const batch = new PacketBatch(FRAMES);
  batch.pool = pool;
  for (let i = 0; i < FRAMES; i++) {
    const id = pool.alloc();
    const f = testFrame(60, i);
    putFrame(pool, id, f);
    batch.ids[i] = id;
    batch.lengths[i] = f.length;
  }
  batch.count = FRAMES;
  const queued = dev.txBatch(0, batch);
  t.equal(queued, FRAMES, 'the ring takes all frames');
  await sleep(50);
  t.equal(tester.stats().rxPackets, 0, 'no step: nothing reached the checker');
  t.equal(card.counters(0).txDescriptors, 0, 'no step: no descriptor processed');
  stepUntil(card, `${FRAMES} frames at the checker`, () => tester.stats().rxPackets >= FRAMES,
    () => `${tester.stats().rxPackets} frames at the checker`);
  const s = tester.stats();
  t.equal(s.rxPackets, FRAMES, 'every frame reached the checker');
  t.equal(s.seqGaps + s.seqReordered + s.badChecksums + s.nonUdp + s.badFcs, 0, 'in order and intact');
  await card.withModelThread(() => dev.close());
  assertConformant(t, card);
});

t.test('step() is refused on a threaded card and while the model thread runs', async (t) => {
  const threaded = testCard(t);
  t.throws(() => threaded.step(), { code: 'ERR_DEVICE_BUSY' });
  const card = testCard(t, { lockstep: true });
  await card.withModelThread(() => {
    t.throws(() => card.step(), { code: 'ERR_DEVICE_BUSY' });
  });
  t.ok(card.step(3) >= 0, 'allowed again once the thread stopped');
  t.throws(() => card.step(0), { code: 'ERR_INVALID_ARG' });
  t.equal(card.pinModelThread(0), false, 'no thread to pin');
});
