/**
 * The capture file formats: the pcapng writer (read back by tshark and by an independent block walk),
 * rotation by size and count with tcpdump -C names, and the reader of pcap and pcapng files (both byte
 * orders, both resolutions, Simple Packet Blocks, other link types refused, truncation reported).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { openCaptureWriter, captureFormat } from '../../lib/pcap/open-writer';
import { PcapngWriter } from '../../lib/pcap/pcapng-writer';
import { parseCapture, readCaptureFile } from '../../lib/pcap/reader';
import { RotatingWriter } from '../../lib/pcap/rotating-writer';
import { PcapWriter } from '../../lib/pcap/writer';
import { craft } from './frames';

const TSHARK = '/usr/bin/tshark';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsnic-formats-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

/** tshark's fields of every frame of `file`, one array per frame. */
function tshark(file: string, fields: string[]): string[][] {
  const out = execFileSync(TSHARK, ['-r', file, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return out.trim() === '' ? [] : out.trim().split('\n').map((l) => l.split('\t'));
}

const FRAMES = [craft(), craft({ l4: 'tcp', payload: 100 }), craft({ vlans: [42], payload: 1400 }), craft({ l3: 'arp' })];
/** Seconds and nanoseconds of frame k: crossing a second boundary, and near the 2^32-second limit of pcap. */
const STAMPS: Array<[number, number]> = [[1700000000, 999999999], [1700000001, 1], [1700000001, 500000000], [4294967295, 999999999]];

t.test('pcapng: tshark reads the frames, the interface name, the resolution and exact timestamps', async (t) => {
  for (const nanosecond of [false, true]) {
    const file = path.join(dir, `x-${nanosecond ? 'ns' : 'us'}.pcapng`);
    const w = PcapngWriter.open(file, { interfaceName: 'sim:0', nanosecond, snaplen: 1000 });
    FRAMES.forEach((f, k) => w.write(f, 0, f.length, STAMPS[k][0], nanosecond ? STAMPS[k][1] : Math.floor(STAMPS[k][1] / 1000)));
    w.close();
    t.equal(w.frames, 4);
    const rows = tshark(file, ['frame.len', 'frame.cap_len', 'frame.interface_name', 'frame.time_epoch', 'frame.protocols']);
    t.equal(rows.length, 4, `${file}: 4 frames`);
    t.same(rows.map((r) => r[0]), FRAMES.map((f) => String(f.length)), 'original lengths');
    t.same(rows.map((r) => r[1]), FRAMES.map((f) => String(Math.min(f.length, 1000))), 'captured up to the snaplen');
    t.ok(rows.every((r) => r[2] === 'sim:0'), 'if_name');
    // tshark prints 9 digits whatever the resolution.
    const want = STAMPS.map(([s, ns]) => `${s}.${String(nanosecond ? ns : Math.floor(ns / 1000) * 1000).padStart(9, '0')}`);
    t.same(rows.map((r) => r[3]), want, `timestamps to the ${nanosecond ? 'nano' : 'micro'}second`);
    t.match(rows[2][4], /eth:ethertype:vlan:ethertype:ip:udp/, 'the VLAN frame dissects');
    const info = execFileSync('/usr/bin/capinfos', ['-T', '-m', '-r', file], { encoding: 'utf8' });
    t.match(info, new RegExp(`,pcapng,ether,${nanosecond ? 'nanoseconds' : 'microseconds'},`), 'capinfos: pcapng, Ethernet, resolution');
  }
});

t.test('pcap and pcapng read back exactly: bytes, lengths, nanosecond times', async (t) => {
  for (const name of ['r.pcap', 'r.pcapng']) {
    const file = path.join(dir, name);
    const w = openCaptureWriter(file, { nanosecond: true, interfaceName: 'eth0' });
    FRAMES.forEach((f, k) => w.write(f, 0, f.length, STAMPS[k][0], STAMPS[k][1]));
    w.close();
    const c = readCaptureFile(file);
    t.equal(c.format, captureFormat(file), `${name}: format by extension`);
    t.equal(c.count, 4);
    FRAMES.forEach((f, k) => t.ok(Buffer.from(c.bytes.subarray(c.offsets[k], c.offsets[k] + c.lengths[k])).equals(f), `${name} frame ${k}`));
    t.same([...c.timesNs.slice(0, 3)], [0, 2, 500_000_001], `${name}: nanoseconds after the first`);
    t.equal(c.timesNs[3], (4294967295 - 1700000000) * 1e9, `${name}: the last, near 2^32 seconds`);
  }
});

t.test('the reader: big-endian pcap, microseconds, a snaplen cut, Simple Packet Blocks', async (t) => {
  // A big-endian microsecond pcap written by hand: header, two records (the second cut to 20 bytes).
  const f = craft();
  const be = Buffer.alloc(24 + 16 + 60 + 16 + 20);
  be.writeUInt32BE(0xa1b2c3d4, 0);
  be.writeUInt16BE(2, 4);
  be.writeUInt16BE(4, 6);
  be.writeUInt32BE(65535, 16);
  be.writeUInt32BE(1, 20);
  be.writeUInt32BE(10, 24);
  be.writeUInt32BE(5, 28);
  be.writeUInt32BE(60, 32);
  be.writeUInt32BE(60, 36);
  Buffer.from(f).copy(be, 40);
  be.writeUInt32BE(11, 100);
  be.writeUInt32BE(6, 104);
  be.writeUInt32BE(20, 108);
  be.writeUInt32BE(60, 112);
  Buffer.from(f).copy(be, 116, 0, 20);
  const c = parseCapture(be, 'be.pcap');
  t.equal(c.count, 2);
  t.same([...c.lengths], [60, 20]);
  t.same([...c.originalLengths], [60, 60], 'the second frame was cut by the snaplen');
  t.same([...c.timesNs], [0, 1_000_001_000]);

  // A pcapng section with an SPB after an EPB, in big-endian order.
  const file = path.join(dir, 'spb.pcapng');
  const w = PcapngWriter.open(file, { snaplen: 40 });
  w.write(f, 0, 60, 1, 0);
  w.close();
  const le = fs.readFileSync(file);
  const spb = Buffer.alloc(16 + 40);
  spb.writeUInt32LE(3, 0);
  spb.writeUInt32LE(spb.length, 4);
  spb.writeUInt32LE(60, 8);
  Buffer.from(f).copy(spb, 12, 0, 40);
  spb.writeUInt32LE(spb.length, spb.length - 4);
  const withSpb = parseCapture(Buffer.concat([le, spb]), 'spb.pcapng');
  t.same([...withSpb.lengths], [40, 40], 'the SPB holds what the interface snaplen kept');
  t.same([...withSpb.originalLengths], [60, 60]);
  t.same([...withSpb.timesNs], [0, 0], 'an SPB has no time: its predecessor\'s');
});

t.test('the reader refuses other link types, truncated files and non-captures, naming them', async (t) => {
  const pcap = path.join(dir, 'sll.pcap');
  PcapWriter.open(pcap).close();
  const sll = fs.readFileSync(pcap);
  sll.writeUInt32LE(113, 20);
  t.throws(() => parseCapture(sll, 'sll.pcap'), { code: 'ERR_PCAP_FILE', message: /^sll\.pcap: the file has link type 113 \(Linux cooked \(SLL\)\), not Ethernet \(1\): .*not tcpdump -i any/ });

  const ng = path.join(dir, 'raw.pcapng');
  const w = PcapngWriter.open(ng);
  w.write(craft(), 0, 60, 0, 0);
  w.close();
  const raw = fs.readFileSync(ng);
  // The IDB follows the 32-byte SHB (with its 12-byte shb_userappl option): link type at its byte 8.
  const idb = raw.readUInt32LE(4);
  t.equal(raw.readUInt32LE(idb), 1, 'the IDB follows the SHB');
  raw.writeUInt16LE(101, idb + 8);
  t.throws(() => parseCapture(raw, 'raw.pcapng'), { code: 'ERR_PCAP_FILE', message: /frame 1 \(block at byte \d+\), on interface 0, has link type 101 \(raw IP\), not Ethernet/ });

  const good = fs.readFileSync(ng);
  t.throws(() => parseCapture(good.subarray(0, good.length - 10), 'cut.pcapng'), { code: 'ERR_PCAP_FILE', message: /runs past the end of the file: the file was truncated/ });
  const onePcap = path.join(dir, 'one.pcap');
  const pw = PcapWriter.open(onePcap);
  pw.write(craft(), 0, 60, 0, 0);
  pw.close();
  const p1 = fs.readFileSync(onePcap);
  t.throws(() => parseCapture(p1.subarray(0, p1.length - 1), 'cut.pcap'), { code: 'ERR_PCAP_FILE', message: /record 1 at byte 24 says 60 bytes, past the end of the file/ });
  t.throws(() => parseCapture(Buffer.from('hello world, not a capture'), 'text'), { code: 'ERR_PCAP_FILE', message: /is neither pcap nor pcapng/ });
  t.throws(() => parseCapture(fs.readFileSync(pcap), 'empty.pcap'), { code: 'ERR_PCAP_FILE', message: /holds no frames/ });
  t.throws(() => readCaptureFile(path.join(dir, 'missing.pcap')), { code: 'ERR_PCAP_FILE', message: /cannot read .*missing\.pcap: ENOENT/ });
});

t.test('rotation: tcpdump -C names, files within the size, every file complete for tshark', async (t) => {
  for (const format of ['pcap', 'pcapng'] as const) {
    const base = path.join(dir, `ring.${format}`);
    const w = openCaptureWriter(base, { format, rotate: { maxBytes: 1000 } });
    const f = craft({ payload: 200 });  // 246 bytes: 3 records of a pcap or pcapng file fit in 1000 bytes
    for (let k = 0; k < 10; k++) w.write(f, 0, f.length, 1700000000 + k, 0);
    w.close();
    t.ok(w instanceof RotatingWriter);
    const files = (w as RotatingWriter).files;
    t.same(files, [base, `${base}1`, `${base}2`, `${base}3`], `${format}: x, x1, x2, x3`);
    let total = 0;
    for (const file of files) {
      t.ok(fs.statSync(file).size <= 1000, `${file}: ${fs.statSync(file).size} bytes, within 1000`);
      const rows = tshark(file, ['frame.time_epoch']);
      total += rows.length;
    }
    t.equal(total, 10, `${format}: tshark reads all 10 frames across the files`);
    t.equal(w.frames, 10);
  }
  const byCount = openCaptureWriter(path.join(dir, 'n.pcap'), { rotate: { maxFrames: 4 } }) as RotatingWriter;
  for (let k = 0; k < 9; k++) byCount.write(craft(), 0, 60, k, 0);
  byCount.close();
  t.same(byCount.files.map((f) => readCaptureFile(f).count), [4, 4, 1], 'by count: 4, 4, 1 frames');
  const huge = openCaptureWriter(path.join(dir, 'big.pcap'), { rotate: { maxBytes: 50 } }) as RotatingWriter;
  huge.write(craft(), 0, 60, 0, 0);
  huge.write(craft(), 0, 60, 0, 0);
  huge.close();
  t.same(huge.files.map((f) => readCaptureFile(f).count), [1, 1], 'a frame larger than the limit gets a file of its own');
});
