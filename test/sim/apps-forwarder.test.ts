import t from 'tap';
import { runForwarder } from '../../lib/apps/forwarder';
import type { TrafficSource } from '../../lib/apps/peer';
import { defaultSimCard, type SimTester } from '../../lib/bus/sim';
import { openDevice } from '../../lib/open';
import { balanceText, unaccounted } from './balance';
import { watchRun } from './traffic-watch';

/** A line-rate source of `count` frames of `frameSize` bytes from `tester`. */
function lineRate(tester: SimTester, count: number, frameSize: number): TrafficSource {
  return {
    start: () => tester.startGenerator({ count, frameSize, ratePps: 'line' }),
    stop: () => tester.stopGenerator(),
    finished: () => !tester.stats().generatorRunning,
  };
}

const FRAMES = 50_000;

t.test('fwd sim:0 <-> sim:1 at line rate: every generated frame is received or missed, and forwarded or dropped', async (t) => {
  const a = await openDevice('sim:0');
  const b = await openDevice('sim:1');
  t.teardown(() => {
    for (const d of [a, b]) if (!d.closed) d.close();
  });
  const card = defaultSimCard();
  card.tester(0).resetStats();
  card.tester(1).resetStats();
  const sources = [lineRate(card.tester(0), FRAMES, 60), lineRate(card.tester(1), FRAMES, 200)];
  const totals = await watchRun('forwarding', { card, devs: [a, b] }, (signal) => runForwarder(a, b, { batch: 32, sources, signal }));
  t.comment(`sim:0 ${balanceText(totals.a)}; sim:1 ${balanceText(totals.b)}`);
  t.equal(totals.a.peer_tx_packets, FRAMES, 'tester 0 sent its frames');
  t.equal(totals.b.peer_tx_packets, FRAMES, 'tester 1 sent its frames');
  t.equal(unaccounted(totals.a), 0, 'sim:0: every frame received or counted lost');
  t.equal(unaccounted(totals.b), 0, 'sim:1: every frame received or counted lost');
  t.equal(totals.a.rx_bytes, totals.a.rx_packets * 60, "sim:0 received tester 0's 60-byte frames");
  t.equal(totals.b.rx_bytes, totals.b.rx_packets * 200, "sim:1 received tester 1's 200-byte frames");
  t.equal(totals.b.tx_packets + totals.b.tx_dropped, totals.a.rx_packets, "sim:0's frames left sim:1 or were dropped");
  t.equal(totals.a.tx_packets + totals.a.tx_dropped, totals.b.rx_packets);
  t.equal(totals.b.tx_bytes, totals.b.tx_packets * 60, 'tx_bytes counts only the frames sent');
  t.equal(totals.a.tx_bytes, totals.a.tx_packets * 200);
  // The totals wait for the forwarded frames to reach the checkers.
  t.equal(totals.a.peer_rx_packets, totals.a.tx_packets, "tester 0's checker got what sim:0 sent");
  t.equal(totals.b.peer_rx_packets, totals.b.tx_packets);
  const peerA = card.tester(0).stats();
  const peerB = card.tester(1).stats();
  t.equal(peerA.badChecksums + peerB.badChecksums, 0, 'touching byte 1 (a MAC byte) keeps the checksums valid');
  t.equal(peerA.seqReordered + peerB.seqReordered, 0, 'no frame twice or out of order');
  // A gap at tester 1's checker is a frame sim:0 missed or sim:1 dropped (those after the last frame
  // that arrived are no gap).
  t.ok(peerB.seqGaps <= totals.a.rx_missed + totals.b.tx_dropped, 'sequence gaps no more than the frames lost on the way');
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
