import t from 'tap';
import {
  buildFrame, checksumsValid, MAX_FRAME_SIZE, MIN_FRAME_SIZE, parseMac, readSequence, SEQ_OFFSET, UDP_CHECKSUM_OFFSET,
  writeSequence,
} from '../../lib/apps/frame-builder';

const dst = parseMac('dst', '02:00:00:00:ee:01');
const src = parseMac('src', '02:00:5e:82:59:00');

/** The UDP checksum computed from scratch over the whole frame (RFC 768), for comparison. */
function fullUdpChecksum(b: Uint8Array): number {
  const udpLength = (b[38] << 8) | b[39];
  let sum = 17 + udpLength;
  for (let i = 26; i < 34; i += 2) sum += (b[i] << 8) | b[i + 1];
  for (let i = 34; i < 34 + udpLength; i += 2) {
    if (i === UDP_CHECKSUM_OFFSET) continue;
    sum += (b[i] << 8) | (i + 1 < 34 + udpLength ? b[i + 1] : 0);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const c = ~sum & 0xffff;
  return c === 0 ? 0xffff : c;
}

t.test('layout: Ethernet, IPv4 and UDP fields where the simulated tester expects them', async (t) => {
  const f = buildFrame(60, dst, src).bytes;
  t.same([...f.subarray(0, 6)], [...dst]);
  t.same([...f.subarray(6, 12)], [...src]);
  t.same([f[12], f[13]], [0x08, 0x00], 'ethertype IPv4');
  t.equal(f[14], 0x45, 'version 4, IHL 5');
  t.equal((f[16] << 8) | f[17], 46, 'IPv4 total length = size - 14');
  t.equal(f[20], 0x40, 'DF');
  t.equal(f[22], 64, 'TTL');
  t.equal(f[23], 17, 'protocol UDP');
  t.same([...f.subarray(26, 34)], [10, 0, 0, 1, 10, 0, 0, 2]);
  t.same([...f.subarray(34, 38)], [4, 0, 4, 0], 'ports 1024 -> 1024');
  t.equal((f[38] << 8) | f[39], 26, 'UDP length = size - 34');
  t.equal(readSequence(f, 0), 0);
  for (let i = 46; i < 60; i++) t.equal(f[i], i & 0xff, `payload byte ${i}`);
});

t.test('the IPv4 header checksum is valid as built', async (t) => {
  for (const size of [MIN_FRAME_SIZE, 61, 128, 1000, MAX_FRAME_SIZE]) {
    const f = buildFrame(size, dst, src).bytes;
    let sum = 0;
    for (let i = 14; i < 34; i += 2) sum += (f[i] << 8) | f[i + 1];
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    t.equal(sum, 0xffff, `size ${size}`);
  }
});

t.test('writeSequence patches sequence number and UDP checksum to what a full computation gives', async (t) => {
  for (const size of [MIN_FRAME_SIZE, 61, 333, MAX_FRAME_SIZE]) {
    const frame = buildFrame(size, dst, src);
    const buf = new Uint8Array(size + 100);
    buf.set(frame.bytes, 50);
    for (const seq of [0, 1, 0xffff, 0x10000, 0x12345678, 0xfffffffe, 0xffffffff]) {
      writeSequence(buf, 50, seq, frame.udpPartialSum);
      const f = buf.subarray(50, 50 + size);
      t.equal(readSequence(buf, 50), seq >>> 0, `size ${size} seq ${seq}: sequence`);
      t.equal((f[UDP_CHECKSUM_OFFSET] << 8) | f[UDP_CHECKSUM_OFFSET + 1], fullUdpChecksum(f), `size ${size} seq ${seq}: checksum`);
      t.ok(checksumsValid(buf, 50, size), `size ${size} seq ${seq}: a checker accepts it`);
    }
    t.equal(buf[49], 0, 'nothing written before the frame');
    t.equal(buf[50 + size], 0, 'nothing written after the frame');
  }
});

t.test('a checksum that computes to 0 is sent as 0xFFFF, never 0', async (t) => {
  const frame = buildFrame(60, dst, src);
  const buf = Uint8Array.from(frame.bytes);
  // Find a sequence number whose checksum would be 0: the one making the folded sum 0xFFFF.
  let found = -1;
  for (let seq = 0; seq < 0x20000 && found < 0; seq++) {
    let sum = frame.udpPartialSum + (seq >>> 16) + (seq & 0xffff);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    if (sum === 0xffff) found = seq;
  }
  t.ok(found >= 0, 'such a sequence number exists');
  writeSequence(buf, 0, found, frame.udpPartialSum);
  t.equal((buf[UDP_CHECKSUM_OFFSET] << 8) | buf[UDP_CHECKSUM_OFFSET + 1], 0xffff);
  t.ok(checksumsValid(buf, 0, 60));
});

t.test('checksumsValid rejects corrupted frames and non-UDP frames', async (t) => {
  const frame = buildFrame(100, dst, src);
  const buf = Uint8Array.from(frame.bytes);
  writeSequence(buf, 0, 42, frame.udpPartialSum);
  t.ok(checksumsValid(buf, 0, 100));
  buf[70] ^= 1;
  t.notOk(checksumsValid(buf, 0, 100), 'payload bit flipped');
  buf[70] ^= 1;
  buf[SEQ_OFFSET + 3] ^= 1;
  t.notOk(checksumsValid(buf, 0, 100), 'sequence changed without the checksum');
  buf[SEQ_OFFSET + 3] ^= 1;
  buf[22] = 63;
  t.notOk(checksumsValid(buf, 0, 100), 'TTL changed without the header checksum');
  buf[22] = 64;
  buf[23] = 6;
  t.notOk(checksumsValid(buf, 0, 100), 'TCP is not UDP');
});

t.test('bad sizes and MACs are refused with ERR_INVALID_ARG', async (t) => {
  t.throws(() => buildFrame(59, dst, src), { code: 'ERR_INVALID_ARG' });
  t.throws(() => buildFrame(1515, dst, src), { code: 'ERR_INVALID_ARG' });
  t.throws(() => buildFrame(60.5, dst, src), { code: 'ERR_INVALID_ARG' });
  t.throws(() => parseMac('--dst-mac', '02:00:00:00:00'), { code: 'ERR_INVALID_ARG', message: /--dst-mac/ });
  t.throws(() => parseMac('--dst-mac', 'zz:00:00:00:00:00'), { code: 'ERR_INVALID_ARG' });
  t.same([...parseMac('m', 'AA:bb:0c:00:ff:10')], [0xaa, 0xbb, 0x0c, 0x00, 0xff, 0x10]);
});
