import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import {
  LINKTYPE_ETHERNET, PCAP_HEADER_BYTES, PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO, PCAP_RECORD_HEADER_BYTES, PcapWriter,
} from '../../lib/pcap/writer';

interface Record {
  seconds: number;
  fraction: number;
  captured: number;
  original: number;
  bytes: Buffer;
}

/** An independent reader of the classic pcap format (little-endian files). */
function readPcap(file: string): { magic: number; major: number; minor: number; snaplen: number; linktype: number; records: Record[] } {
  const b = fs.readFileSync(file);
  const records: Record[] = [];
  let at = PCAP_HEADER_BYTES;
  while (at < b.length) {
    const captured = b.readUInt32LE(at + 8);
    records.push({
      seconds: b.readUInt32LE(at),
      fraction: b.readUInt32LE(at + 4),
      captured,
      original: b.readUInt32LE(at + 12),
      bytes: b.subarray(at + PCAP_RECORD_HEADER_BYTES, at + PCAP_RECORD_HEADER_BYTES + captured),
    });
    at += PCAP_RECORD_HEADER_BYTES + captured;
  }
  if (at !== b.length) throw new Error(`${file}: the last record runs past the end of the file`);
  return {
    magic: b.readUInt32LE(0), major: b.readUInt16LE(4), minor: b.readUInt16LE(6), snaplen: b.readUInt32LE(16),
    linktype: b.readUInt32LE(20), records,
  };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsnic-pcap-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

function frame(length: number, fill: number): Uint8Array {
  const f = new Uint8Array(length);
  for (let i = 0; i < length; i++) f[i] = (fill + i) & 0xff;
  return f;
}

t.test('global header: microsecond magic, version 2.4, snaplen, Ethernet link type', async (t) => {
  const file = path.join(dir, 'empty.pcap');
  PcapWriter.open(file).close();
  const p = readPcap(file);
  t.equal(p.magic, PCAP_MAGIC_MICRO);
  t.equal(p.major, 2);
  t.equal(p.minor, 4);
  t.equal(p.snaplen, 65535);
  t.equal(p.linktype, LINKTYPE_ETHERNET);
  t.equal(p.records.length, 0);
  t.equal(fs.statSync(file).size, 24);
});

t.test('nanosecond magic and a custom snaplen', async (t) => {
  const file = path.join(dir, 'nano.pcap');
  const w = PcapWriter.open(file, { nanosecond: true, snaplen: 96 });
  w.write(frame(60, 1), 0, 60, 1700000000, 999999999);
  w.close();
  const p = readPcap(file);
  t.equal(p.magic, PCAP_MAGIC_NANO);
  t.equal(p.snaplen, 96);
  t.equal(p.records[0].fraction, 999999999);
});

t.test('records: timestamps, lengths, bytes taken from an offset of a larger array', async (t) => {
  const file = path.join(dir, 'records.pcap');
  const pool = new Uint8Array(4096);
  pool.set(frame(60, 7), 2048);
  pool.set(frame(1514, 9), 0);
  const w = PcapWriter.open(file);
  w.write(pool, 2048, 60, 1700000001, 123456);
  w.write(pool, 0, 1514, 1700000002, 0);
  t.equal(w.frames, 2);
  w.close();
  const p = readPcap(file);
  t.equal(p.records.length, 2);
  t.match(p.records[0], { seconds: 1700000001, fraction: 123456, captured: 60, original: 60 });
  t.same([...p.records[0].bytes], [...frame(60, 7)]);
  t.match(p.records[1], { seconds: 1700000002, captured: 1514, original: 1514 });
  t.same([...p.records[1].bytes], [...frame(1514, 9)]);
});

t.test('frames longer than snaplen are cut, keeping the original length', async (t) => {
  const file = path.join(dir, 'snap.pcap');
  const w = PcapWriter.open(file, { snaplen: 64 });
  w.write(frame(1000, 3), 0, 1000, 1, 2);
  w.write(frame(40, 5), 0, 40, 1, 3);
  w.close();
  const p = readPcap(file);
  t.match(p.records[0], { captured: 64, original: 1000 });
  t.same([...p.records[0].bytes], [...frame(64, 3)]);
  t.match(p.records[1], { captured: 40, original: 40 });
});

t.test('a small buffer flushes in chunks and the file is byte-identical to a large-buffer one', async (t) => {
  const small = path.join(dir, 'small.pcap');
  const large = path.join(dir, 'large.pcap');
  const ws = PcapWriter.open(small, { snaplen: 1514, bufferBytes: PCAP_HEADER_BYTES + PCAP_RECORD_HEADER_BYTES + 1514 });
  const wl = PcapWriter.open(large, { snaplen: 1514 });
  for (let i = 0; i < 500; i++) {
    const f = frame(60 + ((i * 37) % 1455), i);
    ws.write(f, 0, f.length, i, i * 1000);
    wl.write(f, 0, f.length, i, i * 1000);
  }
  ws.close();
  wl.close();
  t.ok(fs.readFileSync(small).equals(fs.readFileSync(large)));
  t.equal(readPcap(small).records.length, 500);
});

t.test('close is idempotent and flushes what was buffered', async (t) => {
  const file = path.join(dir, 'close.pcap');
  const w = PcapWriter.open(file);
  w.write(frame(60, 0), 0, 60, 0, 0);
  t.equal(fs.statSync(file).size, 0, 'nothing written before the first flush');
  w.close();
  w.close();
  t.equal(readPcap(file).records.length, 1);
});

t.test('bad options and unwritable paths are refused with a clear error', async (t) => {
  t.throws(() => PcapWriter.open(path.join(dir, 'x.pcap'), { snaplen: 0 }), { code: 'ERR_INVALID_ARG', message: /snaplen/ });
  t.throws(() => PcapWriter.open(path.join(dir, 'x.pcap'), { snaplen: 300000 }), { code: 'ERR_INVALID_ARG' });
  t.throws(() => PcapWriter.open(path.join(dir, 'no-such-dir', 'x.pcap')), { code: 'ERR_INVALID_ARG', message: /cannot create .*ENOENT/ });
});
