// The rx side of the simulated 82599 as strict as silicon, driven by hand: RXPBSIZE(0), SRRCTL.DROP_EN,
// GPRC counting missed frames, FCTRL.SBP, the DMA ordering violations (CTRL_EXT.NS_DIS, DCA_RXCTRL bit
// 12), descriptors fetched as soon as RDT covers them, and the generator's line-rate default.
import t from 'tap';
import { performance } from 'node:perf_hooks';
import { lineRatePps, parseSimSpec, type SimCard } from '../../lib/bus/sim';
import { fastCard, R, Regs, RxRing, sleep, startRx, verifyFrame, waitFor } from './model-helpers';

const DROP_EN = 1 << 28;
const QPRDC0 = 0x1430;

async function rxSetup(card: SimCard, count: number, configure: (regs: Regs, rx: RxRing) => void = () => undefined): Promise<{ regs: Regs; rx: RxRing }> {
  const port = card.port(0);
  const regs = new Regs(port.bar0);
  port.enableBusMastering();
  const rx = new RxRing(port, regs, count);
  configure(regs, rx);
  await rx.enable();
  startRx(regs);
  await waitFor('link', () => (regs.get(R.LINKS) & (1 << 30)) !== 0);
  return { regs, rx };
}

t.test('RXPBSIZE(0) is the packet buffer: 1 KB holds 12 64-byte frames, 0 holds none', async (t) => {
  const card = fastCard();
  t.teardown(() => card.close());
  const { regs, rx } = await rxSetup(card, 16, (r) => r.set(R.RXPBSIZE0, 1 << 10));
  card.tester(0).startGenerator({ count: 100, ratePps: 100_000 });
  await waitFor('100 frames accounted', () => {
    const c = card.counters(0);
    return !card.tester(0).stats().generatorRunning && c.rxDelivered + c.rxMissed === 100 - 12;
  });
  // 15 descriptors (RDT = count - 1), 12 records of 16 + 64 bytes in 1024, the rest missed
  t.equal(card.counters(0).rxDelivered, 15);
  t.equal(regs.get(R.MPC0), 73, 'RXMPC');
  t.equal(regs.get(R.GPRC), 100, 'GPRC counts missed frames too');
  let got = rx.harvest();
  rx.recycle(got);
  await waitFor('the buffered 12', () => card.counters(0).rxDelivered === 27);
  got = rx.harvest();
  t.same(got.map((i) => verifyFrame(rx.buffer(i, 60)).seq), [15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26]);

  regs.set(R.RXPBSIZE0, 0);
  card.tester(0).startGenerator({ count: 10, ratePps: 100_000 });
  await waitFor('10 missed', () => card.counters(0).rxMissed === 73 + 10);
  t.equal(card.counters(0).rxDelivered, 27, 'RXPBSIZE 0: nothing delivered although descriptors are free');
  rx.free();
});

for (const dropEn of [true, false]) {
  t.test(`SRRCTL.DROP_EN ${dropEn ? 'set: dropped at once' : 'clear: waits in the packet buffer'} when the ring is full`, async (t) => {
    const card = fastCard();
    t.teardown(() => card.close());
    const { regs, rx } = await rxSetup(card, 16, (r) => {
      if (dropEn) r.set(R.SRRCTL(0), r.get(R.SRRCTL(0)) | DROP_EN);
    });
    card.tester(0).startGenerator({ count: 100, ratePps: 100_000 });
    await waitFor('generator done', () => !card.tester(0).stats().generatorRunning);
    await waitFor('100 frames accounted', () => {
      const c = card.counters(0);
      return c.rxDelivered + c.rxDropEn === (dropEn ? 100 : 15);
    });
    const c = card.counters(0);
    t.equal(c.rxDelivered, 15);
    t.equal(c.rxMissed, 0, 'no packet-buffer miss');
    t.equal(c.rxDropEn, dropEn ? 85 : 0);
    t.equal(c.rxDropEnQueue[0], dropEn ? 85 : 0, 'per queue');
    // Counted once: in QPRDC(0) with strict tails (as on silicon), in RXMPC(0) without (QPRDC's page is
    // untrapped then, so it cannot be clear on read); model-strict-tails.test.ts tells the two apart.
    t.equal(regs.get(R.MPC0) + regs.get(QPRDC0), dropEn ? 85 : 0, 'DROP_EN drops in RXMPC(0) or QPRDC(0), once');
    if (!dropEn) {
      let received = 0;
      const seqs: number[] = [];
      const end = Date.now() + 3000;
      while (received < 100 && Date.now() < end) {
        const got = rx.harvest();
        for (const i of got) seqs.push(verifyFrame(rx.buffer(i, 60)).seq);
        received += got.length;
        rx.recycle(got);
        await sleep(1);
      }
      t.same(seqs, [...Array(100).keys()], 'the 85 waiting frames follow in order once descriptors return');
    }
    rx.free();
  });
}

