// The simulated 82599's interrupt unit, driven by hand through the registers (82599 datasheet 7.3,
// 8.2.3.5) on a lockstep card: the model runs only inside card.step(), so what fires after each pass is
// exact. Messages are counted by the model (interruptsFired) and arrive as eventfds on the event loop.
import t, { type Test } from 'tap';
import { SimCard, type SimPort } from '../../lib/bus/sim';
import { Regs, sleep } from './model-helpers';

const EICR = 0x800;
const EICS = 0x808;
const EIAC = 0x810;
const EIMS = 0x880;
const EIMC = 0x888;
const EIAM = 0x890;
const GPIE = 0x898;
const eitr = (v: number): number => 0x820 + 4 * v;
const MSIX = 1 << 4;
const OCD = 1 << 5;
const EIAME = 1 << 30;

interface Rig {
  card: SimCard;
  port: SimPort;
  regs: Regs;
  /** Vectors delivered to the event loop, in order. */
  got: number[];
}

/** A lockstep card whose port 0 has eventfds on MSI-X vectors 0..3. */
async function rig(t: Test): Promise<Rig> {
  const card = SimCard.create({ lockstep: true, linkUpDelayMs: 0 });
  t.teardown(() => card.close());
  const port = card.port(0);
  const got: number[] = [];
  port.enableInterrupts('msix', 4, (v) => got.push(v));
  const regs = new Regs(port.bar0);
  return { card, port, regs, got };
}

/** Lets the event loop deliver eventfds the model wrote, until `n` vectors arrived or 2 s passed. */
async function delivered(r: Rig, n: number): Promise<number[]> {
  const end = Date.now() + 2000;
  while (r.got.length < n && Date.now() < end) await sleep(1);
  return r.got.slice();
}

t.test('MSI-X: a cause fires its vector once, auto-clears (EIAC) and auto-masks (EIAM with GPIE.EIAME)', async (t) => {
  const r = await rig(t);
  r.regs.set(GPIE, MSIX | EIAME);
  r.regs.set(EIAC, 0x2);
  r.regs.set(EIAM, 0x2);
  r.regs.set(EIMS, 0x2);
  r.regs.set(EICS, 0x2);
  t.equal(r.regs.get(EICS), 0, 'EICS reads 0 (write only)');
  t.equal(r.card.interruptsFired(0, 1), 0, 'nothing before the model runs');
  r.card.step(1);
  t.equal(r.card.interruptsFired(0, 1), 1, 'vector 1 fired');
  t.equal(r.regs.get(EICR) & 0x2, 0, 'EICR bit 1 auto-cleared');
  t.equal(r.regs.get(EIMS) & 0x2, 0, 'EIMS bit 1 auto-masked');
  t.same(await delivered(r, 1), [1], 'the eventfd of vector 1 woke the event loop with 1');
  r.card.step(5);
  t.equal(r.card.interruptsFired(0, 1), 1, 'no second message without a new cause');
  t.equal(r.card.interruptsFired(0, 0) + r.card.interruptsFired(0, 2), 0, 'other vectors silent');
});

t.test('a cause raised while masked stays latched and fires as soon as the vector is unmasked', async (t) => {
  const r = await rig(t);
  // OCD: the read of EICR below must not clear the queue cause it looks at.
  r.regs.set(GPIE, MSIX | EIAME | OCD);
  r.regs.set(EIAC, 0x1);
  r.regs.set(EIAM, 0x1);
  r.regs.set(EICS, 0x1);
  r.card.step(3);
  t.equal(r.card.interruptsFired(0, 0), 0, 'masked: no message');
  t.equal(r.regs.get(EICR) & 0x1, 0x1, 'the cause is latched in EICR');
  r.regs.set(EIMS, 0x1);
  r.card.step(1);
  t.equal(r.card.interruptsFired(0, 0), 1, 'fired at the first pass after the unmask');
  t.same(await delivered(r, 1), [0]);
});

