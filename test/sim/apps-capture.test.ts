import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { runCapture } from '../../lib/apps/capture';
import { checksumsValid, readSequence } from '../../lib/apps/frame-builder';
import { runStatsMonitor } from '../../lib/apps/stats-monitor';
import { defaultSimCard } from '../../lib/bus/sim';
import { openDevice } from '../../lib/open';
import { PCAP_HEADER_BYTES, PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO } from '../../lib/pcap/writer';

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
  const tester = defaultSimCard().tester(0);

  const file = path.join(dir, 'a.pcap');
  // The app's bookkeeping, not the wire: exact counts need every frame, and on a real wire a stalled
  // poll loop (a loaded machine) loses frames, so the tester waits for descriptors (benchmark mode).
  tester.startGenerator({ ratePps: 'unpaced', count: 3000, frameSize: 128 });
  const before = Math.floor(Date.now() / 1000);
  const totals = await runCapture(dev, { out: file, count: 2500 });
  t.match(totals, { type: 'total', device: 'sim:0', rx_packets: 2500, rx_bytes: 2500 * 128, rx_missed: 0, file });
  const { magic, frames } = framesOf(file);
  t.equal(magic, PCAP_MAGIC_MICRO);
  t.equal(frames.length, 2500, 'the count is exact even though more frames were waiting');
  let inOrder = 0;
  let valid = 0;
  for (let i = 0; i < frames.length; i++) {
    if (readSequence(frames[i].bytes, 0) === i) inOrder++;
    if (checksumsValid(frames[i].bytes, 0, frames[i].bytes.length) && frames[i].original === 128) valid++;
  }
  t.equal(inOrder, 2500, 'sequence numbers 0..2499 in order');
  t.equal(valid, 2500, 'every frame whole, with valid checksums');
  t.ok(frames[0].seconds >= before && frames[0].seconds <= before + 5, 'timestamps are wall-clock seconds');
  t.ok(frames.every((f) => f.fraction < 1e6), 'microsecond fractions below one second');

  await t.test('the rest of the generated frames go to the next capture; nanosecond stamps and snaplen', async (t) => {
    const nano = path.join(dir, 'b.pcap');
    const r = await runCapture(dev, { out: nano, count: 500, nanosecond: true, snaplen: 50 });
    t.equal(r.rx_packets, 500);
    const got = framesOf(nano);
    t.equal(got.magic, PCAP_MAGIC_NANO);
    t.equal(readSequence(got.frames[0].bytes, 0), 2500, 'continues where the first capture stopped');
    t.ok(got.frames.every((f) => f.bytes.length === 50 && f.original === 128));
  });

  await t.test('with nothing arriving, --duration ends an empty capture with a valid empty file', async (t) => {
    const empty = path.join(dir, 'c.pcap');
    const r = await runCapture(dev, { out: empty, durationS: 0.2 });
    t.equal(r.rx_packets, 0);
    t.equal(framesOf(empty).frames.length, 0);
    t.equal(fs.statSync(empty).size, PCAP_HEADER_BYTES);
  });

  await t.test('the stats sink receives and frees everything the tester sends', async (t) => {
    const controller = new AbortController();
    const r = runStatsMonitor(dev, { signal: controller.signal, intervalS: 0.05 });
    tester.startGenerator({ ratePps: 20_000, count: 20000 });
    const deadline = Date.now() + 5000;
    while (tester.stats().generatorRunning && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    const totals = await r;
    // A real wire does not wait for the sink: what a stall of the loop lost is counted in rx_missed.
    t.equal(totals.rx_packets + totals.rx_missed, 20000, 'every frame received or counted as missed');
    t.equal(totals.rx_bytes, totals.rx_packets * 60);
  });

  await t.test('bad options are refused', async (t) => {
    await t.rejects(runCapture(dev, { out: path.join(dir, 'no', 'x.pcap'), count: 1 }), { code: 'ERR_INVALID_ARG', message: /cannot create/ });
    await t.rejects(runCapture(dev, { out: path.join(dir, 'd.pcap'), count: -1 }), { code: 'ERR_INVALID_ARG' });
    await t.rejects(runCapture(dev, { out: path.join(dir, 'd.pcap'), snaplen: 0 }), { code: 'ERR_INVALID_ARG' });
    await t.rejects(runStatsMonitor(dev, { intervalS: 0 }), { code: 'ERR_INVALID_ARG' });
  });
});
