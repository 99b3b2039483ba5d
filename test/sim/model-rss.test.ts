// RSS on the simulated 82599 (datasheet 7.1.2.8), driven by hand: the Toeplitz hash against the
// datasheet's / Microsoft's verification vectors, RETA, the RSS type and hash in the write-back, the
// generator's flows, frames for a disabled queue, and head-of-line blocking across queues.
import t from 'tap';
import { fastCard, R, Regs, RxRing, startRx, testFrame, TxRing, verifyFrame, waitFor } from './model-helpers';

const MS_KEY = [
  0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
  0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
];

// Datasheet 7.1.2.8.3 (Microsoft's "Verifying the RSS Hash Calculation"): source, destination, IPv4-only
// hash, IPv4 + ports hash (the UDP/IPv4 hash uses the same input as TCP/IPv4).
const VECTORS: [string, number, string, number, number, number][] = [
  ['66.9.149.187', 2794, '161.142.100.80', 1766, 0x323e8fc2, 0x51ccc178],
  ['199.92.111.2', 14230, '65.69.140.83', 4739, 0xd718262a, 0xc626b0ea],
  ['24.19.198.95', 12898, '12.22.207.184', 38024, 0xd2d0a5de, 0x5c2b394a],
  ['38.27.205.30', 48228, '209.142.163.6', 2217, 0x82989176, 0xafc7327f],
  ['153.39.163.191', 44251, '202.188.127.2', 1303, 0x5d1809c5, 0x10e828a2],
];

const MRQC_RSS = 0x1;
const MRQC_IPV4 = 1 << 17;
const MRQC_IPV4_UDP = 1 << 22;

/** Toeplitz hash written from its definition (bit-serial), independent of the model's tables. */
function toeplitz(key: number[], input: number[]): number {
  let h = 0;
  for (let i = 0; i < input.length * 8; i++) {
    if ((input[i >> 3] & (0x80 >> (i & 7))) === 0) continue;
    let w = 0;
    for (let b = 0; b < 32; b++) w = ((w << 1) | ((key[(i + b) >> 3] >> (7 - ((i + b) & 7))) & 1)) >>> 0;
    h = (h ^ w) >>> 0;
  }
  return h;
}

const ip = (s: string): number[] => s.split('.').map(Number);
const port16 = (p: number): number[] => [p >> 8, p & 0xff];

function setKey(regs: Regs, key: number[]): void {
  for (let i = 0; i < 10; i++) regs.set(R.RSSRK(i), key[4 * i] | (key[4 * i + 1] << 8) | (key[4 * i + 2] << 16) | (key[4 * i + 3] << 24));
}

/** RETA entry e (of 128) -> queue(e), four one-byte entries per register, entry 4n in bits 7:0. */
function setReta(regs: Regs, queue: (e: number) => number): void {
  for (let i = 0; i < 32; i++) {
    let v = 0;
    for (let b = 0; b < 4; b++) v |= queue(4 * i + b) << (8 * b);
    regs.set(R.RETA(i), v);
  }
}

t.test('the reference Toeplitz implementation of this test matches the published vectors', async (t) => {
  for (const [src, sp, dst, dp, h2, h4] of VECTORS) {
    t.equal(toeplitz(MS_KEY, [...ip(src), ...ip(dst)]), h2, `${src} -> ${dst}`);
    t.equal(toeplitz(MS_KEY, [...ip(src), ...ip(dst), ...port16(sp), ...port16(dp)]), h4, `${src}:${sp} -> ${dst}:${dp}`);
  }
});

t.test('RSS hash and type in the write-back equal the verification vectors (UDP/IPv4 and IPv4 only)', async (t) => {
  const card = fastCard('cross');
  t.teardown(() => card.close());
  const a = card.port(0);
  const b = card.port(1);
  const ra = new Regs(a.bar0);
  const rb = new Regs(b.bar0);
  a.enableBusMastering();
  b.enableBusMastering();
  const tx = new TxRing(a, ra, 64);
  await tx.enable();
  const rx = new RxRing(b, rb, 64);
  await rx.enable();
  setKey(rb, MS_KEY);
  setReta(rb, () => 0);
  startRx(rb);
  await waitFor('links', () => (ra.get(R.LINKS) & rb.get(R.LINKS) & (1 << 30)) !== 0);
  let received = 0;
  for (const udp of [true, false]) {
    rb.set(R.MRQC, MRQC_RSS | MRQC_IPV4 | (udp ? MRQC_IPV4_UDP : 0));
    for (const [src, sp, dst, dp] of VECTORS) {
      const f = testFrame(60, 0);
      f.set(ip(src), 26);
      f.set(ip(dst), 30);
      f.set([...port16(sp), ...port16(dp)], 34);
      tx.put(f);
    }
    tx.flush();
    received += VECTORS.length;
    await waitFor(`${received} frames`, () => (rx.status(received - 1) & 1) !== 0);
  }
  const got = rx.harvest();
  t.equal(got.length, 10);
  got.forEach((i, k) => {
    const udp = k < 5;
    const [src, , dst, , h2, h4] = VECTORS[k % 5];
    t.equal(rx.desc[i * 4 + 1] >>> 0, udp ? h4 : h2, `${udp ? 'UDP/IPv4' : 'IPv4'} hash of ${src} -> ${dst} in dword 1`);
    t.equal(rx.desc[i * 4] & 0xf, udp ? 7 : 2, 'RSS type in dword 0 bits 3:0');
  });
  tx.free();
  rx.free();
});

