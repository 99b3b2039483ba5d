// The model thread's busy fraction (SimCard.modelLoadMark / modelThreadLoad; native/sim/card.cc Run):
// an idle card's thread reads (near) 0, a thread serving a flood that a driver receives reads clearly
// more, and cards without a running thread refuse to be marked. No speed target: the bounds only tell
// "accounts nothing" from "accounts the passes that moved frames", on any load (see the flood test).
import t from 'tap';
import { PacketBatch } from '../../lib/memory/batch';
import { SimCard } from '../../lib/bus/sim';
import { openPort, testCard } from './ixgbe-helpers';
import { waitForTraffic } from './traffic-watch';

const WINDOW_MS = 200;
/** An idle card's thread may show this much busy time in the window (it shows 0). */
const IDLE_BUSY_NS = 200_000;
/** The least model time one received frame takes (see the flood test). */
const MIN_NS_PER_FRAME = 5;
/** Frames the flood window needs at least: their floor, 500 us, is beyond IDLE_BUSY_NS. */
const FLOOD_FRAMES = 100_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

t.test('an idle card: the model thread is busy for (almost) none of 200 ms', async (t) => {
  const card = testCard(t);
  await waitForTraffic('the link to come up', () => card.counters(0).linkUp && card.counters(1).linkUp, { card });
  await sleep(20);  // the last control-path work (link up) is done
  const mark = card.modelLoadMark();
  await sleep(WINDOW_MS);
  const load = card.modelThreadLoad(mark);
  t.ok(load.wallNs >= (WINDOW_MS - 5) * 1e6, `the window spans the wait (${(load.wallNs / 1e6).toFixed(1)} ms)`);
  // Every pass of an idle card finds nothing to do, and a pass that did nothing counts as idle (it
  // reads exactly 0 here): busy time is a pass claiming work it did not do, or idle time accounted.
  t.ok(load.busyNs < IDLE_BUSY_NS, `busy ${load.busyNs} ns < ${IDLE_BUSY_NS} ns (fraction ${load.busyFraction.toFixed(4)})`);
  t.ok(load.busyFraction < 0.001, 'busy fraction near 0');
});

t.test('a flood received by the driver: the model thread is clearly busy', async (t) => {
  const card = testCard(t);
  const dev = await openPort(card, 0);
  t.teardown(() => dev.close());
  const batch = new PacketBatch(64);
  let received = 0;
  const receive = (): void => {
    received += dev.rxBatch(0, batch);
    batch.freeAll();
  };
  card.tester(0).startGenerator({ ratePps: 'unpaced' });
  await waitForTraffic('the first 10 000 frames', () => {
    receive();
    return received >= 10_000;
  }, { card, devs: [dev], progress: () => received });
  const before = received;
  const mark = card.modelLoadMark();
  const until = Date.now() + WINDOW_MS;
  await waitForTraffic(`${WINDOW_MS} ms and ${FLOOD_FRAMES} frames of receiving`, () => {
    receive();
    return Date.now() >= until && received - before >= FLOOD_FRAMES;
  }, { card, devs: [dev], progress: () => received, describe: () => `received ${received - before} since the mark` });
  const load = card.modelThreadLoad(mark);
  card.tester(0).stopGenerator();
  const frames = received - before;
  // Every frame the driver received was written in a pass that did work, so its cost lies inside the
  // busy time: at least 5 ns a frame (the model's fastest measured rx, 36 Mpps, is 28 ns a frame; a
  // frame is a 60-byte copy, a descriptor write-back and the generator's sequence and checksum), on
  // any load, since preemption only adds to the stretch it lands in. With FLOOD_FRAMES that is at
  // least 500 us, beyond the idle card's bound.
  t.ok(load.busyNs >= frames * MIN_NS_PER_FRAME, `busy time ${load.busyNs} ns covers ${frames} frames at >= ${MIN_NS_PER_FRAME} ns each`);
  t.ok(load.busyNs > IDLE_BUSY_NS, 'more than an idle card may show');
  // The same work ran on the thread's CPU clock, which counts no preemption.
  t.ok(load.cpuNs >= frames * MIN_NS_PER_FRAME, `CPU time ${load.cpuNs} ns covers the frames too`);
  t.ok(load.cpuFraction > 0 && load.cpuFraction <= 1, `CPU share ${load.cpuFraction.toFixed(3)}`);
  // The fraction itself depends on the machine, not on the model alone: the generator is unpaced, so
  // the thread idles only while the ring is full, i.e. while the driver's thread does not run. Alone on
  // two cores it reads 0.8-1.0; on a machine busy with other work it read down to 0.016 (the driver got
  // little CPU) and with both threads on one core (taskset -c 0) down to 0.006 (the model fills the
  // ring in its time slice and spins idle until the driver runs again). So the bound a test can hold on
  // any load is the per-frame floor above, as a fraction.
  t.ok(load.busyFraction >= (frames * MIN_NS_PER_FRAME) / load.wallNs,
    `busy fraction ${load.busyFraction.toFixed(3)} over ${(load.wallNs / 1e6).toFixed(1)} ms, ${frames} frames`);
  t.ok(load.busyFraction <= 1, 'a fraction');
});

t.test('a lockstep card has no thread to mark, except inside withModelThread; a restart voids a mark', async (t) => {
  const card = SimCard.create({ lockstep: true, linkUpDelayMs: 1, resetDelayMs: 1 });
  t.teardown(() => card.close());
  t.throws(() => card.modelLoadMark(), { code: 'ERR_INVALID_ARG', message: /withModelThread/ }, 'no thread: refused, naming the way out');
  const stale = await card.withModelThread(async () => {
    const m = card.modelLoadMark();
    await sleep(10);
    const load = card.modelThreadLoad(m);
    t.ok(load.wallNs > 0 && load.busyFraction >= 0 && load.busyFraction <= 1, 'marks and reads while the thread runs');
    return m;
  });
  t.throws(() => card.modelThreadLoad(stale), { code: 'ERR_INVALID_ARG', message: /withModelThread/ }, 'no thread now: refused');
  await card.withModelThread(() => {
    t.throws(() => card.modelThreadLoad(stale), { code: 'ERR_INVALID_ARG', message: /another run of the model thread/ },
      'a mark from the thread\'s previous run is refused');
  });
});

t.test('a mark that is not one is refused', async (t) => {
  const card = SimCard.create();
  t.teardown(() => card.close());
  for (const bad of [undefined, null, 5, {}, { busyNs: 0, atNs: 0, threadStarts: 1 }, { busyNs: NaN, atNs: 0, threadStarts: 1, cpuNs: 0 }]) {
    t.throws(() => card.modelThreadLoad(bad as never), { code: 'ERR_INVALID_ARG', message: /what modelLoadMark\(\) returned/ }, `since = ${JSON.stringify(bad)}`);
  }
});

t.test('a closed card refuses', async (t) => {
  const card = SimCard.create();
  const mark = card.modelLoadMark();
  card.close();
  t.throws(() => card.modelLoadMark(), { code: 'ERR_DEVICE_CLOSED' });
  t.throws(() => card.modelThreadLoad(mark), { code: 'ERR_DEVICE_CLOSED' });
});
