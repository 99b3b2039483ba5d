// Issue 14: receiving on interrupts. The ixgbe driver against the simulated 82599's interrupt unit:
// every frame is received in 'interrupt' and 'adaptive' modes at a low rate, in bursts and at full
// speed; the receiver really sleeps on the interrupt (the model counts the messages it sent); a frame
// written back while the driver re-arms is not lost; waitForRx's timeout, abort and close.
import t, { type Test } from 'tap';
import { readSequence } from '../../lib/apps/frame-builder';
import { packetBytes, receive } from '../../lib/apps/receive';
import type { SimCard } from '../../lib/bus/sim';
import type { RxMode } from '../../lib/device';
import { IxgbeDevice } from '../../lib/drivers/ixgbe';
import { PacketBatch } from '../../lib/memory/batch';
import { assertConformant, testCard } from './ixgbe-helpers';
import { watchRun } from './traffic-watch';

const EIMS = 0x880;

async function openRx(t: Test, card: SimCard, rxMode: RxMode, extra: Parameters<typeof IxgbeDevice.open>[1] = {}): Promise<IxgbeDevice> {
  const dev = await IxgbeDevice.open(card.port(0), { rxMode, ...extra });
  t.teardown(() => {
    if (!dev.closed) dev.close();
  });
  return dev;
}

/** Receives with receive() until `want` frames arrived; returns their sequence numbers (frames of `size` bytes). */
async function collect(card: SimCard, dev: IxgbeDevice, want: number, what: string, queue = 0): Promise<number[]> {
  const seqs: number[] = [];
  await watchRun(what, { card, devs: [dev], progress: () => seqs.length, describe: () => `received ${seqs.length} of ${want}` }, async (signal) => {
    for await (const batch of receive(dev, { queue, signal })) {
      for (let i = 0; i < batch.count; i++) seqs.push(readSequence(packetBytes(batch, i), 0));
      if (seqs.length >= want) break;
    }
  });
  return seqs;
}

/** True when `seqs` is 0, 1, ..., n - 1 repeated `runs` times (the generator restarts at 0). */
function inOrder(seqs: number[], n: number, runs = 1): boolean {
  return seqs.length === n * runs && seqs.every((s, i) => s === i % n);
}

for (const mode of ['interrupt', 'adaptive'] as const) {
  t.test(`${mode}: every frame at a low rate, each woken by an interrupt`, async (t) => {
    const card = testCard(t);
    const dev = await openRx(t, card, mode);
    t.equal(dev.rxMode(0), mode);
    card.tester(0).startGenerator({ ratePps: 2000, count: 300 });
    const seqs = await collect(card, dev, 300, `${mode}, 300 frames at 2 kpps`);
    t.ok(inOrder(seqs, 300), 'frames 0..299, once each, in order');
    t.equal(card.counters(0).rxMissed, 0, 'none missed');
    // 2000 pps is 500 us between frames: the receiver ran dry and slept on the interrupt repeatedly.
    t.ok(card.interruptsFired(0, 0) > 0, `the receiver slept and was woken (${card.interruptsFired(0, 0)} messages)`);
    assertConformant(t, card);
  });

  t.test(`${mode}: bursts at line rate with idle gaps`, async (t) => {
    const card = testCard(t);
    const dev = await openRx(t, card, mode);
    const seqs: number[] = [];
    const tester = card.tester(0);
    await watchRun(`${mode}, 5 bursts of 400`, { card, devs: [dev], progress: () => seqs.length }, async (signal) => {
      let bursts = 0;
      tester.startGenerator({ ratePps: 'line', count: 400 });
      for await (const batch of receive(dev, { signal, batch: 32 })) {
        for (let i = 0; i < batch.count; i++) seqs.push(readSequence(packetBytes(batch, i), 0));
        if (seqs.length === 400 * (bursts + 1)) {
          if (++bursts === 5) break;
          // The next burst starts while the receiver sleeps (or is about to).
          setTimeout(() => tester.startGenerator({ ratePps: 'line', count: 400 }), 20);
        }
      }
    });
    t.ok(inOrder(seqs, 400, 5), '5 x 400 frames, each burst 0..399 in order (400 fit the 512-slot ring)');
    t.equal(card.counters(0).rxMissed, 0);
    t.ok(card.interruptsFired(0, 0) >= 5, 'at least one wake-up per burst');
    assertConformant(t, card);
  });

  t.test(`${mode}: full speed (the tester sends whenever a descriptor is free), nothing lost across sleeps`, async (t) => {
    const card = testCard(t);
    const dev = await openRx(t, card, mode);
    card.tester(0).startGenerator({ ratePps: 'unpaced', count: 100_000 });
    const seqs = await collect(card, dev, 100_000, `${mode}, 100000 frames unpaced`);
    t.ok(inOrder(seqs, 100_000), 'frames 0..99999, once each, in order');
    assertConformant(t, card);
  });
}

