// Control path of the simulated 82599, driven by hand: register reset values (datasheet 8.2.3), PCIe
// master disable before a reset (5.2.5.3.2), and the two addresses of RAL/RAH(0..15).
import t from 'tap';
import {
  disableMaster, fastCard, R, Regs, resetPort, RxRing, sleep, startRx, testFrame, TxRing, waitFor, writeRxctrl,
} from './model-helpers';

const GIO_DIS = 1 << 2; // CTRL (8.2.3.1.1)
const RST = 1 << 26;
const GIO = 1 << 19; // STATUS.GIO_MASTER_ENABLE (8.2.3.1.2)

/** Every register the model gives a datasheet initial value, with that value. */
function expectedDefaults(): [string, number, number][] {
  const rows: [string, number, number][] = [
    ['CTRL', R.CTRL, 0], ['CTRL_EXT', R.CTRL_EXT, 0], ['HLREG0', R.HLREG0, 0x08012c0b],
    ['MAXFRS', R.MAXFRS, 0x05ee0000],
    // CRCSTRIP (bit 1) 0, DMAIDONE (bit 3) set once DMA init is done, reserved 16:4 = 0x880, RSCFRSTSIZE 8
    ['RDRXCTL', R.RDRXCTL, 0x00108808],
    ['RXCTRL', R.RXCTRL, 0], ['FCTRL', R.FCTRL, 0], ['RTTDCS', R.RTTDCS, 0x00c00000],
    ['DTXMXSZRQ', R.DTXMXSZRQ, 0x10], ['DMATXCTL', R.DMATXCTL, 0x81000000], ['MRQC', R.MRQC, 0],
    ['SECRXCTRL', R.SECRXCTRL, 1], ['SECRXSTAT', R.SECRXSTAT, 0], ['AUTOC', R.AUTOC, 0xc19d8284],
    ['EIMS', R.EIMS, 0],
  ];
  for (let n = 0; n < 8; n++) {
    rows.push([`RXPBSIZE(${n})`, R.RXPBSIZE0 + 4 * n, n === 0 ? 0x200 << 10 : 0]);
    rows.push([`TXPBSIZE(${n})`, R.TXPBSIZE0 + 4 * n, n === 0 ? 0xa0 << 10 : 0]);
  }
  for (const q of [0, 1, 15, 16, 63]) {
    rows.push([`SRRCTL(${q})`, 0x1014 + 0x40 * q, 0x402]);
    rows.push([`RXDCTL(${q})`, R.RDBAL(q) + 0x28, 0]);
    rows.push([`TXDCTL(${q})`, R.TDBAL(q) + 0x28, 0]);
    rows.push([`DCA_RXCTRL(${q})`, R.DCA_RXCTRL(q), 0xb200]);
    rows.push([`DCA_TXCTRL(${q})`, R.DCA_TXCTRL(q), 0x2a00]);
    if (q < 16) {
      rows.push([`SRRCTL(${q}) at 0x2100`, R.SRRCTL(q), 0x402]);
      rows.push([`DCA_RXCTRL(${q}) at 0x2200`, R.DCA_RXCTRL_ALIAS(q), 0xb200]);
    }
  }
  return rows;
}

t.test('reset values: every control register reads its datasheet initial value after power-on and after CTRL.RST', async (t) => {
  const card = fastCard();
  t.teardown(() => card.close());
  const regs = new Regs(card.port(0).bar0);
  const rows = expectedDefaults();
  const check = (when: string): void => {
    for (const [name, off, value] of rows) t.equal(regs.get(off).toString(16), value.toString(16), `${name} ${when}`);
    t.equal(regs.get(R.STATUS) & GIO, GIO, `STATUS.GIO_MASTER_ENABLE set ${when}`);
    t.not((regs.get(R.HLREG0) & 2) !== 0, (regs.get(R.RDRXCTL) & 2) !== 0, `HLREG0.RXCRCSTRP and RDRXCTL.CRCSTRIP differ ${when}`);
    t.equal(regs.get(R.DCA_RXCTRL(0)) & (1 << 12), 1 << 12, `DCA_RXCTRL bit 12 reads 1 ${when} (software must clear it)`);
  };
  await waitFor('DMA init after power-on', () => (regs.get(R.RDRXCTL) & (1 << 3)) !== 0);
  check('after power-on');
  // Dirty every one of them (but CTRL, whose LRST bit would reset at once, and read-only SECRXSTAT),
  // queue enables left off, then reset.
  for (const [, off] of rows) if (off !== R.CTRL && off !== R.SECRXSTAT) regs.set(off, 0x5a5a5a5a & ~(1 << 25));
  await sleep(5);
  await resetPort(regs);
  check('after CTRL.RST');
  t.same(Object.entries(card.violations(0)).filter(([, n]) => n !== 0), [], 'no violations');
});

