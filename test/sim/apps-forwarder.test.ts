import t from 'tap';
import { runForwarder } from '../../lib/apps/forwarder';
import { defaultSimCard } from '../../lib/bus/sim';
import { openDevice } from '../../lib/open';

const FRAMES = 50_000;

t.test('fwd sim:0 <-> sim:1: every generated frame is received, and forwarded or counted as dropped', async (t) => {
  const a = await openDevice('sim:0');
  const b = await openDevice('sim:1');
  t.teardown(() => {
    for (const d of [a, b]) if (!d.closed) d.close();
  });
  const card = defaultSimCard();
  card.tester(0).resetStats();
  card.tester(1).resetStats();
  // The forwarder's bookkeeping, not the wire: it runs until every frame arrived, and on a real wire a
  // stalled poll loop (a loaded machine) loses frames, so the testers wait for descriptors (benchmark mode).
  card.tester(0).startGenerator({ ratePps: 'unpaced', count: FRAMES });
  card.tester(1).startGenerator({ ratePps: 'unpaced', count: FRAMES, frameSize: 200 });

  const totals = await runForwarder(a, b, { count: 2 * FRAMES, batch: 32 });
  t.equal(totals.a.rx_packets, FRAMES, 'everything sim:0 received');
  t.equal(totals.b.rx_packets, FRAMES, 'everything sim:1 received');
  t.equal(totals.a.rx_bytes, FRAMES * 60, "sim:0 received tester 0's 60-byte frames");
  t.equal(totals.b.rx_bytes, FRAMES * 200, "sim:1 received tester 1's 200-byte frames");
  t.equal(totals.b.tx_packets + totals.b.tx_dropped, FRAMES, "sim:0's frames left sim:1 or were dropped");
  t.equal(totals.a.tx_packets + totals.a.tx_dropped, FRAMES);
  t.equal(totals.b.tx_bytes, totals.b.tx_packets * 60, 'tx_bytes counts only the frames sent');
  t.equal(totals.a.tx_bytes, totals.a.tx_packets * 200);

  // Wait for the last frames to reach the checkers, then compare.
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline && (card.tester(0).stats().rxPackets < totals.a.tx_packets || card.tester(1).stats().rxPackets < totals.b.tx_packets)) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const peerA = card.tester(0).stats();
  const peerB = card.tester(1).stats();
  t.equal(peerA.rxPackets, totals.a.tx_packets, "tester 0's checker got what sim:0 sent");
  t.equal(peerB.rxPackets, totals.b.tx_packets);
  t.equal(peerA.badChecksums + peerB.badChecksums, 0, 'touching byte 1 (a MAC byte) keeps the checksums valid');
  t.equal(peerB.seqGaps, totals.b.tx_dropped, 'each dropped frame is one sequence gap at the checker');
});

t.test('options are validated', async (t) => {
  const a = await openDevice('sim:0');
  const b = await openDevice('sim:1');
  t.teardown(() => {
    a.close();
    b.close();
  });
  await t.rejects(runForwarder(a, b, { batch: 2000 }), { code: 'ERR_INVALID_ARG' });
  await t.rejects(runForwarder(a, b, { durationS: 0 }), { code: 'ERR_INVALID_ARG' });
  const r = await runForwarder(a, b, { durationS: 0.1 });
  t.equal(r.a.rx_packets + r.b.rx_packets, 0, 'no traffic without generators');
});
