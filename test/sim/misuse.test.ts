// Issue 8, misuse beyond test/sim/api-misuse.test.ts: every NetDevice call after close() is refused with
// ERR_DEVICE_CLOSED without touching the card (both drivers throw on a second close, as NetDevice.close
// documents), a refused second open changes nothing, the busy check sees through PCI address spellings,
// a failed open releases its claim and its memory safely, devices the process-end teardown closed say
// so, and open/traffic/close cycles leave the simulated card without a DMA fault or a violation.
import t from 'tap';
import { defaultSimCard, openAddresses, openDevice, PacketBatch, type NetDevice } from '../../lib';
import { IxgbeDevice } from '../../lib/drivers/ixgbe';
import { closeAll, trackDevice } from '../../lib/lifecycle';
import { waitForTraffic } from './traffic-watch';

const card = defaultSimCard({ traceRegisters: true, linkUpDelayMs: 2 });
const trace0 = card.trace(0);

function violationTotal(): number {
  let n = 0;
  for (const port of [0, 1] as const) for (const v of Object.values(card.violations(port))) n += v;
  return n;
}

/** The code `call` throws (awaiting it), or 'no error'. */
async function codeOf(call: () => unknown): Promise<string> {
  try {
    await call();
    return 'no error';
  } catch (err) {
    return String((err as { code?: unknown }).code);
  }
}

t.test('every call after close: ERR_DEVICE_CLOSED, and the card is not touched', async (t) => {
  const dev = await openDevice('sim:0', { rxQueues: 2 });
  t.ok(dev instanceof IxgbeDevice);
  const ixgbe = dev as IxgbeDevice;
  dev.close();
  trace0?.clear();
  const batch = new PacketBatch(32);
  const calls: [string, () => unknown][] = [
    ['close', () => dev.close()],
    ['rxBatch', () => dev.rxBatch(0, batch)],
    ['rxBatch on a queue that existed', () => dev.rxBatch(1, batch)],
    ['txBatch', () => dev.txBatch(0, batch)],
    ['readStats', () => dev.readStats()],
    ['linkStatus', () => dev.linkStatus()],
    ['waitForLink', () => dev.waitForLink(10)],
    ['setPromiscuous', () => dev.setPromiscuous(false)],
    ['rxPool', () => dev.rxPool(0)],
    ['rxBurstAll', () => ixgbe.rxBurstAll(batch)],
    ['setMac', () => ixgbe.setMac('02:00:00:00:00:09')],
  ];
  for (const [name, call] of calls) {
    t.equal(await codeOf(call), 'ERR_DEVICE_CLOSED', `${name} after close`);
  }
  t.throws(() => dev.close(), { message: /sim:0: the device is closed; open it again/ }, 'the message names the device and the fix');
  t.equal(trace0?.accesses.length, 0, 'no register access after close');
  t.ok(card.port(0).closed === false && dev.pci.closed, 'the PCI function was released (the card hands out a new one)');
});

t.test('a refused second open changes nothing', async (t) => {
  const dev = await openDevice('sim:0');
  t.teardown(() => dev.close());
  const wiring = card.wiring(0);
  trace0?.clear();
  t.equal(await codeOf(() => openDevice('sim:0,wiring=loopback')), 'ERR_DEVICE_BUSY');
  t.equal(await codeOf(() => openDevice('sim:0', { rxRingSize: 100 })), 'ERR_DEVICE_BUSY', 'busy is checked before the options');
  t.equal(card.wiring(0), wiring, 'the refused spec did not rewire the port');
  t.equal(trace0?.accesses.length, 0, 'no register access');
  t.equal(dev.linkStatus().up, true, 'the first device is untouched');
  const other = await openDevice('sim:1');
  t.same(openAddresses().sort(), ['sim:0', 'sim:1'], 'the other port opens');
  other.close();
});

