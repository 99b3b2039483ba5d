// Millions of frames each way through the ixgbe driver on the simulated 82599, mixed sizes 60..1514:
// rx from the generator, tx to the checker, and forwarding port 0 -> port 1. Every frame arrives once,
// in order, intact (sequence numbers on every frame, full checksum and payload check on a sample; the
// checker validates every transmitted frame), and the driver's counters match the tester's. The
// generator sends at an explicit 2 Mpps: a driver that falls behind (a loaded machine) misses frames,
// and then the sequence numbers it never received must be exactly the ones rx_missed counts.
// 10 million frames per test, as issue 4 asks (about 7 s for all three on a quiet 2-core machine);
// TSNIC_VOLUME_FRAMES=N (a multiple of 10) for another count.
import t from 'tap';
import type { SimCard } from '../../lib/bus/sim';
import type { IxgbeDevice } from '../../lib/drivers/ixgbe';
import { PacketBatch } from '../../lib/memory/batch';
import { Mempool } from '../../lib/memory/mempool';
import { rxLost, SeqLedger } from './balance';
import { lineRatePps } from '../../lib/bus/sim';
import { assertConformant, openPort, testCard } from './ixgbe-helpers';
import { testFrame, verifyFrame } from './model-helpers';
import { waitForTraffic } from './traffic-watch';

/** The generator's rate, frames per second (or line rate, for frames too large for this rate). */
const RATE_PPS = 2e6;
const rateFor = (size: number): number => Math.min(RATE_PPS, Math.floor(lineRatePps(size)));

const FRAMES = Number(process.env.TSNIC_VOLUME_FRAMES ?? 10_000_000);
/** Generator runs: the generator has one size per run, so rx and forwarding cycle through these. */
const RUN_SIZES = [60, 64, 128, 256, 511, 777, 1024, 1280, 1500, 1514];
const PER_RUN = Math.floor(FRAMES / RUN_SIZES.length);
if (!Number.isInteger(FRAMES) || PER_RUN * RUN_SIZES.length !== FRAMES) {
  throw new Error(`TSNIC_VOLUME_FRAMES must be a multiple of ${RUN_SIZES.length}, got ${String(process.env.TSNIC_VOLUME_FRAMES)}`);
}

function seqAt(data: Uint8Array, off: number): number {
  return ((data[off + 42] << 24) | (data[off + 43] << 16) | (data[off + 44] << 8) | data[off + 45]) >>> 0;
}

/** What one generator run of `count` frames did: problems found, frames received and missed. */
interface Run {
  problems: string[];
  received: number;
  missed: number;
}

/** Receives one generator run of `count` frames of `size` bytes. */
async function receiveRun(dev: IxgbeDevice, card: SimCard, size: number, count: number): Promise<Run> {
  const problems: string[] = [];
  const batch = new PacketBatch(64);
  const missedBefore = rxLost(dev.readStats());
  let stats = dev.readStats();
  card.tester(0).startGenerator({ count, frameSize: size, ratePps: rateFor(size) });
  const seq = new SeqLedger();
  await waitForTraffic(`${count} frames of ${size}`, () => {
    const n = dev.rxBatch(0, batch);
    const pool = batch.pool as Mempool;
    for (let k = 0; k < n; k++) {
      const data = pool.data;
      const off = batch.ids[k] * pool.bufferSize;
      seq.see(seqAt(data, off));
      if (batch.lengths[k] !== size) {
        if (problems.length < 10) problems.push(`frame ${seqAt(data, off)}: length ${batch.lengths[k]}`);
      } else if ((seq.received & 1023) === 0) {
        const v = verifyFrame(data.subarray(off, off + size));
        let payloadOk = true;
        for (let i = 46; i < size; i++) if (data[off + i] !== (i & 0xff)) payloadOk = false;
        if (!v.ipOk || !v.udpOk || !payloadOk) problems.push(`frame ${seqAt(data, off)}: content damaged`);
      }
    }
    batch.freeAll();
    if (n > 0) return false;
    stats = dev.readStats(stats);
    return seq.received + rxLost(stats) - missedBefore >= count;
  }, { card, devs: [dev], progress: () => seq.received, describe: () => `received ${seq.received} of ${count} frames of ${size}` });
  const missed = rxLost(dev.readStats(stats)) - missedBefore;
  if (seq.backwards !== 0) problems.push(`${seq.backwards} frames twice or out of order`);
  if (seq.missing(count) !== missed) problems.push(`${seq.missing(count)} sequence numbers never received, but rx_missed ${missed}`);
  if (seq.received + missed !== count) problems.push(`received ${seq.received} + missed ${missed} != ${count}`);
  return { problems, received: seq.received, missed };
}

t.test(`rx: ${FRAMES} generated frames in runs of sizes 60..1514`, async (t) => {
  const card = testCard(t);
  const dev = await openPort(card);
  let bytes = 0;
  let received = 0;
  let missed = 0;
  for (const size of RUN_SIZES) {
    const run = await receiveRun(dev, card, size, PER_RUN);
    t.same(run.problems, [], `${PER_RUN} frames of ${size} bytes: each received once, in order, intact, or counted missed`);
    bytes += run.received * (size + 4);
    received += run.received;
    missed += run.missed;
  }
  t.comment(`received ${received}, missed ${missed}`);
  const stats = dev.readStats();
  t.equal(stats.rxPackets, received);
  t.equal(stats.rxBytes, bytes);
  t.equal(rxLost(stats), missed);
  t.equal(stats.rxErrors, 0);
  t.equal(card.tester(0).stats().txPackets, FRAMES);
  assertConformant(t, card);
  dev.close();
});

