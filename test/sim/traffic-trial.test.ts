// runTrial through the simulated card's cross and loopback wiring: what the receiver counts per flow
// balances with what the sender sent, exactly, including when a fault knob drops frames; and the
// frames on the wire, captured and read back by tshark, are the planned flows, sizes and VLAN tags
// with valid checksums.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { runCapture } from '../../lib/apps/capture';
import { runPktgen } from '../../lib/apps/pktgen';
import { runTrial, type TrialOptions, type TrialResult } from '../../lib/apps/traffic/trial';
import { defaultSimCard, lineRatePps, parseSimSpec } from '../../lib/bus/sim';
import type { NetDevice } from '../../lib/device';
import { openDevice } from '../../lib/open';
import { run } from './cli-run';
import { watchRun } from './traffic-watch';

const RECEIVER = { rxRingSize: 4096, mempoolSize: 8192 };

/** A trial that fails within seconds, with the counters, if its traffic stops. */
function trial(tx: NetDevice, rx: NetDevice, opts: TrialOptions): Promise<TrialResult> {
  return watchRun(`trial ${tx.pci.address} -> ${rx.pci.address}`, { card: defaultSimCard(), devs: tx === rx ? [tx] : [tx, rx] },
    (signal) => runTrial(tx, rx, { ...opts, signal }), { timeoutMs: 300_000 });
}

function balanced(t: Test, r: TrialResult): void {
  for (const f of [...r.flows, r.total]) t.equal(f.sent, f.received + f.lost, `flow ${f.flow}: sent = received + lost`);
  t.equal(r.total.sent, r.tx.tx_packets, 'the flows sum to what the tx ring took');
}

t.test('cross wiring: 1M frames at line rate over 8 flows, none lost, each flow in order', async (t) => {
  const a = await openDevice('sim:0,wiring=cross');
  const b = await openDevice('sim:1', RECEIVER);
  t.teardown(() => {
    a.close();
    b.close();
  });
  const r = await trial(a, b, { count: 1_000_000, rate: 'line', flows: { srcPort: '1024-1031' } });
  t.match(r.total, { sent: 1_000_000, received: 1_000_000, lost: 0, reordered: 0, duplicated: 0, corrupted: 0 });
  t.equal(r.flows.length, 8);
  t.ok(r.flows.every((f) => f.sent === 125_000 && f.received === 125_000), 'flows in turn: 125000 each');
  t.match(r.rx, { rx_packets: 1_000_000, rx_missed: 0, rx_errors: 0, peer_tx_packets: 1_000_000 });
  t.equal(r.foreign, 0);
  t.equal(r.unexpected, 0);
  t.equal(r.latency_clock, 'software');
  t.ok((r.total.latency_min_ns ?? 0) > 0 && (r.latency_p99_ns ?? 0) >= (r.latency_p50_ns ?? Infinity), 'latencies measured');
  balanced(t, r);

  await t.test('a fault knob that drops every 1000th received frame: exactly that many lost, on the flow it hits', async (t) => {
    const card = defaultSimCard();
    card.setFaults(1, { rxErrorEvery: 1000 });
    t.teardown(() => card.setFaults(1, { rxErrorEvery: 0 }));
    const r = await trial(a, b, { count: 200_000, flows: { dstPort: '7-10' } });
    // The port counts frames from the knob's setting: its 1000th, 2000th, ... carry sequence numbers
    // 999, 1999, ...: flow id (seq % 4) 3.
    t.match(r.total, { sent: 200_000, received: 199_800, lost: 200, corrupted: 0 });
    t.same(r.flows.map((f) => f.lost), [0, 0, 0, 200]);
    t.equal(r.rx.rx_errors, 200, 'the port counted them in CRCERRS');
    balanced(t, r);
  });

  await t.test('random flows and random sizes: every frame accounted for on its flow', async (t) => {
    const r = await trial(a, b, { count: 100_000, size: 'random:60-1514', flows: { srcIp: '10.0.0.1-10.0.0.5', srcPort: '1-3', order: 'random' }, seed: 7 });
    t.equal(r.flows.length, 15);
    t.match(r.total, { sent: 100_000, received: 100_000, lost: 0, corrupted: 0 });
    t.ok(r.flows.every((f) => f.sent > 5000 && f.sent === f.received), 'about 1/15 each, all received');
    t.ok(r.rx.rx_bytes > 100_000 * 700 && r.rx.rx_bytes < 100_000 * 870, `mean size about 787: ${r.rx.rx_bytes / 100_000}`);
  });
});

