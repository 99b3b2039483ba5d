// Rx and tx rings of the simulated 82599 driven by hand: advanced descriptors, write-back, multi-buffer
// frames, CRC stripping, missed frames, clear-on-read counters, the tester and the wirings.
import t from 'tap';
import { fastCard, R, Regs, resetPort, RxRing, sleep, startRx, testFrame, TxRing, verifyFrame, waitFor } from './model-helpers';

t.test('rx: generated frames land in advanced descriptors with valid IPv4/UDP and sequence numbers', async (t) => {
  const card = fastCard();
  t.teardown(() => card.close());
  const port = card.port(0);
  const regs = new Regs(port.bar0);
  await resetPort(regs);
  port.enableBusMastering();
  const rx = new RxRing(port, regs, 64);
  await rx.enable();
  startRx(regs);
  await waitFor('link', () => (regs.get(R.LINKS) & (1 << 30)) !== 0);
  card.tester(0).startGenerator({ count: 40, frameSize: 60, ratePps: 100000 });
  await waitFor('40 frames', () => rx.desc[39 * 4 + 2] !== 0);
  // RDH and the statistics follow the last write-back within the same model pass: wait for the pass.
  await waitFor('40 frames counted', () => card.counters(0).rxDelivered === 40);
  const seqs: number[] = [];
  for (const i of rx.harvest()) {
    t.equal(rx.status(i) & 3, 3, 'DD and EOP');
    t.equal(rx.status(i) >>> 20, 0, 'no error bits');
    t.equal(rx.length(i), 60, 'length in dword 3 bits 15:0 (FCS stripped)');
    const v = verifyFrame(rx.buffer(i, 60));
    t.ok(v.ipOk && v.udpOk, 'checksums valid');
    seqs.push(v.seq);
  }
  t.same(seqs, [...Array(40).keys()], 'sequence 0..39');
  t.equal(regs.get(R.RDBAL(0) + 0x10), 40, 'RDH advanced');
  t.equal(regs.get(R.GPRC), 40, 'GPRC');
  t.equal(regs.get(R.GPRC), 0, 'GPRC cleared by the read');
  t.equal(regs.get(R.GORCL) + regs.get(R.GORCH) * 2 ** 32, 40 * 64, 'GORC counts 64 bytes per frame (with CRC)');
  t.equal(regs.get(R.GORCL), 0, 'GORCL cleared');
  t.same(card.tester(0).stats().txPackets, 40);
  t.same(card.dmaFaults().count, 0);
  t.ok(Object.values(card.violations(0)).every((v) => v === 0), 'no datasheet violations');
  rx.free();
});

t.test('rx: jumbo frame spans 1 KiB buffers, FCS kept without RXCRCSTRP', async (t) => {
  const card = fastCard();
  t.teardown(() => card.close());
  const port = card.port(0);
  const regs = new Regs(port.bar0);
  port.enableBusMastering();
  regs.set(R.HLREG0, (regs.get(R.HLREG0) & ~2) | 4); // no CRC strip, jumbo
  regs.set(R.MAXFRS, 9022 << 16);
  const rx = new RxRing(port, regs, 32, 1);
  await rx.enable();
  startRx(regs);
  await waitFor('link', () => (regs.get(R.LINKS) & (1 << 30)) !== 0);
  card.tester(0).startGenerator({ count: 1, frameSize: 3000 });
  await waitFor('frame', () => (rx.status(2) & 1) !== 0);
  const got = rx.harvest();
  t.same(got, [0, 1, 2], '3004 bytes over three 1 KiB buffers');
  t.same(got.map((i) => rx.status(i) & 2), [0, 0, 2], 'EOP only on the last');
  t.same(got.map((i) => rx.length(i)), [1024, 1024, 956]);
  const frame = new Uint8Array(3004);
  got.forEach((d, k) => frame.set(rx.buffer(d, rx.length(d)), k * 1024));
  t.ok(verifyFrame(frame.subarray(0, 3000)).udpOk, 'payload intact across buffers');
  rx.free();
});

t.test('rx: a full ring buffers then misses frames, counted in RXMPC; the ring recovers', async (t) => {
  const card = fastCard();
  t.teardown(() => card.close());
  const port = card.port(0);
  const regs = new Regs(port.bar0);
  port.enableBusMastering();
  const rx = new RxRing(port, regs, 16);
  await rx.enable();
  startRx(regs);
  await waitFor('link', () => (regs.get(R.LINKS) & (1 << 30)) !== 0);
  // 512 KiB packet buffer holds 6553 64-byte records: send more than ring + buffer can take
  card.tester(0).startGenerator({ count: 8000, ratePps: 2e6 });
  await waitFor('generator done', () => !card.tester(0).stats().generatorRunning, 5000);
  const missed = regs.get(R.MPC0);
  t.ok(missed > 0, `frames missed: ${missed}`);
  t.equal(regs.get(R.MPC0), 0, 'RXMPC clears on read');
  let received = 0;
  while (received + missed < 8000) {
    const got = rx.harvest();
    received += got.length;
    rx.recycle(got);
    await new Promise((r) => setImmediate(r));
  }
  t.equal(received + missed, 8000, 'every frame delivered or missed');
  t.equal(card.counters(0).rxMissed, missed);
  rx.free();
});