t.test('generator flows spread over queues by RETA; frames for a disabled queue are dropped and counted', async (t) => {
  const card = fastCard();
  t.teardown(() => card.close());
  const port = card.port(0);
  const regs = new Regs(port.bar0);
  port.enableBusMastering();
  const rings = [0, 1, 2, 3].map((q) => new RxRing(port, regs, 64, 2, q));
  for (const r of rings) await r.enable();
  setKey(regs, MS_KEY);
  // Entries whose index is 7 mod 8 go to queue 5, which is not enabled; the rest to entry % 4.
  const queueOf = (e: number): number => (e % 8 === 7 ? 5 : e % 4);
  setReta(regs, queueOf);
  regs.set(R.MRQC, MRQC_RSS | MRQC_IPV4 | MRQC_IPV4_UDP);
  startRx(regs);
  await waitFor('link', () => (regs.get(R.LINKS) & (1 << 30)) !== 0);
  const flows = 16;
  const hashOf = (flow: number): number => toeplitz(MS_KEY, [10, 0, 0, 1, 10, 0, 0, 2, ...port16(1024 + flow), ...port16(1024)]);
  const expected = [0, 1, 2, 3, 5].map((q) => [...Array(48).keys()].filter((s) => queueOf(hashOf(s % flows) & 0x7f) === q));
  t.ok(expected.slice(0, 4).every((e) => e.length > 0), 'every enabled queue gets some flow');
  card.tester(0).startGenerator({ count: 48, flows, ratePps: 100_000 });
  await waitFor('48 frames accounted', () => card.counters(0).rxDelivered + card.counters(0).rxDroppedDisabled === 48);
  rings.forEach((r, q) => {
    const got = r.harvest();
    const seqs = got.map((i) => verifyFrame(r.buffer(i, 60)).seq);
    t.same(seqs, expected[q], `queue ${q} got the frames of its flows`);
    t.ok(got.every((i) => verifyFrame(r.buffer(i, 60)).udpOk), `queue ${q}: UDP checksums valid with flows`);
    t.ok(got.every((i) => r.desc[i * 4 + 1] >>> 0 === hashOf(verifyFrame(r.buffer(i, 60)).seq % flows)), `queue ${q}: hash in dword 1`);
  });
  t.equal(card.counters(0).rxDroppedDisabled, expected[4].length, 'frames for disabled queue 5 dropped');
  for (const r of rings) r.free();
});

t.test('a full queue without DROP_EN blocks every queue behind it (head-of-line); DROP_EN unblocks', async (t) => {
  const card = fastCard();
  t.teardown(() => card.close());
  const port = card.port(0);
  const regs = new Regs(port.bar0);
  port.enableBusMastering();
  const q0 = new RxRing(port, regs, 16, 2, 0);
  const q1 = new RxRing(port, regs, 16, 2, 1);
  await q0.enable(0); // enabled, but no descriptor handed over
  await q1.enable();
  setKey(regs, MS_KEY);
  const hashOf = (flow: number): number => toeplitz(MS_KEY, [10, 0, 0, 1, 10, 0, 0, 2, ...port16(1024 + flow), ...port16(1024)]) & 0x7f;
  t.not(hashOf(0), hashOf(1), 'flows 0 and 1 use different RETA entries');
  setReta(regs, (e) => (e === hashOf(0) ? 0 : 1));
  regs.set(R.MRQC, MRQC_RSS | MRQC_IPV4 | MRQC_IPV4_UDP);
  startRx(regs);
  await waitFor('link', () => (regs.get(R.LINKS) & (1 << 30)) !== 0);
  card.tester(0).startGenerator({ count: 10, flows: 2, ratePps: 100_000 }); // even frames to queue 0, odd to 1
  await waitFor('generator done', () => !card.tester(0).stats().generatorRunning);
  await new Promise((r) => setTimeout(r, 20));
  t.equal(card.counters(0).rxDelivered, 0, 'queue 1 has descriptors but gets nothing: frame 0 blocks the buffer');
  t.equal(card.counters(0).rxMissed, 0, 'nothing missed: all ten wait');
  regs.set(R.SRRCTL(0), regs.get(R.SRRCTL(0)) | (1 << 28));
  await waitFor('queue 1 served', () => card.counters(0).rxDelivered === 5);
  t.same(q1.harvest().map((i) => verifyFrame(q1.buffer(i, 60)).seq), [1, 3, 5, 7, 9]);
  t.equal(card.counters(0).rxDropEnQueue[0], 5, 'queue 0 frames dropped once DROP_EN is set');
  q0.free();
  q1.free();
});
