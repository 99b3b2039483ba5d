// The simulated 82599's IEEE 1588 unit (datasheet 7.9) through the ixgbe driver's clock
// (lib/drivers/ixgbe/timesync.ts): SYSTIM stands until TIMINCA is written and then counts ns; one
// transmit and one receive timestamp are latched at a time and released by reading the high register;
// a probe through a line with a known delay measures that delay.
import t, { type Test } from 'tap';
import { buildProbe, writeProbeSequence } from '../../lib/apps/latency/probe';
import { TIMESYNC_REG } from '../../lib/drivers/ixgbe/timesync';
import type { IxgbeDevice } from '../../lib/drivers/ixgbe';
import { PacketBatch } from '../../lib/memory/batch';
import { Mempool } from '../../lib/memory/mempool';
import type { SimCard } from '../../lib/bus/sim';
import { assertConformant, openPort, pollUntil, testCard } from './ixgbe-helpers';
import { sleep } from './model-helpers';

const SRC = Uint8Array.from([2, 0, 0, 0, 0xaa, 1]);
const DST = Uint8Array.from([2, 0, 0, 0, 0xaa, 2]);

/** Sends probe `seq` on `dev`, marked for a transmit timestamp when `stamp`. */
function sendProbe(dev: IxgbeDevice, pool: Mempool, seq: number, stamp: boolean): void {
  const batch = new PacketBatch(1);
  batch.pool = pool;
  const id = pool.alloc();
  const off = pool.offsetOf(id);
  pool.data.set(buildProbe(80, DST, SRC), off);
  writeProbeSequence(pool.data, off, seq);
  batch.ids[0] = id;
  batch.lengths[0] = 80;
  batch.count = 1;
  if (stamp) dev.timesync.stampNextTx(0);
  if (dev.txBatch(0, batch) !== 1) throw new Error('the tx ring did not take the probe');
}

/** Receives and frees frames on `dev` until `n` arrived. */
async function receive(dev: IxgbeDevice, n: number): Promise<void> {
  const batch = new PacketBatch(32);
  let got = 0;
  await pollUntil(`${n} probes back`, () => {
    got += dev.rxBatch(0, batch);
    batch.freeAll();
    return got >= n;
  });
}

async function loopbackPort(t: Test): Promise<{ card: SimCard; dev: IxgbeDevice; pool: Mempool }> {
  const card = testCard(t, { wiring: 'loopback' });
  const dev = await openPort(card, 0);
  t.teardown(() => {
    if (!dev.closed) dev.close();
  });
  const pool = Mempool.create(dev.pci, { count: 64 });
  return { card, dev, pool };
}

t.test('SYSTIM stands still until TIMINCA is written, then counts nanoseconds', async (t) => {
  const { card, dev } = await loopbackPort(t);
  const bar0 = dev.pci.bar0;
  const read = (): number => bar0[TIMESYNC_REG.SYSTIML >>> 2] + bar0[TIMESYNC_REG.SYSTIMH >>> 2] * 2 ** 32;
  const before = read();
  await sleep(5);
  t.equal(read(), before, 'TIMINCA 0 after reset: the clock does not advance');
  dev.timesync.enable();
  const a = dev.timesync.now();
  await sleep(20);
  const b = dev.timesync.now();
  t.ok(b - a >= 19e6 && b - a < 5e9, `20 ms of sleep read as ${((b - a) / 1e6).toFixed(3)} ms on SYSTIM`);
  assertConformant(t, card);
});

