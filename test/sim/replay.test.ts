/**
 * Replay on the simulated card: a pcap and a pcapng file replayed on sim:0, wired across to sim:1 where
 * a capture in the same process writes what arrives; tshark reads both files and they match frame by
 * frame. Then --preserve-timing (no frame leaves before its time), --loop, and the CLI's answers to
 * files it cannot send.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import t from 'tap';
import { runCapture } from '../../lib/apps/capture';
import { ReplaySchedule, runReplay } from '../../lib/apps/replay';
import { openDevice } from '../../lib/open';
import { openCaptureWriter } from '../../lib/pcap/open-writer';
import { parseCapture, readCaptureFile } from '../../lib/pcap/reader';
import { craft, type FrameSpec } from '../unit/frames';
import { run, tsnic } from './cli-run';

const TSHARK = '/usr/bin/tshark';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsnic-replay-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A mix: UDP, TCP, VLAN-tagged, ARP, IPv6, broadcast, sizes from 60 to 1514 bytes. */
const MIX: FrameSpec[] = [
  {}, { l4: 'tcp', tcpFlags: 0x02 }, { vlans: [100], payload: 400 }, { l3: 'arp', dstMac: [255, 255, 255, 255, 255, 255] },
  { l3: 'ipv6', payload: 1000 }, { payload: 1472 }, { l4: 'icmp' }, { vlans: [1, 2], l4: 'tcp', payload: 60 },
];

/** Writes `n` frames of the mix to `file`, `gapMs` apart. */
function writeMix(file: string, n: number, gapMs: number): void {
  const w = openCaptureWriter(file, { nanosecond: true });
  for (let k = 0; k < n; k++) {
    const f = craft({ ...MIX[k % MIX.length], srcPort: 2000 + k });
    const ns = 1_700_000_000e9 + k * gapMs * 1e6;
    w.write(f, 0, f.length, Math.floor(ns / 1e9), ns % 1e9);
  }
  w.close();
}

/** tshark's hex dump of every frame of `file` (one string per frame). */
async function hexFrames(file: string): Promise<string[]> {
  const r = await run(TSHARK, ['-r', file, '-x']);
  if (r.code !== 0) throw new Error(`tshark -r ${file}: ${r.stderr}`);
  return r.stdout.trim().split('\n\n');
}

t.test('a replayed pcap and pcapng, captured across the wire, match the originals frame by frame in tshark', async (t) => {
  const tx = await openDevice('sim:0,wiring=cross');
  const rx = await openDevice('sim:1');
  t.teardown(() => {
    tx.close();
    rx.close();
  });
  for (const name of ['mix.pcap', 'mix.pcapng']) {
    const original = path.join(dir, name);
    writeMix(original, 400, 0.01);
    const copy = path.join(dir, `copy-${name}`);
    // The capture runs beside the replay on the event loop; a modest rate keeps sim:1's ring from
    // overflowing while the replay's slice runs. --duration bounds a capture whose frames stop coming.
    const captured = runCapture(rx, { out: copy, count: 400, durationS: 30 });
    const sent = await runReplay(tx, readCaptureFile(original), { rate: "20kpps" });
    const got = await captured;
    t.match(sent, { tx_packets: 400, file_frames: 400, file_truncated: 0 }, `${name}: 400 frames sent`);
    t.match(got, { rx_packets: 400, rx_missed: 0 }, `${name}: 400 frames captured on sim:1 (${JSON.stringify(got)})`);
    const want = await hexFrames(original);
    const have = await hexFrames(copy);
    t.equal(have.length, want.length, `${name}: tshark reads as many frames`);
    const first = have.findIndex((h, k) => h !== want[k]);
    t.equal(first, -1, first < 0 ? `${name}: every frame identical` : `${name}: frame ${first + 1} differs:\n${want[first]}\nvs\n${have[first]}`);
  }
});