t.test('tx: multi-segment frames reach the checker, DD on RS, GPTC/GOTC', async (t) => {
  const card = fastCard();
  t.teardown(() => card.close());
  const port = card.port(0);
  const regs = new Regs(port.bar0);
  port.enableBusMastering();
  const tx = new TxRing(port, regs, 64);
  await tx.enable();
  await waitFor('link', () => (regs.get(R.LINKS) & (1 << 30)) !== 0);
  let last = 0;
  for (let s = 0; s < 10; s++) last = tx.put(testFrame(1000, s), 300); // 4 descriptors per frame
  last = tx.put(testFrame(60, 12)); // skips 10 and 11: a gap of 2
  last = tx.put(testFrame(60, 13, true)); // bad UDP checksum
  tx.flush();
  await waitFor('last descriptor done', () => tx.done(last));
  t.equal(regs.get(R.TDBAL(0) + 0x10), tx.tail, 'TDH caught up with TDT');
  // DD means the frame is in the tx packet buffer; it reaches the checker once it has left the wire.
  await waitFor('12 frames at the checker', () => card.tester(0).stats().rxPackets === 12);
  const s = card.tester(0).stats();
  t.equal(s.rxPackets, 12);
  t.equal(s.rxBytes, 10 * 1000 + 120);
  t.equal(s.seqGaps, 2);
  t.equal(s.badChecksums, 1);
  t.equal(s.nonUdp, 0);
  t.equal(regs.get(R.GPTC), 12);
  t.equal(regs.get(R.GOTCL), 10 * 1004 + 2 * 64, 'GOTC counts through the CRC');
  t.equal(regs.get(R.GPTC), 0);
  tx.free();
});

t.test('loopback and cross wirings carry tx frames to rx', async (t) => {
  for (const wiring of ['loopback', 'cross'] as const) {
    const card = fastCard(wiring);
    const a = card.port(0);
    const b = card.port(1);
    const ra = new Regs(a.bar0);
    const rb = new Regs(b.bar0);
    a.enableBusMastering();
    b.enableBusMastering();
    const tx = new TxRing(a, ra, 32);
    await tx.enable();
    const rxPort = wiring === 'loopback' ? a : b;
    const rxRegs = wiring === 'loopback' ? ra : rb;
    const rx = new RxRing(rxPort, rxRegs, 32);
    await rx.enable();
    startRx(rxRegs);
    await waitFor('links', () => (ra.get(R.LINKS) & rb.get(R.LINKS) & (1 << 30)) !== 0);
    for (let s = 0; s < 5; s++) tx.put(testFrame(100, s));
    tx.flush();
    await waitFor('5 frames received', () => (rx.status(4) & 1) !== 0);
    t.same(rx.harvest().map((i) => verifyFrame(rx.buffer(i, rx.length(i))).seq), [0, 1, 2, 3, 4], wiring);
    t.equal(card.tester(0).stats().rxPackets, 0, `${wiring}: nothing reached the tester`);
    tx.free();
    rx.free();
    card.close();
  }
});

t.test('unplugged: with the link down the tx DMA stops; frames wait and leave once the link is up', async (t) => {
  const card = fastCard('unplugged');
  t.teardown(() => card.close());
  const port = card.port(0);
  const regs = new Regs(port.bar0);
  port.enableBusMastering();
  const tx = new TxRing(port, regs, 32);
  await tx.enable();
  const last = tx.put(testFrame(60, 0));
  tx.flush();
  await sleep(30);
  t.equal(regs.get(R.LINKS) & (1 << 30), 0, 'link down');
  t.notOk(tx.done(last), 'the descriptor stays pending: no DD while the MAC cannot send');
  t.equal(card.counters(0).txFrames + card.counters(0).txDroppedLinkDown, 0, 'nothing sent, nothing lost');
  card.setWiring(0, 'tester');
  await waitFor('descriptor done once the link is up', () => tx.done(last));
  await waitFor('the frame reached the checker', () => card.tester(0).stats().rxPackets === 1);
  t.equal(regs.get(R.GPTC), 1);
  tx.free();
});
