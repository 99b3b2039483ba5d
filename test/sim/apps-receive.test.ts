import t from 'tap';
import { readSequence } from '../../lib/apps/frame-builder';
import { packetBytes, receive } from '../../lib/apps/receive';
import { defaultSimCard } from '../../lib/bus/sim';
import { PacketBatch } from '../../lib/memory/batch';
import { openDevice } from '../../lib/open';
import { watchRun } from './traffic-watch';

t.test('for await over receive(): every frame once, in order, buffers returned to the pool', async (t) => {
  const dev = await openDevice('sim:0');
  t.teardown(() => {
    if (!dev.closed) dev.close();
  });
  const card = defaultSimCard();
  const tester = card.tester(0);
  const pool = dev.rxPool(0);
  const free = pool.available;
  // 500 frames fit the ring: none can be missed, however slowly the loop runs.
  tester.startGenerator({ count: 500, frameSize: 100, ratePps: 'line' });
  const seqs: number[] = [];
  let badBatches = 0;
  await watchRun('500 frames', { card, devs: [dev], progress: () => seqs.length }, async (signal) => {
    for await (const batch of receive(dev, { batch: 16, signal })) {
      if (!(batch.count > 0 && batch.count <= 16)) badBatches++;
      for (let i = 0; i < batch.count; i++) {
        const frame = packetBytes(batch, i);
        if (frame.length === 100) seqs.push(readSequence(frame, 0));
      }
      if (seqs.length >= 500) break;
    }
  });
  t.equal(badBatches, 0, 'every batch holds 1 to 16 frames');
  t.equal(seqs.length, 500);
  t.ok(seqs.every((s, i) => s === i), 'sequence 0..499 in order');
  t.equal(pool.available, free, 'every buffer went back to the pool');

  await t.test('under unending traffic, timers still fire and an AbortSignal ends the loop', async (t) => {
    tester.startGenerator({ ratePps: 'line' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    let batches = 0;
    for await (const batch of receive(dev, { signal: controller.signal })) batches += batch.count > 0 ? 1 : 0;
    tester.stopGenerator();
    t.ok(batches > 0);
    t.ok(controller.signal.aborted);
  });

  await t.test('packetBytes refuses an index outside the batch', async (t) => {
    const empty = new PacketBatch(4);
    t.throws(() => packetBytes(empty, 0), { code: 'ERR_BATCH' });
  });
});
