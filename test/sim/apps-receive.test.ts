import t from 'tap';
import { readSequence } from '../../lib/apps/frame-builder';
import { packetBytes, receive } from '../../lib/apps/receive';
import { defaultSimCard } from '../../lib/bus/sim';
import { PacketBatch } from '../../lib/memory/batch';
import { openDevice } from '../../lib/open';

t.test('for await over receive(): every frame once, in order, buffers returned to the pool', async (t) => {
  const dev = await openDevice('sim:0');
  t.teardown(() => {
    if (!dev.closed) dev.close();
  });
  const tester = defaultSimCard().tester(0);
  const pool = dev.rxPool(0);
  const free = pool.available;
  // The loop's bookkeeping, not the wire: every frame must arrive, and on a real wire a stalled poll
  // loop (a loaded machine) loses frames, so the tester waits for descriptors (benchmark mode).
  tester.startGenerator({ ratePps: 'unpaced', count: 1000, frameSize: 100 });
  const seqs: number[] = [];
  for await (const batch of receive(dev, { batch: 16 })) {
    t.ok(batch.count > 0 && batch.count <= 16);
    for (let i = 0; i < batch.count; i++) {
      const frame = packetBytes(batch, i);
      if (frame.length === 100) seqs.push(readSequence(frame, 0));
    }
    if (seqs.length >= 1000) break;
  }
  t.equal(seqs.length, 1000);
  t.ok(seqs.every((s, i) => s === i), 'sequence 0..999 in order');
  t.equal(pool.available, free, 'every buffer went back to the pool');

  await t.test('under unending traffic, timers still fire and an AbortSignal ends the loop', async (t) => {
    tester.startGenerator({});
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