t.test('busy sees through PCI address spellings, before VFIO is asked', async (t) => {
  let closed = false;
  trackDevice({ address: '0000:0a:00.0', get closed() { return closed; }, close: () => (closed = true) });
  for (const spelling of ['0000:0a:00.0', '0a:00.0', '0000:0A:00.0']) {
    t.equal(await codeOf(() => openDevice(spelling)), 'ERR_DEVICE_BUSY', spelling);
  }
  closed = true;
  t.not(await codeOf(() => openDevice('0a:00.0')), 'ERR_DEVICE_BUSY', 'free again once closed (then VFIO decides)');
  t.same(openAddresses().filter((a) => !a.startsWith('sim:')), []);
});

t.test('a failed open releases its claim and frees its memory only after a stop and reset', async (t) => {
  card.setFaults(0, { linkNeverUp: true });
  t.equal(await codeOf(() => openDevice('sim:0', { linkTimeoutMs: 30 })), 'ERR_LINK_TIMEOUT');
  card.setFaults(0, { linkNeverUp: false });
  t.same(openAddresses(), [], 'not claimed');
  t.equal(card.violations(0).memoryFreedWhileActive, 0, 'rings freed after the queues were stopped');
  const dev = await openDevice('sim:0');
  t.equal(dev.linkStatus().up, true, 'opens once the link comes');
  dev.close();
});

t.test('the process-end teardown closes devices; the application then gets ERR_DEVICE_CLOSED', async (t) => {
  const a = await openDevice('sim:0');
  const b = await openDevice('sim:1');
  t.equal(closeAll(), 2, 'both closed');
  t.ok(a.closed && b.closed);
  t.equal(await codeOf(() => a.close()), 'ERR_DEVICE_CLOSED');
  t.equal(closeAll(), 0, 'a second teardown finds nothing');
});

/** Frames the model delivered into descriptors and missed, both ports together. */
function modelCounts(): { delivered: number; missed: number } {
  const [p0, p1] = [card.counters(0), card.counters(1)];
  return { delivered: p0.rxDelivered + p1.rxDelivered, missed: p0.rxMissed + p0.rxDropEn + p1.rxMissed + p1.rxDropEn };
}

/**
 * Forwards between sim:0 and sim:1, both ways, until the model has delivered or missed `total` frames
 * since `base` and the test has received every delivered one; fails within seconds, with the counters,
 * if traffic stops. Returns the frames received.
 */
async function forward(a: NetDevice, b: NetDevice, batch: PacketBatch, total: number, base: { delivered: number; missed: number }): Promise<number> {
  let moved = 0;
  await waitForTraffic(`${total} frames forwarded or missed`, () => {
    for (const [from, to] of [[a, b], [b, a]] as const) {
      const n = from.rxBatch(0, batch);
      if (n === 0) continue;
      moved += n;
      to.txBatch(0, batch);
      batch.freeAll();
    }
    const now = modelCounts();
    return now.delivered - base.delivered + now.missed - base.missed >= total && moved >= now.delivered - base.delivered;
  }, { card, devs: [a, b], progress: () => moved, describe: () => `received ${moved} of ${total}` });
  return moved;
}

t.test('open, forward, close, three times: every frame received or counted missed, no fault, no violation', async (t) => {
  const batch = new PacketBatch(64);
  for (let round = 0; round < 3; round++) {
    const a = await openDevice('sim:0');
    const b = await openDevice('sim:1');
    const before = modelCounts();
    card.tester(0).startGenerator({ count: 20_000, ratePps: 'line' });
    card.tester(1).startGenerator({ count: 20_000, ratePps: 'line' });
    const moved = await forward(a, b, batch, 40_000, before);
    const after = modelCounts();
    const missed = after.missed - before.missed;
    t.equal(moved, after.delivered - before.delivered, `round ${round}: every frame the ports delivered was received once`);
    t.equal(moved + missed, 40_000, `round ${round}: every frame received (${moved}) or missed (${missed})`);
    t.ok(moved > 0, `round ${round}: frames forwarded`);
    a.close();
    b.close();
    card.tester(0).stopGenerator();
    card.tester(1).stopGenerator();
  }
  t.equal(card.dmaFaults().count, 0, 'no DMA outside live memory');
  t.equal(violationTotal(), 0, 'no datasheet violation');
  t.same(openAddresses(), []);
});