t.test(`tx: ${FRAMES} frames of mixed sizes 60..1514 to the checker`, async (t) => {
  const card = testCard(t);
  const dev = await openPort(card);
  // One template per size with sequence number 0; each frame patches its sequence number and updates
  // the UDP checksum incrementally (one's complement sum, RFC 1624).
  const templates = Array.from({ length: 1515 }, (_, size) => (size >= 60 ? testFrame(size, 0) : new Uint8Array(0)));
  const pool = Mempool.create(dev.pci, { count: 2048 });
  const data = pool.data;
  const batch = new PacketBatch(32);
  batch.pool = pool;
  let seq = 0;
  let bytes = 0;
  let x = 12345;
  await waitForTraffic('all frames queued', () => {
    while (batch.count < 32 && seq < FRAMES) {
      const id = pool.alloc();
      if (id < 0) break;
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const size = 60 + ((x >>> 8) % 1455);
      const off = id * pool.bufferSize;
      const tpl = templates[size];
      data.set(tpl, off);
      data[off + 42] = seq >>> 24;
      data[off + 43] = (seq >>> 16) & 0xff;
      data[off + 44] = (seq >>> 8) & 0xff;
      data[off + 45] = seq & 0xff;
      let sum = ~((tpl[40] << 8) | tpl[41]) & 0xffff;
      sum += (seq >>> 16) + (seq & 0xffff);
      while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
      let check = ~sum & 0xffff;
      if (check === 0) check = 0xffff;
      data[off + 40] = check >>> 8;
      data[off + 41] = check & 0xff;
      batch.ids[batch.count] = id;
      batch.lengths[batch.count++] = size;
      bytes += size;
      seq++;
    }
    dev.txBatch(0, batch);
    return seq === FRAMES && batch.count === 0;
  }, { card, devs: [dev], progress: () => seq - batch.count, describe: () => `${seq - batch.count} of ${FRAMES} queued` }, { timeoutMs: 300_000 });
  const tester = card.tester(0);
  await waitForTraffic('checker', () => tester.stats().rxPackets >= FRAMES, { card, devs: [dev] });
  const s = tester.stats();
  t.equal(s.rxPackets, FRAMES);
  t.equal(s.rxBytes, bytes);
  t.equal(s.seqGaps, 0);
  t.equal(s.seqReordered, 0);
  t.equal(s.badChecksums, 0);
  t.equal(s.nonUdp, 0);
  const stats = dev.readStats();
  t.equal(stats.txPackets, FRAMES);
  t.equal(stats.txBytes, bytes + 4 * FRAMES);
  assertConformant(t, card);
  dev.close();
  pool.destroy();
});

t.test(`forwarding: ${FRAMES} frames generator -> port 0 -> port 1 -> checker`, async (t) => {
  const card = testCard(t);
  const dev0 = await openPort(card, 0);
  const dev1 = await openPort(card, 1);
  const batch = new PacketBatch(64);
  let received = 0;
  let missed = 0;
  for (const size of RUN_SIZES) {
    // The checker's sequence restarts with each generator run.
    assertConformant(t, card, 1);
    card.tester(1).resetStats();
    const missedBefore = rxLost(dev0.readStats());
    card.tester(0).startGenerator({ count: PER_RUN, frameSize: size, ratePps: rateFor(size) });
    let runReceived = 0;
    let forwarded = 0;
    let runMissed = 0;
    await waitForTraffic(`run of ${size}`, () => {
      if (batch.count === 0) runReceived += dev0.rxBatch(0, batch);
      const pool = batch.pool as Mempool | null;
      if (pool !== null) {
        // Touch one byte of every frame, as a forwarder does (the source MAC's last byte, kept valid).
        for (let k = 0; k < batch.count; k++) pool.data[batch.ids[k] * pool.bufferSize + 11] ^= 0;
      }
      forwarded += dev1.txBatch(0, batch);
      if (batch.count !== 0 || card.tester(1).stats().rxPackets < forwarded) return false;
      runMissed = rxLost(dev0.readStats()) - missedBefore;
      return runReceived + runMissed >= PER_RUN;
    }, { card, devs: [dev0, dev1], progress: () => runReceived + forwarded, describe: () => `received ${runReceived}, forwarded ${forwarded} of ${PER_RUN}` }, { timeoutMs: 300_000 });
    const s = card.tester(1).stats();
    t.same([s.rxPackets, s.seqReordered, s.badChecksums], [runReceived, 0, 0], `${size}: every received frame forwarded once, in order, valid`);
    t.ok(s.seqGaps <= runMissed, `${size}: the checker's gaps (${s.seqGaps}) are frames port 0 missed (${runMissed})`);
    t.equal(runReceived + runMissed, PER_RUN, `${size}: received + missed = sent`);
    received += runReceived;
    missed += runMissed;
  }
  t.comment(`received ${received}, missed ${missed}`);
  const rx = dev0.readStats();
  const tx = dev1.readStats();
  t.equal(rx.rxPackets, received);
  t.equal(rxLost(rx), missed);
  t.equal(tx.txPackets, received);
  t.equal(tx.txBytes, rx.rxBytes, 'bytes out of port 1 = bytes into port 0');
  dev1.close();
  dev0.close();
  assertConformant(t, card, 0);
  assertConformant(t, card, 1);
});
