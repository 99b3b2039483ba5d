// Register-level behaviour of the simulated 82599: reset, EEPROM, MAC, link, interrupt mask.
import t from 'tap';
import { disableMaster, fastCard, R, Regs, sleep, waitFor, writeRxctrl } from './model-helpers';
import { SimCard } from '../../lib/bus/sim';

// The Linux ixgbe_calc_eeprom_checksum_generic rule, written independently of the model.
function eepromSum(words: Uint16Array): number {
  let sum = 0;
  for (let i = 0; i < 0x40; i++) sum += words[i]; // includes the checksum word itself
  for (let i = 0x03; i < 0x0f; i++) {
    const ptr = words[i];
    if (ptr === 0xffff || ptr === 0 || ptr >= words.length) continue;
    const len = words[ptr];
    if (len === 0xffff || len === 0 || ptr + len >= words.length) continue;
    for (let j = ptr + 1; j <= ptr + len; j++) sum += words[j];
  }
  return sum & 0xffff;
}

async function eerd(regs: Regs, addr: number): Promise<number> {
  regs.set(R.EERD, 1 | (addr << 2));
  await waitFor('EERD.DONE', () => (regs.get(R.EERD) & 2) !== 0);
  return regs.get(R.EERD) >>> 16;
}

t.test('identity and config space', async (t) => {
  const card = fastCard();
  t.teardown(() => card.close());
  const p = card.port(1);
  t.equal(p.address, 'sim:1');
  t.equal(p.readConfig16(0), 0x8086);
  t.equal(p.readConfig16(2), 0x10fb);
  t.equal(p.readConfig32(0), 0x10fb8086);
  t.equal(p.readConfig16(4) & 4, 0, 'bus mastering off at start');
  p.enableBusMastering();
  t.equal(p.readConfig16(4) & 4, 4);
  t.equal((p.bar0[R.STATUS >> 2] >> 2) & 3, 1, 'STATUS.LAN_ID is the port number');
});

t.test('CTRL.RST self-clears and restores defaults', async (t) => {
  // A reset long enough that the read right after the write lands inside it on a busy machine too.
  const card = SimCard.create({ linkUpDelayMs: 2, resetDelayMs: 200 });
  t.teardown(() => card.close());
  const regs = new Regs(card.port(0).bar0);
  regs.set(R.MAXFRS, 9018 << 16);
  writeRxctrl(regs, 1);
  await disableMaster(regs);
  regs.set(R.CTRL, regs.get(R.CTRL) | (1 << 26));
  t.not(regs.get(R.CTRL) & (1 << 26), 0, 'RST reads set until the reset completes');
  await waitFor('CTRL.RST to clear', () => (regs.get(R.CTRL) & (1 << 26)) === 0);
  await waitFor('EEC.ARD', () => (regs.get(R.EEC) & (1 << 9)) !== 0);
  t.equal(regs.get(R.CTRL), 0, 'CTRL back to 0, GIO_DIS included');
  t.equal(regs.get(R.MAXFRS) >>> 16, 1518, 'MAXFRS back to its default');
  t.equal(regs.get(R.RXCTRL), 0, 'RXCTRL back to 0');
  t.equal(regs.get(R.HLREG0) & 3, 3, 'HLREG0: TXCRCEN and RXCRCSTRP set by default');
  const eec = regs.get(R.EEC);
  t.not(eec & (1 << 8), 0, 'EEC.PRES');
  t.not(eec & (1 << 9), 0, 'EEC.ARD');
  t.equal((eec >> 11) & 0xf, 5, 'EEC.SIZE: 2048 words');
});