t.test('loopback on one device: IMIX with a VLAN tag, sent and received by the same port', async (t) => {
  const dev = await openDevice('sim:0,wiring=loopback', RECEIVER);
  t.teardown(() => dev.close());
  const r = await trial(dev, dev, { count: 60_000, size: 'imix', vlan: { id: 42, priority: 6 }, dstMac: dev.mac });
  t.match(r.total, { sent: 60_000, received: 60_000, lost: 0 });
  // IMIX: 7:4:1 of 60, 590, 1514 bytes.
  t.equal(r.rx.rx_bytes, 5000 * (7 * 60 + 4 * 590 + 1514));
  balanced(t, r);
});

t.test('a flow mix on the wire, captured and read back by tshark: the planned flows, sizes, tags, valid checksums', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsnic-flows-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'mix.pcap');
  const a = await openDevice('sim:0,wiring=cross');
  const b = await openDevice('sim:1', RECEIVER);
  t.teardown(() => {
    a.close();
    b.close();
  });
  const n = 240;
  // Both loops run on this thread, taking turns every few milliseconds: a modest rate keeps the
  // capture's ring from filling while the generator's slice runs.
  const [sent, captured] = await Promise.all([
    runPktgen(a, { count: n, rate: '20kpps', size: 'imix', vlan: { id: 100, priority: 5 }, flows: { srcIp: '10.0.0.1-10.0.0.2', dstPort: '80-82' }, dstMac: b.mac }),
    runCapture(b, { out: file, count: n, durationS: 20 }),
  ]);
  t.equal(sent.tx_packets, n);
  t.equal(captured.rx_packets, n, 'all captured');
  const r = await run('tshark', [
    '-r', file, '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-T', 'fields', '-E', 'separator=,',
    '-e', 'frame.len', '-e', 'vlan.id', '-e', 'vlan.priority', '-e', 'ip.src', '-e', 'ip.dst', '-e', 'udp.srcport', '-e', 'udp.dstport',
    '-e', 'ip.checksum.status', '-e', 'udp.checksum.status',
  ]);
  t.equal(r.code, 0, r.stderr);
  const rows = r.stdout.trim().split('\n');
  t.equal(rows.length, n);
  const imix = [60, 590, 60, 60, 590, 60, 1514, 60, 590, 60, 60, 590];
  const flows = ['10.0.0.1,80', '10.0.0.1,81', '10.0.0.1,82', '10.0.0.2,80', '10.0.0.2,81', '10.0.0.2,82'];
  let wrong = 0;
  rows.forEach((row, k) => {
    const [len, vid, pcp, src, dst, sport, dport, ipOk, udpOk] = row.split(',');
    const [fsrc, fdport] = flows[k % 6].split(',');
    const expected = [String(imix[k % 12]), '100', '5', fsrc, '10.0.0.2', '1024', fdport, '1', '1'];
    if ([len, vid, pcp, src, dst, sport, dport, ipOk, udpOk].join(',') !== expected.join(',') && wrong++ < 5) {
      t.fail(`frame ${k}: tshark read ${row}, planned ${expected.join(',')} (status 1: checksum good)`);
    }
  });
  t.equal(wrong, 0, `${n} frames: flows in turn, IMIX sizes, VLAN 100 priority 5, IPv4 and UDP checksums good`);
});

t.test('sim specs take the same rate syntax; a bare number is refused', async (t) => {
  t.equal(parseSimSpec('sim:0,rate=5Gbps,frameSize=1514').generator?.ratePps, 5e9 / ((1514 + 24) * 8), 'bits on the wire, for the frame size given after');
  t.equal(parseSimSpec('sim:0,rate=50%').generator?.ratePps, lineRatePps(60) / 2);
  t.equal(parseSimSpec('sim:1,rate=100%').generator?.ratePps, 'line');
  t.equal(parseSimSpec('sim:1,rate=250kpps,count=5').generator?.ratePps, 250_000);
  t.same(parseSimSpec('sim:1,rxErrorEvery=1000'), { port: 1, rxErrorEvery: 1000 });
  t.throws(() => parseSimSpec('sim:0,rate=100000'), { code: 'ERR_INVALID_ARG', message: /rate "100000" has no unit/ });
  t.throws(() => parseSimSpec('sim:0,rate=20Gbps'), { code: 'ERR_INVALID_ARG', message: /above 10 Gbit\/s line rate/ }, 'not above line rate');
});