t.test('adaptive on two queues: RSS spreads the flows, each queue wakes on its own vector', async (t) => {
  const card = testCard(t);
  const dev = await openRx(t, card, 'adaptive', { rxQueues: 2 });
  card.tester(0).startGenerator({ ratePps: 5000, count: 600, flows: 16 });
  const got = [0, 0];
  await watchRun('600 frames over 2 queues', { card, devs: [dev], progress: () => got[0] + got[1] }, async (signal) => {
    const inner = new AbortController();
    signal.addEventListener('abort', () => inner.abort());
    await Promise.all([0, 1].map(async (q) => {
      for await (const batch of receive(dev, { queue: q, signal: inner.signal })) {
        got[q] += batch.count;
        if (got[0] + got[1] >= 600) inner.abort();
      }
    }));
  });
  t.equal(got[0] + got[1], 600, 'every frame');
  t.ok(got[0] > 0 && got[1] > 0, `both queues received (${got[0]} + ${got[1]})`);
  t.ok(card.interruptsFired(0, 0) > 0 && card.interruptsFired(0, 1) > 0, 'vector 0 and vector 1 both fired');
  t.equal(card.interruptsFired(0, 2), 0, 'no other vector');
  assertConformant(t, card);
});

t.test('the re-arm race: a frame written back as the driver unmasks is seen by the second look', async (t) => {
  const card = testCard(t, { lockstep: true, traceRegisters: true, linkUpDelayMs: 0 });
  const dev = await card.withModelThread(() => IxgbeDevice.open(card.port(0), { rxMode: 'adaptive' }));
  t.teardown(() => card.withModelThread(() => {
    if (!dev.closed) dev.close();
  }));
  const trace = card.trace(0);
  if (trace === undefined) throw new Error('no trace');
  const batch = new PacketBatch(32);
  card.tester(0).startGenerator({ ratePps: 'line', count: 1 });
  t.equal(dev.rxBatch(0, batch), 0, 'nothing received before the model ran');
  // The model runs exactly when the driver writes EIMS: the frame lands between the first look at the
  // ring and the second (the trace records each write right after it reached the register file).
  const push = trace.accesses.push.bind(trace.accesses);
  let raced = false;
  trace.accesses.push = (...items) => {
    const n = push(...items);
    if (!raced && items.some((a) => a.op === 'write' && a.offset === EIMS)) {
      raced = true;
      for (let i = 0; i < 10_000 && card.counters(0).rxDelivered === 0; i++) card.step(1);
    }
    return n;
  };
  const wait = dev.waitForRx(0);
  const first = await Promise.race([wait, Promise.resolve('still waiting')]);
  t.ok(raced, 'the driver re-armed (wrote EIMS) after finding the ring empty');
  t.equal(first, true, 'waitForRx resolved at once from the second look, without waiting for the message');
  t.equal(dev.rxBatch(0, batch), 1, 'the frame is there');
});

t.test('waitForRx: timeout, abort and close resolve false; poll mode resolves on the next turn', async (t) => {
  const card = testCard(t);
  const dev = await openRx(t, card, 'adaptive');
  t.equal(await dev.waitForRx(0, { timeoutMs: 20 }), false, 'nothing arrived within 20 ms');
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 10);
  t.equal(await dev.waitForRx(0, { signal: ac.signal }), false, 'aborted');
  const pending = dev.waitForRx(0);
  dev.close();
  t.equal(await pending, false, 'a waiter is woken by close');
  await t.rejects(dev.waitForRx(0), { code: 'ERR_DEVICE_CLOSED' });
  const polled = await openRx(t, testCard(t), 'poll');
  t.equal(await polled.waitForRx(0), true, 'poll: the next turn of the event loop');
  await t.rejects(polled.waitForRx(1), { code: 'ERR_QUEUE_ID' });
  t.throws(() => polled.rxMode(3), { code: 'ERR_QUEUE_ID' });
});

t.test('rxMode and interruptIntervalUs are validated before the NIC is touched', async (t) => {
  const card = testCard(t);
  await t.rejects(IxgbeDevice.open(card.port(0), { rxMode: 'sleepy' as RxMode }), { code: 'ERR_INVALID_ARG', message: /rxMode must be one of poll, interrupt, adaptive/ });
  await t.rejects(IxgbeDevice.open(card.port(0), { rxQueues: 2, rxMode: ['adaptive'] }), { code: 'ERR_INVALID_ARG', message: /1 modes for 2 rx queue/ });
  await t.rejects(IxgbeDevice.open(card.port(0), { interruptIntervalUs: 5000 }), { code: 'ERR_INVALID_ARG', message: /interruptIntervalUs/ });
  const dev = await openRx(t, card, 'poll', { rxQueues: 2, rxMode: ['poll', 'adaptive'] });
  t.same([dev.rxMode(0), dev.rxMode(1)], ['poll', 'adaptive'], 'one mode per queue');
  t.ok(card.port(0).interruptsEnabled, 'one interrupt queue is enough to set up MSI-X');
});
