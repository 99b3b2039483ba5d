// Strict tails (SimCardOptions.strictTails): the model takes the descriptors a tail write covers before
// the writing instruction returns, as silicon may fetch them as soon as the write reaches it (datasheet
// 7.1.9, 7.2.3). A descriptor written after its tail moved is then stale every time, not only when the
// model thread happens to look in between; QPRDC(n) counts DROP_EN drops, clear on read (8.2.3.23); a
// queue enable reads back what the model made of it at once.
import t from 'tap';
import { SimCard } from '../../lib/bus/sim';
import { fastCard, modelPass, Q, R, Regs, RxRing, split, startRx, TxRing, testFrame, verifyFrame, waitFor } from './model-helpers';

const DROP_EN = 1 << 28;
const QPRDC = (q: number): number => 0x1430 + 0x40 * q;
const ENABLE = 1 << 25;
const ROUNDS = 20;

t.test('tx: every descriptor rewritten right after TDT covered it is sent as it was (stale)', async (t) => {
  const c = fastCard('tester', true);
  t.teardown(() => c.close());
  const port = c.port(0);
  const regs = new Regs(port.bar0);
  port.enableBusMastering();
  const tx = new TxRing(port, regs, 64);
  await tx.enable();
  await waitFor('link', () => (regs.get(R.LINKS) & (1 << 30)) !== 0);
  // Descriptors 0..ROUNDS-1 hold frames 0..ROUNDS-1; a late rewrite points each at the same frame with
  // a wrong UDP checksum, so the checker tells which of the two was sent.
  for (let k = 0; k < ROUNDS; k++) tx.put(testFrame(60, k));
  const late = port.allocDma(ROUNDS * 2048);
  for (let k = 0; k < ROUNDS; k++) new Uint8Array(late.bytes).set(testFrame(60, k, true), k * 2048);
  for (let k = 0; k < ROUNDS; k++) {
    regs.set(R.TDBAL(0) + Q.T, k + 1); // the bug: the tail moves first ...
    const [lo, hi] = split(late.iova + k * 2048);
    tx.desc[k * 4] = lo; // ... and the descriptor is finished after it
    tx.desc[k * 4 + 1] = hi;
  }
  await waitFor(`${ROUNDS} frames at the checker`, () => c.tester(0).stats().rxPackets === ROUNDS);
  const s = c.tester(0).stats();
  t.same([s.seqGaps, s.seqReordered], [0, 0], `frames 0..${ROUNDS - 1} in order`);
  t.equal(s.badChecksums, 0, 'each stale descriptor was sent: none of the late buffers (bad UDP checksums)');
  port.freeDma(late);
  tx.free();
});

t.test('rx: every buffer address written right after RDT covered it is not used (stale)', async (t) => {
  const c = fastCard('tester', true);
  t.teardown(() => c.close());
  const port = c.port(0);
  const regs = new Regs(port.bar0);
  port.enableBusMastering();
  const rx = new RxRing(port, regs, 32);
  await rx.enable(0); // RDT = RDH: the card owns nothing yet
  startRx(regs);
  await waitFor('link', () => (regs.get(R.LINKS) & (1 << 30)) !== 0);
  const late = port.allocDma(ROUNDS * 2048);
  for (let k = 0; k < ROUNDS; k++) {
    regs.set(R.RDBAL(0) + Q.T, k + 1); // the bug: RDT covers descriptor k ...
    const [lo, hi] = split(late.iova + k * 2048);
    rx.desc[k * 4] = lo; // ... before its buffer address is written
    rx.desc[k * 4 + 1] = hi;
  }
  c.tester(0).startGenerator({ count: ROUNDS, ratePps: 100_000 });
  await waitFor(`${ROUNDS} frames written back`, () => (rx.status(ROUNDS - 1) & 1) !== 0);
  const seqs = Array.from({ length: ROUNDS }, (_, k) => verifyFrame(rx.buffer(k, 60)).seq);
  t.same(seqs, Array.from({ length: ROUNDS }, (_, k) => k), 'each frame went to the buffer the descriptor held when RDT moved');
  t.ok(new Uint8Array(late.bytes).every((b) => b === 0), 'no late buffer was written');
  port.freeDma(late);
  rx.free();
});

for (const strictTails of [true, false]) {
  t.test(`DROP_EN drops: ${strictTails ? 'QPRDC(0), clear on read, as on silicon' : 'RXMPC(0) without strict tails (QPRDC untrapped)'}`, async (t) => {
    const c = fastCard('tester', strictTails);
    t.teardown(() => c.close());
    const port = c.port(0);
    const regs = new Regs(port.bar0);
    port.enableBusMastering();
    const rx = new RxRing(port, regs, 16);
    regs.set(R.SRRCTL(0), regs.get(R.SRRCTL(0)) | DROP_EN);
    await rx.enable(0); // no descriptor for the card: every frame is dropped at once
    startRx(regs);
    await waitFor('link', () => (regs.get(R.LINKS) & (1 << 30)) !== 0);
    c.tester(0).startGenerator({ count: 50, ratePps: 100_000 });
    await waitFor('50 frames dropped', () => c.counters(0).rxDropEn === 50);
    t.equal(regs.get(QPRDC(0)), strictTails ? 50 : 0, 'QPRDC(0)');
    t.equal(regs.get(R.MPC0), strictTails ? 0 : 50, 'RXMPC(0)');
    t.equal(regs.get(QPRDC(0)), 0, 'QPRDC(0) read again: cleared by the read (or never counted)');
    rx.free();
  });
}

t.test('RXDCTL.ENABLE reads back what the model made of the write, at once', async (t) => {
  const c = fastCard('tester', true);
  t.teardown(() => c.close());
  const port = c.port(0);
  const regs = new Regs(port.bar0);
  port.enableBusMastering();
  // Queue 1 has no ring (RDLEN 0): the model refuses the enable (queueEnabledUnconfigured).
  regs.set(R.RDBAL(1) + Q.DCTL, ENABLE);
  t.equal(regs.get(R.RDBAL(1) + Q.DCTL) & ENABLE, 0, 'an enable the model refused reads 0 right after the write');
  t.equal(c.violations(0).queueEnabledUnconfigured, 1, 'and is named');
  regs.set(R.RDBAL(1) + Q.DCTL, 0);
  // Queue 0 with a ring: latched by the time the write returns.
  const rx = new RxRing(port, regs, 16);
  regs.set(R.RDBAL(0) + Q.DCTL, ENABLE);
  t.not(regs.get(R.RDBAL(0) + Q.DCTL) & ENABLE, 0, 'a configured queue reads 1 right after the write');
  await modelPass(regs);
  t.not(regs.get(R.RDBAL(0) + Q.DCTL) & ENABLE, 0, 'and stays enabled');
  rx.free();
});

t.test('a lockstep card with strict tails: tail writes do not wait for a model thread that does not run', async (t) => {
  const c = SimCard.create({ linkUpDelayMs: 2, resetDelayMs: 1, strictTails: true, lockstep: true });
  t.teardown(() => c.close());
  const regs = new Regs(c.port(0).bar0);
  for (let i = 0; i < 1000; i++) regs.set(R.TDBAL(0) + Q.T, i & 7);
  t.equal(regs.get(R.TDBAL(0) + Q.T), 999 & 7, 'the writes landed (and returned)');
});
