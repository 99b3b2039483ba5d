// Issue 8, faults under traffic: link flaps on port 0 while the generator sends to it. Traffic resumes
// after each flap and every frame the generator sent is received, missed (rx_missed), dropped with an
// rx error, or lost on the down link (the model's rxLinkDown): exactly once, no fault, no violation.
// The tester's generator holds its frames while the link is down (the model re-paces it at link up),
// so rxLinkDown is normally 0 here; it still enters the sum.
// (Rx starvation, rx error bits and oversize tx are in ixgbe-datapath.test.ts, rx pool exhaustion in
// mempool-exhaustion.test.ts, init faults in ixgbe-init.test.ts and model-faults.test.ts.)
import t from 'tap';
import { PacketBatch } from '../../lib/memory/batch';
import { assertConformant, openPort, pollUntil, testCard } from './ixgbe-helpers';
import { sleep } from './model-helpers';

t.test('link flapping during rx traffic: traffic resumes, every frame accounted for once', async (t) => {
  const card = testCard(t);
  const dev = await openPort(card, 0);
  card.tester(0).resetStats();
  const before = dev.readStats();
  const batch = new PacketBatch(64);
  let received = 0;
  let receivedAfterLastFlap = 0;
  let linkSeenDown = 0;
  card.tester(0).startGenerator({ ratePps: 100_000, frameSize: 128, count: 40_000 });
  for (let flap = 0; flap < 5; flap++) {
    for (let k = 0; k < 50; k++) {
      received += dev.rxBatch(0, batch);
      batch.freeAll();
      await new Promise((resolve) => setImmediate(resolve));
    }
    card.setFaults(0, { linkDownForMs: 20 });
    await pollUntil('link down', () => !card.counters(0).linkUp, 1000);
    linkSeenDown++;
    await sleep(25);
    receivedAfterLastFlap = received;
  }
  const deadline = Date.now() + 15_000;
  while (card.tester(0).stats().generatorRunning || !card.counters(0).linkUp) {
    received += dev.rxBatch(0, batch);
    batch.freeAll();
    await new Promise((resolve) => setImmediate(resolve));
    if (Date.now() > deadline) throw new Error('the generator did not finish');
  }
  // Frames still in the packet buffer or the ring arrive after the generator stops: drain until
  // every frame is accounted for (or fail after 5 s with the counts below).
  const sent = card.tester(0).stats().txPackets;
  let after = dev.readStats();
  const accounted = (): number =>
    received + (after.rxMissed - before.rxMissed) + (after.rxErrors - before.rxErrors) + card.counters(0).rxLinkDown;
  await pollUntil('every frame accounted for', () => {
    received += dev.rxBatch(0, batch);
    batch.freeAll();
    after = dev.readStats();
    return accounted() >= sent;
  }, 5000).catch(() => undefined);
  const missed = after.rxMissed - before.rxMissed;
  const errors = after.rxErrors - before.rxErrors;
  const linkDown = card.counters(0).rxLinkDown;
  t.comment(`sent ${sent}, received ${received}, missed ${missed}, errors ${errors}, lost on down link ${linkDown}`);
  t.ok(received > receivedAfterLastFlap, 'frames arrive after the last flap');
  t.equal(linkSeenDown, 5, 'the link went down five times under traffic');
  t.equal(received + missed + errors + linkDown, sent, 'sent == received + rx_missed + rx errors + link-down losses');
  // The 82599 counts missed frames in GPRC too (Linux/FreeBSD ixgbe subtract RXMPC): raw GPRC = received + missed.
  t.equal(after.rxPackets - before.rxPackets, received + missed, 'GPRC counts what was delivered and what was missed');
  dev.close();
  assertConformant(t, card, 0);
});