t.test('one transmit timestamp at a time, released by reading TXSTMPH', async (t) => {
  const { card, dev, pool } = await loopbackPort(t);
  const clock = dev.timesync;
  clock.enable();
  const tsync = (): number => dev.pci.bar0[TIMESYNC_REG.TSYNCTXCTL >>> 2];
  sendProbe(dev, pool, 1, true);
  await receive(dev, 1);
  await pollUntil('TSYNCTXCTL.VALID', () => (tsync() & 1) !== 0);
  const first = dev.pci.bar0[TIMESYNC_REG.TXSTMPL >>> 2];
  await sleep(2);
  sendProbe(dev, pool, 2, true);
  await receive(dev, 1);
  t.equal(dev.pci.bar0[TIMESYNC_REG.TXSTMPL >>> 2], first, 'the second frame did not overwrite the latched timestamp');
  t.equal(card.counters(0).txTimestamps, 1, 'one timestamp latched for two marked frames');
  const stamp = clock.readTxStamp();
  t.ok(stamp !== undefined, 'readTxStamp returns the latched time');
  t.equal(tsync() & 1, 0, 'reading TXSTMPH cleared VALID');
  t.equal(clock.readTxStamp(), undefined, 'nothing latched any more');
  sendProbe(dev, pool, 3, false);
  await receive(dev, 1);
  await sleep(2);
  t.equal(tsync() & 1, 0, 'a frame without MAC.TSTAMP is not timestamped');
  sendProbe(dev, pool, 4, true);
  await receive(dev, 1);
  await pollUntil('TSYNCTXCTL.VALID again', () => (tsync() & 1) !== 0);
  const later = clock.readTxStamp() ?? 0;
  t.ok(later - (stamp ?? 0) > 2e6, `the next marked frame is timestamped after the latch was freed (${((later - (stamp ?? 0)) / 1e6).toFixed(2)} ms later)`);
  const w = dev.pci.bar0;
  w[TIMESYNC_REG.TSYNCTXCTL >>> 2] = 0x11;
  t.equal(tsync() & 1, 0, 'VALID is read only: writing 1 does not set it');
  assertConformant(t, card);
});

t.test('one receive timestamp at a time, with the probe sequence id, released by reading RXSTMPH', async (t) => {
  const { card, dev, pool } = await loopbackPort(t);
  const clock = dev.timesync;
  clock.enable();
  const rxctl = (): number => dev.pci.bar0[TIMESYNC_REG.TSYNCRXCTL >>> 2];
  sendProbe(dev, pool, 7, false);
  await receive(dev, 1);
  t.equal(rxctl() & 1, 1, 'TSYNCRXCTL.VALID after a PTP event message');
  sendProbe(dev, pool, 8, false);
  await receive(dev, 1);
  t.equal(card.counters(0).rxTimestamps, 1, 'the second probe found the latch held');
  t.equal(card.counters(0).rxTimestampsLocked, 1, 'and counted as not timestamped');
  const stamp = { ns: 0, sequenceId: 0 };
  t.ok(clock.readRxStamp(stamp), 'readRxStamp finds the latched time');
  t.equal(stamp.sequenceId, 7, 'RXSATRH carries the first probe\'s sequence id');
  t.equal(rxctl() & 1, 0, 'reading RXSTMPH cleared VALID');
  sendProbe(dev, pool, 9, false);
  await receive(dev, 1);
  t.ok(clock.readRxStamp(stamp) && stamp.sequenceId === 9, 'the next probe is timestamped once the latch is free');
  assertConformant(t, card);
});

t.test('transmit and receive timestamps of a probe differ by the line delay', async (t) => {
  const { card, dev, pool } = await loopbackPort(t);
  const clock = dev.timesync;
  clock.enable();
  const stamp = { ns: 0, sequenceId: 0 };
  for (const delayNs of [0, 10_000, 250_000]) {
    card.setFaults(0, { delayNs });
    sendProbe(dev, pool, delayNs & 0xffff, true);
    await receive(dev, 1);
    const tx = clock.readTxStamp();
    t.ok(clock.readRxStamp(stamp), `delay ${delayNs} ns: rx timestamp latched`);
    const measured = stamp.ns - (tx ?? NaN);
    t.ok(Math.abs(measured - delayNs) <= 6.4, `delay ${delayNs} ns measured as ${measured.toFixed(1)} ns (within one 6.4 ns tick)`);
  }
  assertConformant(t, card);
});