t.test('without auto-clear a cause left set signals once, and again only after it was cleared', async (t) => {
  const r = await rig(t);
  r.regs.set(GPIE, MSIX);
  r.regs.set(EIMS, 0x4);
  r.regs.set(EICS, 0x4);
  r.card.step(5);
  t.equal(r.card.interruptsFired(0, 2), 1, 'one message for the pending cause, however many passes');
  t.equal(r.regs.get(EIMS) & 0x4, 0x4, 'no auto-mask without GPIE.EIAME');
  r.regs.set(EICR, 0x4);  // write 1 to clear
  r.card.step(2);
  t.equal(r.card.interruptsFired(0, 2), 1, 'cleared: nothing new');
  r.regs.set(EICS, 0x4);
  r.card.step(1);
  t.equal(r.card.interruptsFired(0, 2), 2, 'a new cause signals again');
  r.regs.set(EIMC, 0x4);
  r.regs.set(EIMS, 0x4);
  r.card.step(1);
  t.equal(r.card.interruptsFired(0, 2), 3, 'mask then unmask with the cause still set: signals again');
});

t.test('EITR spaces the messages of a vector by its interval (bits 11:3, 2 us units)', async (t) => {
  const r = await rig(t);
  r.regs.set(GPIE, MSIX | EIAME);
  r.regs.set(EIAC, 0x1);
  r.regs.set(EIAM, 0x1);
  r.regs.set(eitr(0), (500 << 3) | (1 << 31));  // 1000 us
  r.regs.set(EIMS, 0x1);
  r.regs.set(EICS, 0x1);
  const first = process.hrtime.bigint();
  r.card.step(1);
  t.equal(r.card.interruptsFired(0, 0), 1);
  r.regs.set(EIMS, 0x1);
  r.regs.set(EICS, 0x1);
  r.card.step(1);
  const early = r.card.interruptsFired(0, 0);
  const elapsedUs = Number(process.hrtime.bigint() - first) / 1000;
  // Only a pass that really ran inside the interval can show the spacing (a descheduled test cannot).
  if (elapsedUs < 900) t.equal(early, 1, `no second message ${elapsedUs.toFixed(0)} us after the first`);
  else t.pass(`the second pass came ${elapsedUs.toFixed(0)} us late: spacing not observable this run`);
  await sleep(5);
  r.card.step(1);
  t.equal(r.card.interruptsFired(0, 0), 2, 'the second message went out once the interval passed');
});

t.test('EICR reads clear what they return; with GPIE.OCD only the other causes (bits 29:16)', async (t) => {
  const r = await rig(t);
  r.regs.set(EICS, 0x1 | (1 << 20));
  t.equal(r.regs.get(EICR) & 0x100001, 0x100001, 'both causes read');
  t.equal(r.regs.get(EICR), 0, 'legacy mode: the read cleared them');
  r.regs.set(GPIE, MSIX | OCD);
  r.regs.set(EICS, 0x1 | (1 << 20));
  t.equal(r.regs.get(EICR) & 0x100001, 0x100001);
  t.equal(r.regs.get(EICR) & 0x100001, 0x1, 'OCD: the queue cause survives the read, LSC does not');
});

t.test('legacy/MSI mode (GPIE.MULTIPLE_MSIX clear): one message on vector 0 per pending period', async (t) => {
  const r = await rig(t);
  r.regs.set(EIMS, 0x8);
  r.regs.set(EICS, 0x8);
  r.card.step(3);
  t.equal(r.card.interruptsFired(0, 0), 1, 'vector 0 signalled once while the cause stays pending');
  t.equal(r.card.interruptsFired(0, 3), 0, 'not the cause bit\'s vector: MSI has one');
  void r.regs.get(EICR);  // read to clear
  r.regs.set(EICS, 0x8);
  r.card.step(1);
  t.equal(r.card.interruptsFired(0, 0), 2, 'a new cause after the clear: a new message');
});

t.test('a reset puts every interrupt register back to 0 (causes masked, routing gone)', async (t) => {
  const card = SimCard.create({ linkUpDelayMs: 0 });
  t.teardown(() => card.close());
  const regs = new Regs(card.port(0).bar0);
  regs.set(GPIE, MSIX | EIAME);
  regs.set(EIAC, 0xf);
  regs.set(EIMS, 0xf);
  regs.set(0x900, 0x80);
  regs.set(0x0, 1 << 2);  // GIO_DIS first (5.2.5.3.2)
  const end = Date.now() + 2000;
  while ((regs.get(0x8) & (1 << 19)) !== 0 && Date.now() < end) await sleep(1);
  regs.set(0x0, (1 << 2) | (1 << 26));
  while ((regs.get(0x0) & (1 << 26)) !== 0 && Date.now() < end) await sleep(1);
  t.same([GPIE, EIAC, EIMS, 0x900].map((o) => regs.get(o)), [0, 0, 0, 0]);
});
