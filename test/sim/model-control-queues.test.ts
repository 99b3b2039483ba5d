// Queue enable and disable of the simulated 82599, driven by hand: RXDCTL/TXDCTL.ENABLE read the
// queue's actual state as the model publishes it (8.2.3.8.6, 8.2.3.9.10), a tx queue disable completes
// only once its queued descriptors are sent and never while the link is down (4.6.8.2).
import t from 'tap';
import { fastCard, modelPass, Q, R, Regs, resetPort, RxRing, sleep, startRx, testFrame, TxRing, waitFor } from './model-helpers';

const ENABLE = 1 << 25;
const VME = 1 << 30; // RXDCTL (8.2.3.8.6): another bit, kept as written

t.test('rx: ENABLE reads 1 once the ring is latched (0 when it cannot be); disable stops receiving', async (t) => {
  const card = fastCard();
  t.teardown(() => card.close());
  const port = card.port(0);
  const regs = new Regs(port.bar0);
  await resetPort(regs);
  port.enableBusMastering();
  // Queue 1 has no ring: the enable is refused and ENABLE reads 0, not what was written.
  const dctl1 = R.RDBAL(1) + Q.DCTL;
  regs.set(dctl1, ENABLE);
  await waitFor('the refusal', () => card.violations(0).queueEnabledUnconfigured === 1);
  t.equal(regs.get(dctl1) & ENABLE, 0, 'RXDCTL(1).ENABLE reads 0');
  await sleep(10);
  t.equal(regs.get(dctl1) & ENABLE, 0, 'and stays 0');
  // Queue 0 with its ring: ENABLE reads 1 and other bits keep their written value.
  const rx = new RxRing(port, regs, 64);
  t.teardown(() => rx.free());
  const dctl0 = R.RDBAL(0) + Q.DCTL;
  regs.set(dctl0, ENABLE | VME);
  await modelPass(regs);
  t.equal(regs.get(dctl0), (ENABLE | VME) >>> 0, 'RXDCTL(0).ENABLE reads 1 once the model latched the ring');
  regs.set(R.RDBAL(0) + Q.T, 63);
  startRx(regs);
  await waitFor('link', () => (regs.get(R.LINKS) & (1 << 30)) !== 0);
  card.tester(0).startGenerator({ count: 10, ratePps: 100000 });
  await waitFor('10 frames delivered', () => card.counters(0).rxDelivered === 10);
  // Disable: reads 0 once the model saw it, and the queue takes no frame after that.
  regs.set(dctl0, VME);
  await modelPass(regs);
  t.equal(regs.get(dctl0), VME, 'RXDCTL(0).ENABLE reads 0 after the disable');
  card.tester(0).startGenerator({ count: 10, ratePps: 100000 });
  await waitFor('10 frames dropped', () => card.counters(0).rxDroppedDisabled === 10);
  t.equal(card.counters(0).rxDelivered, 10, 'nothing more delivered');
  t.equal(card.violations(0).queueEnabledUnconfigured, 1);
});

t.test('tx: a disable completes only once the queued descriptors are sent', async (t) => {
  const card = fastCard();
  t.teardown(() => card.close());
  const port = card.port(0);
  const regs = new Regs(port.bar0);
  await resetPort(regs);
  port.enableBusMastering();
  const tx = new TxRing(port, regs, 64);
  t.teardown(() => tx.free());
  await tx.enable();
  await waitFor('link', () => (regs.get(R.LINKS) & (1 << 30)) !== 0);
  const dctl = R.TDBAL(0) + Q.DCTL;
  // Transmit paused (DMATXCTL.TE clear) with three frames queued.
  regs.set(R.DMATXCTL, regs.get(R.DMATXCTL) & ~1);
  let last = 0;
  for (let i = 0; i < 3; i++) last = tx.put(testFrame(60, i));
  tx.flush();
  regs.set(dctl, regs.get(dctl) & ~ENABLE);
  await waitFor('the model answers that the queue is still running', () => (regs.get(dctl) & ENABLE) !== 0);
  await sleep(30);
  t.not(regs.get(dctl) & ENABLE, 0, 'TXDCTL.ENABLE still reads 1 while descriptors wait');
  t.notOk(tx.done(last), 'the frames are still queued');
  // Transmit resumes: the queue sends what it was given, then stops.
  regs.set(R.DMATXCTL, regs.get(R.DMATXCTL) | 1);
  await waitFor('TXDCTL.ENABLE reads 0 once the queue drained', () => (regs.get(dctl) & ENABLE) === 0);
  t.ok(tx.done(last), 'every queued frame was sent first');
  t.equal(card.tester(0).stats().rxPackets, 3);
  t.equal(regs.get(R.TDBAL(0) + Q.H), 3, 'TDH reached the tail');
  // A stopped queue sends nothing more.
  tx.put(testFrame(60, 3));
  tx.flush();
  await sleep(20);
  t.equal(card.tester(0).stats().rxPackets, 3, 'no frame after the disable completed');
  t.same(Object.entries(card.violations(0)).filter(([, n]) => n !== 0), [], 'no violations');
});

t.test('tx: a disable never completes while the link is down', async (t) => {
  const card = fastCard();
  t.teardown(() => card.close());
  const port = card.port(0);
  const regs = new Regs(port.bar0);
  await resetPort(regs);
  port.enableBusMastering();
  const tx = new TxRing(port, regs, 64);
  t.teardown(() => tx.free());
  await tx.enable();
  await waitFor('link', () => (regs.get(R.LINKS) & (1 << 30)) !== 0);
  card.setWiring(0, 'unplugged');
  await waitFor('link down', () => (regs.get(R.LINKS) & (1 << 30)) === 0);
  const dctl = R.TDBAL(0) + Q.DCTL;
  regs.set(dctl, regs.get(dctl) & ~ENABLE);
  await waitFor('the model answers that the queue is still running', () => (regs.get(dctl) & ENABLE) !== 0);
  await sleep(50);
  t.not(regs.get(dctl) & ENABLE, 0, 'TXDCTL.ENABLE still 1 with the link down (a driver waiting for it times out)');
  card.setWiring(0, 'tester');
  await waitFor('link up', () => (regs.get(R.LINKS) & (1 << 30)) !== 0);
  await waitFor('TXDCTL.ENABLE reads 0 once the link is up', () => (regs.get(dctl) & ENABLE) === 0);
  // A reset ends a disable that cannot complete, as on silicon.
  regs.set(dctl, ENABLE);
  await modelPass(regs);
  t.not(regs.get(dctl) & ENABLE, 0, 'enabled again');
  card.setWiring(0, 'unplugged');
  await waitFor('link down', () => (regs.get(R.LINKS) & (1 << 30)) === 0);
  regs.set(dctl, 0);
  await waitFor('refused', () => (regs.get(dctl) & ENABLE) !== 0);
  await resetPort(regs);
  t.equal(regs.get(dctl), 0, 'TXDCTL back to 0 after the reset');
  t.same(Object.entries(card.violations(0)).filter(([, n]) => n !== 0), [], 'no violations');
});