t.test('EEPROM through EERD: the image sums to 0xBABA, MAC words match RAL/RAH', async (t) => {
  const card = fastCard();
  t.teardown(() => card.close());
  const image = card.eeprom(0);
  t.equal(eepromSum(image), 0xbaba, 'checksum rule holds on the image');
  const regs = new Regs(card.port(0).bar0);
  const words = new Uint16Array(2048);
  for (let i = 0; i < 0x40; i++) words[i] = await eerd(regs, i);
  // follow the pointers like a driver would
  for (let i = 0x03; i < 0x0f; i++) {
    const ptr = words[i];
    if (ptr === 0 || ptr === 0xffff) continue;
    const len = await eerd(regs, ptr);
    words[ptr] = len;
    for (let j = ptr + 1; j <= ptr + len; j++) words[j] = await eerd(regs, j);
  }
  t.equal(eepromSum(words), 0xbaba, 'words read through EERD satisfy the checksum rule');
  t.ok(words.slice(0x03, 0x0f).some((w) => w !== 0 && w !== 0xffff && w !== 0), 'sections are covered');
  for (const port of [0, 1] as const) {
    const r = new Regs(card.port(port).bar0);
    const ral = r.get(R.RAL0);
    const rah = r.get(R.RAH0);
    t.not(rah & 0x80000000, 0, 'RAH.AV');
    const mac = [ral & 0xff, (ral >> 8) & 0xff, (ral >> 16) & 0xff, ral >>> 24, rah & 0xff, (rah >> 8) & 0xff];
    t.equal(mac[0] & 1, 0, 'unicast');
    const core = image[0x09 + port];
    t.same([image[core + 1] & 0xff, image[core + 1] >> 8, image[core + 2] & 0xff, image[core + 2] >> 8,
      image[core + 3] & 0xff, image[core + 3] >> 8], mac, `LAN core ${port} section holds port ${port}'s MAC`);
  }
  t.not(new Regs(card.port(0).bar0).get(R.RAL0), undefined);
  t.not(card.port(0).bar0[R.RAH0 >> 2] & 0xffff, card.port(1).bar0[R.RAH0 >> 2] & 0xffff, 'ports differ');
});

t.test('AUTOC restart-AN brings LINKS up at 10G after the delay; unplugged takes it down', async (t) => {
  const card = fastCard();
  t.teardown(() => card.close());
  const regs = new Regs(card.port(0).bar0);
  await waitFor('link up after power-on', () => (regs.get(R.LINKS) & (1 << 30)) !== 0);
  regs.set(R.AUTOC, regs.get(R.AUTOC) | (1 << 12));
  await waitFor('restart-AN self-clears', () => (regs.get(R.AUTOC) & (1 << 12)) === 0);
  await waitFor('link up', () => (regs.get(R.LINKS) & (1 << 30)) !== 0);
  t.equal((regs.get(R.LINKS) >>> 28) & 3, 3, 'speed 10G');
  t.not(regs.get(R.EICR) & (1 << 20), 0, 'EICR.LSC raised');
  regs.set(R.EICR, 1 << 20);
  await waitFor('EICR.LSC cleared by writing 1', () => (regs.get(R.EICR) & (1 << 20)) === 0);
  card.setWiring(0, 'unplugged');
  await waitFor('link down', () => (regs.get(R.LINKS) & (1 << 30)) === 0);
  t.equal(card.counters(0).linkUp, false);
  card.setWiring(0, 'tester');
  await waitFor('link back', () => (regs.get(R.LINKS) & (1 << 30)) !== 0);
});

t.test('EIMS sets and EIMC clears interrupt mask bits', async (t) => {
  const card = fastCard();
  t.teardown(() => card.close());
  const regs = new Regs(card.port(0).bar0);
  regs.set(R.EIMS, 0x5);
  await sleep(2);
  regs.set(R.EIMS, 0x2);
  await waitFor('EIMS accumulates', () => regs.get(R.EIMS) === 0x7);
  regs.set(R.EIMC, 0x7fffffff);
  await waitFor('EIMC clears the mask', () => regs.get(R.EIMS) === 0);
  t.equal(regs.get(R.EIMC), 0, 'EIMC reads 0');
});

t.test('writes to read-only STATUS are recorded as violations', async (t) => {
  const card = fastCard();
  t.teardown(() => card.close());
  const regs = new Regs(card.port(0).bar0);
  const status = regs.get(R.STATUS);
  regs.set(R.STATUS, 0xffffffff);
  await waitFor('STATUS restored', () => regs.get(R.STATUS) === status);
  t.equal(card.violations(0).readOnlyRegisterWritten, 1);
});
