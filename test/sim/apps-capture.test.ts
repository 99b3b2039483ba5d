import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { runCapture } from '../../lib/apps/capture';
import { checksumsValid, readSequence } from '../../lib/apps/frame-builder';
import { runStatsMonitor } from '../../lib/apps/stats-monitor';
import { PacketBatch } from '../../lib/memory/batch';
import type { TrafficSource } from '../../lib/apps/peer';
import { defaultSimCard } from '../../lib/bus/sim';
import { openDevice } from '../../lib/open';
import { PCAP_HEADER_BYTES, PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO } from '../../lib/pcap/writer';
import { balanceText, unaccounted } from './balance';
import { watchRun } from './traffic-watch';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsnic-capture-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Frames of a little-endian pcap file. */
function framesOf(file: string): { magic: number; frames: { seconds: number; fraction: number; bytes: Buffer; original: number }[] } {
  const b = fs.readFileSync(file);
  const frames = [];
  for (let at = PCAP_HEADER_BYTES; at < b.length;) {
    const captured = b.readUInt32LE(at + 8);
    frames.push({ seconds: b.readUInt32LE(at), fraction: b.readUInt32LE(at + 4), original: b.readUInt32LE(at + 12), bytes: b.subarray(at + 16, at + 16 + captured) });
    at += 16 + captured;
  }
  return { magic: b.readUInt32LE(0), frames };
}

t.test('capture on sim:0 writes exactly the frames the tester generated, in order and intact', async (t) => {
  const dev = await openDevice('sim:0');
  t.teardown(() => {
    if (!dev.closed) dev.close();
  });
  const card = defaultSimCard();
  const tester = card.tester(0);
  const watched = { card, devs: [dev] };

  const file = path.join(dir, 'a.pcap');
  // 500 frames fit the ring (511 free descriptors): none can be missed, however slowly the capture runs.
  tester.startGenerator({ count: 500, frameSize: 128, ratePps: 'line' });
  const before = Math.floor(Date.now() / 1000);
  const totals = await watchRun('400 frames captured', watched, (signal) => runCapture(dev, { out: file, count: 400, signal }));
  t.match(totals, { type: 'total', device: 'sim:0', rx_packets: 400, rx_bytes: 400 * 128, rx_missed: 0, rx_discarded: 0, file });
  const { magic, frames } = framesOf(file);
  t.equal(magic, PCAP_MAGIC_MICRO);
  t.equal(frames.length, 400, 'the count is exact even though more frames were waiting');
  let inOrder = 0;
  let valid = 0;
  for (let i = 0; i < frames.length; i++) {
    if (readSequence(frames[i].bytes, 0) === i) inOrder++;
    if (checksumsValid(frames[i].bytes, 0, frames[i].bytes.length) && frames[i].original === 128) valid++;
  }
  t.equal(inOrder, 400, 'sequence numbers 0..399 in order');
  t.equal(valid, 400, 'every frame whole, with valid checksums');
  t.ok(frames[0].seconds >= before && frames[0].seconds <= before + 5, 'timestamps are wall-clock seconds');
  t.ok(frames.every((f) => f.fraction < 1e6), 'microsecond fractions below one second');

  await t.test('the rest of the generated frames go to the next capture; nanosecond stamps and snaplen', async (t) => {
    const nano = path.join(dir, 'b.pcap');
    const r = await watchRun('100 frames captured', watched, (signal) => runCapture(dev, { out: nano, count: 100, nanosecond: true, snaplen: 50, signal }));
    t.equal(r.rx_packets, 100);
    const got = framesOf(nano);
    t.equal(got.magic, PCAP_MAGIC_NANO);
    t.equal(readSequence(got.frames[0].bytes, 0), 400, 'continues where the first capture stopped');
    t.ok(got.frames.every((f) => f.bytes.length === 50 && f.original === 128));
  });

  await t.test('with nothing arriving, --duration ends an empty capture with a valid empty file', async (t) => {
    const empty = path.join(dir, 'c.pcap');
    const r = await runCapture(dev, { out: empty, durationS: 0.2 });
    t.equal(r.rx_packets, 0);
    t.equal(framesOf(empty).frames.length, 0);
    t.equal(fs.statSync(empty).size, PCAP_HEADER_BYTES);
  });

  await t.test('the stats sink receives and frees what the tester sends at line rate; the rest is counted missed', async (t) => {
    const source: TrafficSource = {
      start: () => tester.startGenerator({ count: 20000, ratePps: 'line' }),
      stop: () => tester.stopGenerator(),
      finished: () => !tester.stats().generatorRunning,
    };
    const totals = await watchRun('20000 frames', watched, (signal) => runStatsMonitor(dev, { signal, source, intervalS: 0.05 }));
    t.comment(balanceText(totals));
    t.equal(totals.peer_tx_packets, 20000, 'the run ended once the source had sent everything');
    t.equal(totals.rx_packets + totals.rx_missed, 20000, 'every frame received or missed');
    t.equal(totals.rx_bytes, totals.rx_packets * 60);
    t.equal(unaccounted(totals), 0, 'nothing unaccounted');
    t.equal(dev.rxBatch(0, new PacketBatch(8)), 0, 'the ring was drained before the totals');
  });

  await t.test('bad options are refused', async (t) => {
    await t.rejects(runCapture(dev, { out: path.join(dir, 'no', 'x.pcap'), count: 1 }), { code: 'ERR_INVALID_ARG', message: /cannot create/ });
    await t.rejects(runCapture(dev, { out: path.join(dir, 'd.pcap'), count: -1 }), { code: 'ERR_INVALID_ARG' });
    await t.rejects(runCapture(dev, { out: path.join(dir, 'd.pcap'), snaplen: 0 }), { code: 'ERR_INVALID_ARG' });
    await t.rejects(runStatsMonitor(dev, { intervalS: 0 }), { code: 'ERR_INVALID_ARG' });
  });
});
