import { constants, performance, PerformanceObserver } from 'node:perf_hooks';
import t from 'tap';
import { FrameVerdict, parseMac, readTestFrame, TEST_MAGIC, TestFrameFields, testFrameLayout } from '../../lib/apps/frame-builder';
import { FlowAnalyzer } from '../../lib/apps/traffic/analyzer';
import { buildFlows, formatFlow } from '../../lib/apps/traffic/flows';
import { TrafficGenerator } from '../../lib/apps/traffic/generator';
import { XorShift32 } from '../../lib/apps/traffic/random';
import { meanFrameSize, parseFrameSizes, SizeSequence } from '../../lib/apps/traffic/sizes';

const MAC = '02:00:5e:82:59:00';

/** RFC 1071 sum of 16-bit big-endian words, folded. */
function sum(b: Uint8Array, start: number, end: number, initial = 0): number {
  let s = initial;
  for (let i = start; i < end; i += 2) s += (b[i] << 8) | (i + 1 < end ? b[i + 1] : 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** Checks a frame from scratch (not with the code under test): IPv4 and UDP checksums and lengths. */
function independentlyValid(b: Uint8Array, size: number): string | undefined {
  const ip = b[12] === 0x81 && b[13] === 0x00 ? 18 : 14;
  if (((b[ip - 2] << 8) | b[ip - 1]) !== 0x0800) return 'ethertype';
  if (((b[ip + 2] << 8) | b[ip + 3]) !== size - ip) return 'IPv4 total length';
  if (sum(b, ip, ip + 20) !== 0xffff) return 'IPv4 header checksum';
  const udpLength = (b[ip + 24] << 8) | b[ip + 25];
  if (udpLength !== size - ip - 20) return 'UDP length';
  if (((b[ip + 26] << 8) | b[ip + 27]) === 0) return 'UDP checksum 0';
  if (sum(b, ip + 20, ip + 20 + udpLength, sum(b, ip + 12, ip + 20) + 17 + udpLength) !== 0xffff) return 'UDP checksum';
  return undefined;
}

t.test('generated frames: every flow, size, tag, sequence number and timestamp has valid checksums', async (t) => {
  for (const vlan of [undefined, { id: 100, priority: 5 }]) {
    const gen = new TrafficGenerator({
      size: '60-1514:37', vlan, flows: { srcIp: '10.0.0.1-10.0.0.3', dstIp: '192.168.255.250-192.168.255.251', srcPort: '65534-65535', dstPort: '0-1' },
    }, MAC);
    t.equal(gen.flows.count, 3 * 2 * 2 * 2);
    const data = new Uint8Array(2048 * 4);
    gen.prepare(data, 4, 2048);
    const fields = new TestFrameFields();
    let bad = 0;
    const sizes = new SizeSequence(gen.sizes, new XorShift32(1));
    for (let k = 0; k < 2000; k++) {
      // Through the writer itself, with sequence numbers and timestamps over their whole range.
      const seq = (k * 2654435761) >>> 0;
      const ts = (k * 987654321987) % 2 ** 48;
      const off = (k % 4) * 2048;
      const size = sizes.next();
      gen.writer.write(data, off, k % gen.flows.count, size, Float64Array.of(seq, Math.floor(ts / 2 ** 32), ts % 2 ** 32));
      const frame = data.subarray(off, off + size);
      const problem = independentlyValid(frame, size);
      if (problem !== undefined) {
        bad++;
        if (bad < 5) t.fail(`frame ${k} (size ${size}, vlan ${JSON.stringify(vlan)}): ${problem}`);
        continue;
      }
      t.equal(readTestFrame(data, off, size, fields), FrameVerdict.Good);
      if (fields.seq !== seq || fields.flow !== k % gen.flows.count || fields.timestampNs !== ts || fields.tagged !== (vlan !== undefined)) {
        bad++;
        t.fail(`frame ${k}: read back ${JSON.stringify(fields)}`);
      }
    }
    t.equal(bad, 0, `vlan ${JSON.stringify(vlan)}: 2000 frames valid and read back`);
    if (vlan !== undefined) t.same([...data.subarray(12, 16)], [0x81, 0x00, (5 << 5), 100], 'TPID 0x8100, TCI priority 5, VID 100');
  }
});

t.test('the frame layout: addresses, ports, payload fields where frame-builder.ts says', async (t) => {
  const gen = new TrafficGenerator({ flows: { srcIp: '10.1.2.3', dstIp: '10.4.5.6', srcPort: 5000, dstPort: 6000 }, dstMac: '02:00:00:00:00:09' }, MAC);
  const data = new Uint8Array(2048);
  gen.prepare(data, 1, 2048);
  gen.writer.write(data, 0, 0, 60, Float64Array.of(0x01020304, 0x0a0b, 0x0c0d0e0f));
  gen.stamp(0x0a0b0c0d0e0f);
  const again = new Uint8Array(2048);
  gen.prepare(again, 1, 2048);
  t.equal(gen.fill(again, 0), 60, 'default size 60');
  t.same([...again.subarray(42, 46)], [0, 0, 0, 0], 'the first frame of a run has sequence number 0');
  t.same([...again.subarray(50, 56)], [0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f], 'the stamped timestamp');
  const l = testFrameLayout(false);
  t.same([l.ip, l.udp, l.payload], [14, 34, 42]);
  t.same([...data.subarray(0, 12)], [...parseMac('d', '02:00:00:00:00:09'), ...parseMac('s', MAC)]);
  t.same([...data.subarray(26, 34)], [10, 1, 2, 3, 10, 4, 5, 6]);
  t.same([...data.subarray(34, 38)], [5000 >> 8, 5000 & 0xff, 6000 >> 8, 6000 & 0xff]);
  t.same([...data.subarray(42, 56)], [1, 2, 3, 4, 0, 0, TEST_MAGIC >> 8, TEST_MAGIC & 0xff, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f], 'seq, flow, magic, timestamp');
  t.equal(independentlyValid(data.subarray(0, 60), 60), undefined);
});

t.test('readTestFrame: corrupted frames and foreign frames are told apart', async (t) => {
  const gen = new TrafficGenerator({ size: 100 }, MAC);
  const data = new Uint8Array(2048);
  gen.prepare(data, 1, 2048);
  gen.stamp(1000);
  gen.fill(data, 0);
  const f = new TestFrameFields();
  t.equal(readTestFrame(data, 0, 100, f), FrameVerdict.Good);
  data[80] ^= 0x10;
  t.equal(readTestFrame(data, 0, 100, f), FrameVerdict.Corrupted, 'payload bit flipped');
  data[80] ^= 0x10;
  data[22] -= 1;
  t.equal(readTestFrame(data, 0, 100, f), FrameVerdict.Corrupted, 'TTL changed without the header checksum');
  data[22] += 1;
  t.equal(readTestFrame(data, 0, 99, f), FrameVerdict.Corrupted, 'truncated');
  data[48] = 0;
  t.equal(readTestFrame(data, 0, 100, f), FrameVerdict.Foreign, 'no magic: not ours');
  data[48] = TEST_MAGIC >> 8;
  data[23] = 6;
  t.equal(readTestFrame(data, 0, 100, f), FrameVerdict.Foreign, 'TCP');
});

t.test('sizes: fixed, sweep, random, IMIX', async (t) => {
  const take = (text: string, n: number): number[] => {
    const s = new SizeSequence(parseFrameSizes('--size', text), new XorShift32(1));
    return Array.from({ length: n }, () => s.next());
  };
  t.same(take('60', 3), [60, 60, 60]);
  t.same(take('60-64', 7), [60, 61, 62, 63, 64, 60, 61]);
  t.same(take('60-200:64', 4), [60, 124, 188, 60]);
  const imix = take('imix', 12);
  t.same([imix.filter((s) => s === 60).length, imix.filter((s) => s === 590).length, imix.filter((s) => s === 1514).length], [7, 4, 1], '7:4:1');
  t.equal(Math.round(meanFrameSize(parseFrameSizes('s', 'imix')) * 12), 7 * 60 + 4 * 590 + 1514);
  const random = take('random:100-103', 4000);
  t.ok(random.every((s) => s >= 100 && s <= 103));
  for (const v of [100, 101, 102, 103]) t.ok(random.filter((s) => s === v).length > 800, `${v} drawn about a quarter of the time`);
  for (const bad of ['59', '1515', '100-60', '60-100:0', 'random:1000-60', 'big', '60.5']) {
    t.throws(() => parseFrameSizes('--size', bad), { code: 'ERR_INVALID_ARG' }, bad);
  }
});

t.test('flows: the product of the ranges, destination port fastest; too many is refused', async (t) => {
  const f = buildFlows({ srcIp: '10.0.0.1-10.0.0.2', dstPort: '80-81' });
  t.equal(f.count, 4);
  t.same([0, 1, 2, 3].map((k) => formatFlow(f, k)), [
    '10.0.0.1:1024 -> 10.0.0.2:80', '10.0.0.1:1024 -> 10.0.0.2:81', '10.0.0.2:1024 -> 10.0.0.2:80', '10.0.0.2:1024 -> 10.0.0.2:81',
  ]);
  t.throws(() => buildFlows({ srcPort: '0-65535', dstPort: '1-2' }), { code: 'ERR_INVALID_ARG', message: /131072 flows/ });
  t.throws(() => buildFlows({ srcIp: '10.0.0.300' }), { code: 'ERR_INVALID_ARG' });
  t.throws(() => buildFlows({ dstIp: '10.0.0.9-10.0.0.1' }), { code: 'ERR_INVALID_ARG' });
  t.throws(() => buildFlows({ srcPort: '70000' }), { code: 'ERR_INVALID_ARG' });
});

t.test('the analyzer: received, reordered, duplicated, corrupted, foreign, unexpected; sent = received + lost', async (t) => {
  const gen = new TrafficGenerator({ flows: { srcPort: '1-2' } }, MAC);
  const frames = new Uint8Array(2048 * 16);
  gen.prepare(frames, 16, 2048);
  gen.stamp(500);
  // Sent: 10 frames, sequence numbers 0..9, flows in turn (even numbers flow 0, odd flow 1).
  for (let seq = 0; seq < 10; seq++) gen.fill(frames, seq * 2048);
  const a = new FlowAnalyzer(2);
  a.setBatch(1500, gen.written);
  const deliver = (seq: number): void => a.inspect(frames, seq * 2048, 60);
  for (const seq of [0, 1, 5, 3, 2, 2, 6, 8, 9]) deliver(seq); // 4 and 7 lost, 3 late on its flow, 2 twice
  frames[7 * 2048 + 50] ^= 1; // a timestamp byte: bad UDP checksum
  deliver(7);
  gen.fill(frames, 12 * 2048); // sequence number 10: written after the batch was set, so never sent
  deliver(12);
  a.inspect(new Uint8Array(60), 0, 60); // not IPv4: foreign
  gen.sentPerFlow[0]--; // the frame written last was not sent
  const flows = a.results(gen.sentPerFlow);
  const total = a.total(flows);
  t.match(total, { sent: 10, received: 8, lost: 2, reordered: 1, duplicated: 1, corrupted: 1 });
  t.match(flows[0], { sent: 5, received: 4, lost: 1, reordered: 0, duplicated: 1, corrupted: 0 }, 'flow 0: 0 2 6 8 received, 2 twice, 4 lost');
  t.match(flows[1], { sent: 5, received: 4, lost: 1, reordered: 1, duplicated: 0, corrupted: 1 }, 'flow 1: 1 5 3 9 received, 3 late, 7 corrupted');
  t.equal(a.foreign, 1);
  t.equal(a.unexpected, 1);
  t.equal(total.latency_min_ns, 1000, 'latency = receive time - send timestamp');
  for (const r of [...flows, total]) t.equal(r.sent, r.received + r.lost, `flow ${r.flow} balances`);
});

t.test('the per-packet paths allocate nothing: no scavenge in 3 million frames written and read', async (t) => {
  const gen = new TrafficGenerator({ size: 'imix', flows: { srcPort: '1-64', order: 'random' }, vlan: { id: 3 } }, MAC);
  const data = new Uint8Array(2048 * 8);
  gen.prepare(data, 8, 2048);
  const a = new FlowAnalyzer(gen.flows.count);
  const loop = (n: number): void => {
    for (let k = 0; k < n; k++) {
      // Once per batch of 32, as in the trial loop: timestamps beyond 32 bits.
      if ((k & 31) === 0) gen.stamp(2 ** 40 + k);
      const off = (k & 7) * 2048;
      const size = gen.fill(data, off);
      if ((k & 31) === 0) a.setBatch(2 ** 40 + k + 5000, gen.written + 32);
      a.inspect(data, off, size);
    }
  };
  loop(200_000); // warm up: let the optimizing compiler settle
  // Only scavenges (minor GCs, which allocation in the young generation causes) that began inside the
  // loop count: after it, the wait for the observer and the test runner itself allocate, and a major
  // GC's incremental marking may have started before it.
  const gcs: { startTime: number; kind: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push({ startTime: e.startTime, kind: (e as unknown as { detail: { kind: number } }).detail.kind });
  });
  observer.observe({ entryTypes: ['gc'] });
  const from = performance.now();
  loop(3_000_000);
  const to = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  const scavenges = gcs.filter((g) => g.kind === constants.NODE_PERFORMANCE_GC_MINOR && g.startTime >= from && g.startTime <= to).length;
  // 16 bytes per frame would be 48 MB: several scavenges of the young generation.
  t.equal(scavenges, 0, `no scavenge during the loop (${gcs.length} GCs of any kind from its start to 50 ms after it)`);
  t.equal(a.receivedTotal, 3_000_000 + 200_000, 'every frame good and counted');
});