t.test('PCIe master disable: DMA stops, STATUS.GIO clears at a later pass, CTRL.RST without it is a violation', async (t) => {
  const card = fastCard();
  t.teardown(() => card.close());
  const port = card.port(0);
  const regs = new Regs(port.bar0);
  await resetPort(regs);
  port.enableBusMastering();
  t.equal(card.violations(0).resetWithMasterEnabled, 0, 'the helper disables the master before the reset');
  const tx = new TxRing(port, regs, 64);
  await tx.enable();
  await waitFor('link', () => (regs.get(R.LINKS) & (1 << 30)) !== 0);

  await disableMaster(regs);
  t.equal(regs.get(R.CTRL) & GIO_DIS, GIO_DIS, 'GIO_DIS reads back set');
  // No DMA while master requests are blocked: queued frames stay queued.
  const last = tx.put(testFrame(60, 1));
  tx.flush();
  await sleep(30);
  t.notOk(tx.done(last), 'no descriptor write-back while the master is disabled');
  t.equal(regs.get(R.TDBAL(0) + 0x10), 0, 'TDH did not move');
  t.equal(card.tester(0).stats().rxPackets, 0, 'nothing sent');
  // Clearing GIO_DIS lets requests flow again.
  regs.set(R.CTRL, regs.get(R.CTRL) & ~GIO_DIS);
  await waitFor('the frame sent once GIO_DIS is clear', () => tx.done(last));
  await waitFor('STATUS.GIO set again', () => (regs.get(R.STATUS) & GIO) !== 0);
  t.equal(card.tester(0).stats().rxPackets, 1);

  // A reset while STATUS.GIO still reads 1: counted at the CTRL write.
  regs.set(R.CTRL, regs.get(R.CTRL) | RST);
  t.equal(card.violations(0).resetWithMasterEnabled, 1, 'resetWithMasterEnabled counted at the write');
  await waitFor('reset done', () => (regs.get(R.CTRL) & RST) === 0 && (regs.get(R.EEC) & (1 << 9)) !== 0);
  t.equal(regs.get(R.CTRL) & GIO_DIS, 0, 'GIO_DIS back to its reset value 0');
  t.equal(regs.get(R.STATUS) & GIO, GIO, 'STATUS.GIO set after the reset');

  // GIO_DIS and RST in one write: the master was still enabled.
  regs.set(R.CTRL, GIO_DIS | RST);
  t.equal(card.violations(0).resetWithMasterEnabled, 2, 'GIO_DIS together with RST is too early');
  await waitFor('reset done', () => (regs.get(R.CTRL) & RST) === 0 && (regs.get(R.EEC) & (1 << 9)) !== 0);
  // A write during a pending reset is lost: the reset loads the defaults when it completes.
  await disableMaster(regs);
  regs.set(R.CTRL, regs.get(R.CTRL) | RST);
  regs.set(R.MAXFRS, 9000 << 16);
  await waitFor('reset done', () => (regs.get(R.CTRL) & RST) === 0 && (regs.get(R.EEC) & (1 << 9)) !== 0);
  t.equal(regs.get(R.MAXFRS) >>> 16, 1518, 'MAXFRS written during the reset reads its default');
  t.equal(card.violations(0).resetWithMasterEnabled, 2, 'the proper sequence is no violation');
  tx.free();
});

t.test('RAL/RAH(0..15) at 0xA200 + 8n and at the 82598 address 0x5400 + 8n, equal both ways', async (t) => {
  const card = fastCard();
  t.teardown(() => card.close());
  const port = card.port(0);
  const regs = new Regs(port.bar0);
  await resetPort(regs);
  const ral = regs.get(R.RAL(0));
  const rah = regs.get(R.RAL(0) + 4);
  t.not(rah & 0x80000000, 0, 'EEPROM MAC in entry 0, AV set');
  t.equal(regs.get(R.RAL_ALIAS(0)), ral, 'RAL(0) at 0x5400 shows the EEPROM MAC');
  t.equal(regs.get(R.RAL_ALIAS(0) + 4), rah, 'RAH(0) at 0x5404 shows the EEPROM MAC');
  for (const n of [1, 7, 15]) {
    regs.set(R.RAL_ALIAS(n), 0x11223344 + n);
    regs.set(R.RAL_ALIAS(n) + 4, 0x80005566);
    t.equal(regs.get(R.RAL(n)), 0x11223344 + n, `RAL(${n}) written at 0x5400 + 8n reads at 0xA200 + 8n at once`);
    t.equal(regs.get(R.RAL(n) + 4), 0x80005566, `RAH(${n}) likewise`);
    regs.set(R.RAL(n), 0x99887766);
    t.equal(regs.get(R.RAL_ALIAS(n)), 0x99887766, `RAL(${n}) written at 0xA200 + 8n reads at 0x5400 + 8n at once`);
  }
  // The receive filter follows a MAC written through the alias: only frames to the new address pass.
  port.enableBusMastering();
  const rx = new RxRing(port, regs, 64);
  await rx.enable();
  startRx(regs);
  writeFilterBroadcastOnly(regs);
  regs.set(R.RAL_ALIAS(0), 0x44332202);
  regs.set(R.RAL_ALIAS(0) + 4, 0x80006655);
  await waitFor('link', () => (regs.get(R.LINKS) & (1 << 30)) !== 0);
  card.tester(0).startGenerator({ count: 5, dstMac: '02:22:33:44:55:66', ratePps: 100000 });
  await waitFor('5 frames to the new MAC delivered', () => card.counters(0).rxDelivered === 5);
  card.tester(0).startGenerator({ count: 5, dstMac: '02:00:5e:82:59:00', ratePps: 100000 });
  await waitFor('5 frames to the old MAC filtered', () => card.counters(0).rxFiltered === 5);
  t.equal(card.counters(0).rxDelivered, 5);
  t.same(Object.entries(card.violations(0)).filter(([, n]) => n !== 0), [], 'no violations');
  rx.free();
});

/** FCTRL: broadcast only, no promiscuous modes; written with receive paused (8.2.3.7.1). */
function writeFilterBroadcastOnly(regs: Regs): void {
  writeRxctrl(regs, 0);
  regs.set(R.FCTRL, 1 << 10);
  writeRxctrl(regs, 1);
}