t.test('--preserve-timing: no frame leaves before its capture time; a pass lasts the span plus the mean gap', async (t) => {
  const file = path.join(dir, 'slow.pcap');
  writeMix(file, 5, 40);  // frames at 0, 40, 80, 120, 160 ms
  const capture = readCaptureFile(file);
  const schedule = new ReplaySchedule(capture);
  t.equal(schedule.passMs, 200, 'span 160 ms + mean gap 40 ms');
  t.equal(schedule.due(0, 0, 64), 1, 'at 0 ms the first frame is due');
  t.equal(schedule.due(1, 79.9, 64), 1, 'at 79.9 ms the second');
  t.equal(schedule.due(1, 160, 64), 4, 'at 160 ms the rest of the pass');
  t.equal(schedule.due(5, 199, 64), 0, 'the second pass starts at 200 ms');
  t.equal(schedule.due(5, 240, 2), 2, 'at 240 ms two frames of it, as many as asked');

  const tx = await openDevice('sim:0,wiring=cross');
  const rx = await openDevice('sim:1');
  t.teardown(() => {
    tx.close();
    rx.close();
  });
  const copy = path.join(dir, 'slow-copy.pcap');
  const captured = runCapture(rx, { out: copy, count: 10, durationS: 30, nanosecond: true });
  const before = performance.timeOrigin + performance.now();
  const sent = await runReplay(tx, capture, { preserveTiming: true, loop: 2 });
  await captured;
  t.equal(sent.tx_packets, 10);
  t.ok(sent.seconds >= 0.36, `the run lasted at least 360 ms (the last frame's time): ${sent.seconds} s`);
  const got = readCaptureFile(copy);
  t.equal(got.count, 10);
  // Stamps are epoch ns relative to the first; the first frame's own epoch time, from the file header.
  const header = new DataView(got.bytes.buffer, got.bytes.byteOffset, got.bytes.byteLength);
  const firstEpochMs = header.getUint32(24, true) * 1000 + header.getUint32(28, true) / 1e6;
  for (let k = 0; k < 10; k++) {
    const due = before + Math.floor(k / 5) * 200 + (k % 5) * 40;
    const arrived = firstEpochMs + got.timesNs[k] / 1e6;
    t.ok(arrived >= due - 0.001, `frame ${k} arrived ${(arrived - before).toFixed(3)} ms after the start, due at ${(due - before).toFixed(0)} ms`);
  }
});

t.test('tsnic replay --loop through the tester: every pass reaches the far end', async (t) => {
  const file = path.join(dir, 'loop.pcapng');
  writeMix(file, 30, 0.001);
  const r = await tsnic(['replay', 'sim:0', file, '--loop', '3', '--rate', '50kpps', '--json']);
  t.equal(r.code, 0, r.stderr);
  const total = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
  t.match(total, { type: 'total', device: 'sim:0', tx_packets: 90, peer_rx_packets: 90, file, file_frames: 30 }, JSON.stringify(total));
});

t.test('tsnic replay refuses what it cannot send, naming the file and the fix', async (t) => {
  const big = path.join(dir, 'jumbo.pcap');
  const w = openCaptureWriter(big);
  w.write(craft(), 0, 60, 0, 0);
  w.write(craft({ payload: 3000 }), 0, 3046, 0, 0);
  w.close();
  const cut = path.join(dir, 'cut.pcap');
  const c = openCaptureWriter(cut, { snaplen: 50 });
  c.write(craft(), 0, 60, 0, 0);
  c.write(craft(), 0, 60, 0, 0);
  c.close();
  const sll = path.join(dir, 'sll.pcap');
  const bytes = fs.readFileSync(cut);
  bytes.writeUInt32LE(113, 20);
  fs.writeFileSync(sll, bytes);
  t.ok(parseCapture(fs.readFileSync(cut), cut).count === 2);
  for (const [args, code, message] of [
    [[big], 1, /^tsnic: .*jumbo\.pcap: frame 2 is 3046 bytes; tsnic sends frames of 1 to 1514 bytes .*ethtool -K/],
    [[sll], 1, /^tsnic: .*sll\.pcap: the file has link type 113 \(Linux cooked \(SLL\)\), not Ethernet/],
    [[path.join(dir, 'nope.pcap')], 1, /^tsnic: cannot read .*nope\.pcap: ENOENT/],
    [[cut, '--rate', '1Mpps', '--preserve-timing'], 2, /^tsnic: --rate and --preserve-timing exclude each other/],
    [[cut, '--rate', '-3'], 2, /^tsnic: --rate must be a rate such as/],
    [[cut, '--rate', '3'], 2, /^tsnic: --rate "3" has no unit/],
    [[cut, '--loop', '-1'], 2, /^tsnic: --loop must be a whole number from 0/],
    [[], 2, /^tsnic: missing <file>/],
  ] as const) {
    const r = await tsnic(['replay', 'sim:0', ...args]);
    t.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    t.match(r.stderr, message);
    t.equal(r.stderr.split('\n').length, 2, 'one line');
  }
  const r = await tsnic(['replay', 'sim:0', cut]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stderr, /^tsnic: warning: 2 of the 2 frames of .*cut\.pcap were cut by the capture's snaplen and were sent as captured\n$/);
  t.match(r.stdout, /^sim:0 total: .* tx 2 packets 100 bytes/m);
});
