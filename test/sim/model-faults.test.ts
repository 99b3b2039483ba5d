// Fault knobs and datasheet-violation accounting of the simulated 82599.
import t from 'tap';
import { disableMaster, fastCard, R, Regs, resetPort, RxRing, sleep, startRx, waitFor } from './model-helpers';

t.test('reset never completes', async (t) => {
  const card = fastCard();
  t.teardown(() => card.close());
  const regs = new Regs(card.port(0).bar0);
  card.setFaults(0, { resetNeverCompletes: true });
  await disableMaster(regs);
  regs.set(R.CTRL, regs.get(R.CTRL) | (1 << 26));
  await sleep(20);
  t.not(regs.get(R.CTRL) & (1 << 26), 0, 'RST still set');
  card.setFaults(0, { resetNeverCompletes: false });
  await waitFor('reset completes once the fault is cleared', () => (regs.get(R.CTRL) & (1 << 26)) === 0);
});

t.test('EEPROM auto-read and DMA init never complete; invalid MAC; bad checksum', async (t) => {
  const card = fastCard();
  t.teardown(() => card.close());
  const regs = new Regs(card.port(0).bar0);
  card.setFaults(0, { eepromAutoReadNeverCompletes: true, dmaInitNeverCompletes: true });
  await disableMaster(regs);
  regs.set(R.CTRL, regs.get(R.CTRL) | (1 << 26));
  await waitFor('reset', () => (regs.get(R.CTRL) & (1 << 26)) === 0);
  await sleep(10);
  t.equal(regs.get(R.EEC) & (1 << 9), 0, 'EEC.ARD clear');
  t.equal(regs.get(R.RDRXCTL) & (1 << 3), 0, 'DMAIDONE clear');
  t.equal(regs.get(R.RAH0), 0, 'no MAC loaded');
  card.setFaults(0, { eepromAutoReadNeverCompletes: false, dmaInitNeverCompletes: false, invalidMac: 'multicast' });
  await resetPort(regs);
  t.equal(regs.get(R.RAL0) & 1, 1, 'multicast bit set in RAL(0)');
  card.setFaults(0, { invalidMac: 'zero', badEepromChecksum: true });
  await resetPort(regs);
  t.equal(regs.get(R.RAL0), 0);
  t.equal(regs.get(R.RAH0) & 0xffff, 0);
  regs.set(R.EERD, 1 | (0x3f << 2));
  await waitFor('EERD', () => (regs.get(R.EERD) & 2) !== 0);
  t.not(regs.get(R.EERD) >>> 16, card.eeprom(0)[0x3f], 'checksum word read wrong');
});

t.test('link never up, and a link flap', async (t) => {
  const card = fastCard();
  t.teardown(() => card.close());
  const regs = new Regs(card.port(0).bar0);
  await waitFor('link', () => (regs.get(R.LINKS) & (1 << 30)) !== 0);
  card.setFaults(0, { linkDownForMs: 30 });
  await waitFor('link down', () => (regs.get(R.LINKS) & (1 << 30)) === 0);
  await waitFor('link back after the flap', () => (regs.get(R.LINKS) & (1 << 30)) !== 0);
  card.setFaults(0, { linkNeverUp: true });
  regs.set(R.AUTOC, 1 << 12);
  await sleep(30);
  t.equal(regs.get(R.LINKS) & (1 << 30), 0, 'link stays down');
});

t.test('rx error bits on every Nth frame, counted in CRCERRS', async (t) => {
  const card = fastCard();
  t.teardown(() => card.close());
  const port = card.port(0);
  const regs = new Regs(port.bar0);
  port.enableBusMastering();
  card.setFaults(0, { rxErrorEvery: 4 });
  const rx = new RxRing(port, regs, 32);
  await rx.enable();
  // FCTRL.SBP (store bad packets) so that frames with a MAC error reach descriptors, with RXE.
  regs.set(R.CTRL_EXT, regs.get(R.CTRL_EXT) | (1 << 16));
  regs.set(R.FCTRL, (1 << 1) | (1 << 8) | (1 << 9) | (1 << 10));
  regs.set(R.RXCTRL, 1);
  await waitFor('link', () => (regs.get(R.LINKS) & (1 << 30)) !== 0);
  card.tester(0).startGenerator({ count: 12 });
  await waitFor('12 frames', () => (rx.status(11) & 1) !== 0);
  const errs = rx.harvest().map((i) => (rx.status(i) >>> 29) & 1);
  t.same(errs, [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1], 'RXE (bit 29) on frames 4, 8, 12');
  t.equal(regs.get(R.CRCERRS), 3);
  t.equal(regs.get(R.GPRC), 9, 'errored frames are not good frames');
});

t.test('DMA outside any region is refused and recorded; freed memory is never touched', async (t) => {
  const card = fastCard();
  t.teardown(() => card.close());
  const port = card.port(0);
  const regs = new Regs(port.bar0);
  port.enableBusMastering();
  const rx = new RxRing(port, regs, 16);
  rx.desc[0] = 0x1000; // buffer address 0x1000: not DMA memory
  rx.desc[1] = 0;
  await rx.enable();
  startRx(regs);
  await waitFor('link', () => (regs.get(R.LINKS) & (1 << 30)) !== 0);
  card.tester(0).startGenerator({ count: 1 });
  await waitFor('fault', () => card.dmaFaults().count > 0);
  t.equal(card.dmaFaults().lastAddress, 0x1000);
  t.equal(rx.status(0) & 1, 0, 'nothing written back');
  rx.free();
});

t.test('violations: unconfigured queue enable, unaligned base, tail outside ring, FCTRL while RXEN', async (t) => {
  const card = fastCard();
  t.teardown(() => card.close());
  const port = card.port(0);
  const regs = new Regs(port.bar0);
  await resetPort(regs);
  port.enableBusMastering();
  regs.set(R.RDBAL(1) + 0x28, 1 << 25);
  await waitFor('enable refused', () => (regs.get(R.RDBAL(1) + 0x28) & (1 << 25)) === 0);
  const rx = new RxRing(port, regs, 16);
  regs.set(R.RDBAL(0), regs.get(R.RDBAL(0)) + 64);
  await rx.enable();
  regs.set(R.RDBAL(0) + 0x18, 99);
  startRx(regs);
  regs.set(R.FCTRL, 0);
  await waitFor('violations counted', () => card.violations(0).fctrlChangedWhileRxEnabled === 1 &&
    card.violations(0).tailOutsideRing === 1);
  const v = card.violations(0);
  t.equal(v.queueEnabledUnconfigured, 1);
  t.equal(v.ringBaseUnaligned, 1);
  t.equal(v.dmaWithoutBusMaster, 0);
  rx.free();
});