t.test('FCTRL.SBP: frames with a MAC error reach descriptors (RXE) only when set; CRCERRS either way', async (t) => {
  for (const sbp of [false, true]) {
    const card = fastCard();
    const port = card.port(0);
    const regs = new Regs(port.bar0);
    port.enableBusMastering();
    card.setFaults(0, { rxErrorEvery: 2 });
    const rx = new RxRing(port, regs, 32);
    await rx.enable();
    regs.set(R.CTRL_EXT, regs.get(R.CTRL_EXT) | (1 << 16));
    regs.set(R.FCTRL, (1 << 8) | (1 << 9) | (1 << 10) | (sbp ? 1 << 1 : 0));
    regs.set(R.RXCTRL, 1);
    await waitFor('link', () => (regs.get(R.LINKS) & (1 << 30)) !== 0);
    card.tester(0).startGenerator({ count: 10, ratePps: 100_000 });
    await waitFor('10 frames accounted', () => card.counters(0).rxDelivered + card.counters(0).rxErrorsDropped === 10);
    const errs = rx.harvest().map((i) => (rx.status(i) >>> 29) & 1);
    t.same(errs, sbp ? [0, 1, 0, 1, 0, 1, 0, 1, 0, 1] : [0, 0, 0, 0, 0], `SBP ${sbp}`);
    t.equal(regs.get(R.CRCERRS), 5);
    t.equal(card.counters(0).rxErrorsDropped, sbp ? 0 : 5);
    rx.free();
    card.close();
  }
});

t.test('DMA ordering: frames DMAed with CTRL_EXT.NS_DIS clear or DCA_RXCTRL bit 12 set are violations', async (t) => {
  const card = fastCard();
  t.teardown(() => card.close());
  const port = card.port(0);
  const regs = new Regs(port.bar0);
  port.enableBusMastering();
  const rx = new RxRing(port, regs, 32);
  await rx.enable();
  regs.set(R.DCA_RXCTRL(0), regs.get(R.DCA_RXCTRL(0)) | (1 << 12)); // as after reset
  regs.set(R.FCTRL, (1 << 8) | (1 << 9) | (1 << 10));
  regs.set(R.RXCTRL, 1);
  await waitFor('link', () => (regs.get(R.LINKS) & (1 << 30)) !== 0);
  card.tester(0).startGenerator({ count: 5, ratePps: 100_000 });
  await waitFor('5 frames', () => card.counters(0).rxDelivered === 5);
  t.equal(card.violations(0).noSnoopEnabled, 5, 'noSnoopEnabled once per frame');
  t.equal(card.violations(0).dcaRxctrlBit12Set, 5, 'dcaRxctrlBit12Set once per frame');
  regs.set(R.CTRL_EXT, regs.get(R.CTRL_EXT) | (1 << 16));
  regs.set(R.DCA_RXCTRL(0), regs.get(R.DCA_RXCTRL(0)) & ~(1 << 12));
  card.tester(0).startGenerator({ count: 5, ratePps: 100_000 });
  await waitFor('10 frames', () => card.counters(0).rxDelivered === 10);
  t.equal(card.violations(0).noSnoopEnabled, 5, 'none once NS_DIS is set');
  t.equal(card.violations(0).dcaRxctrlBit12Set, 5, 'none once bit 12 is clear');
  rx.free();
});

t.test('rx: a buffer address written after RDT moved is not seen (fetched as soon as RDT covers it)', async (t) => {
  const card = fastCard();
  t.teardown(() => card.close());
  const { rx } = await rxSetup(card, 16);
  await sleep(50);
  const other = card.port(0).allocDma(2048);
  rx.desc[0] = other.iova % 2 ** 32; // too late: the card already holds descriptor 0
  rx.desc[1] = Math.floor(other.iova / 2 ** 32);
  card.tester(0).startGenerator({ count: 1, ratePps: 100_000 });
  await waitFor('frame', () => (rx.status(0) & 1) !== 0);
  t.equal(verifyFrame(rx.buffer(0, 60)).seq, 0, 'the frame went to the stale buffer');
  t.ok(new Uint8Array(other.bytes).every((b) => b === 0), 'the late buffer is untouched');
  card.port(0).freeDma(other);
  rx.free();
});

t.test('generator: line rate by default, refuses rates above it, unpaced only on request', async (t) => {
  const card = fastCard();
  t.teardown(() => card.close());
  const { regs } = await rxSetup(card, 16);
  regs.set(R.RXCTRL, 0); // frames are generated and dropped: the generator runs at its own pace
  const start = performance.now();
  card.tester(0).startGenerator();
  await sleep(100);
  card.tester(0).stopGenerator();
  const seconds = (performance.now() - start) / 1000;
  const sent = card.tester(0).stats().txPackets;
  t.ok(sent > 0, `sent ${sent}`);
  t.ok(sent <= lineRatePps(60) * seconds + 256, `at most 14.88 Mpps: ${(sent / seconds / 1e6).toFixed(2)} Mpps`);
  t.throws(() => card.tester(0).startGenerator({ ratePps: 2e7 }), { code: 'ERR_INVALID_ARG', message: /above 10 Gbit\/s line rate/ });
  t.throws(() => card.tester(0).startGenerator({ ratePps: 0 }), { code: 'ERR_INVALID_ARG', message: /'unpaced'/ });
  t.throws(() => card.tester(0).startGenerator({ flows: 0 }), { code: 'ERR_INVALID_ARG' });
  t.same(parseSimSpec('sim:0,rate=unpaced,flows=4').generator, { ratePps: 'unpaced', flows: 4 });
  t.same(parseSimSpec('sim:0,count=5').generator, { count: 5 }, 'rate defaults to line in startGenerator');
  t.equal(Math.round(lineRatePps(60)), 14880952, '14.88 Mpps for 60-byte frames');
});
