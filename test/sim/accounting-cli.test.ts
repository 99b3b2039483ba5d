// Issue 12, "counters that do not add up": the three cases a new user ran, through the command line.
// Each total must balance exactly (peer sent = received + missed + errors + port drops), and each
// interval record must describe the same interval on both sides: what it leaves unaccounted is the
// change in frames in flight, so the running sum over the intervals stays between 0 and what the
// ring and the packet buffer can hold.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import type { IntervalStats } from '../../lib/apps/interval-stats';
import { lineRatePps } from '../../lib/bus/sim';
import { balanceText, inFlightBound, unaccounted } from './balance';
import { tsnic } from './cli-run';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsnic-accounting-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs `tsnic ...args --json` and returns its records (the last is the total). */
async function records(t: Test, args: string[]): Promise<IntervalStats[]> {
  const r = await tsnic([...args, '--json'], { timeoutMs: 60_000 });
  t.equal(r.code, 0, `exit 0: ${r.stderr}`);
  t.equal(r.stderr, '', 'nothing on stderr');
  const lines = r.stdout.trim().split('\n').filter((l) => l !== '');
  return lines.map((l) => JSON.parse(l) as IntervalStats);
}

/**
 * Checks the running in-flight count over the interval records: never negative (a frame the device
 * counted is always already counted as sent), never above `bound`.
 */
function checkIntervals(t: Test, intervals: IntervalStats[], bound: number): void {
  let inFlight = 0;
  for (const [k, r] of intervals.entries()) {
    inFlight += unaccounted(r);
    if (inFlight < 0 || inFlight > bound) {
      t.fail(`interval ${k}: ${inFlight} frames in flight (must be 0..${bound}): ${balanceText(r)}`);
      return;
    }
  }
  t.pass(`${intervals.length} intervals: frames in flight stayed within 0..${bound}`);
}

t.test('capture sim:0 --count 1000: 1000 received, and the peer sent exactly what was received or counted lost', async (t) => {
  const out = await records(t, ['capture', 'sim:0', '--count', '1000', '--out', path.join(dir, 'a.pcap')]);
  // No --duration: this is the command line as reported. The tester feeds the port at line rate until
  // the capture has its 1000 frames; what a host slower than the wire could not take is missed, and
  // what arrived after the 1000th frame is discarded: every frame sent is one or the other.
  const total = out[out.length - 1];
  t.match(total, { type: 'total', rx_packets: 1000 });
  t.ok((total.peer_tx_packets ?? 0) >= 1000, `the peer sent ${total.peer_tx_packets} frames`);
  t.equal(unaccounted(total), 0, balanceText(total));
});

t.test('stats sim:0 --duration 2: received never exceeds what the peer sent; the total balances', async (t) => {
  const out = await records(t, ['stats', 'sim:0', '--duration', '2', '--interval', '0.25']);
  const total = out[out.length - 1];
  const intervals = out.slice(0, -1);
  t.equal(total.type, 'total');
  t.ok(total.rx_packets > 0, 'frames arrived');
  t.ok(total.rx_packets <= (total.peer_tx_packets ?? 0), `received ${total.rx_packets} <= sent ${total.peer_tx_packets}`);
  t.equal(unaccounted(total), 0, balanceText(total));
  t.ok(intervals.length >= 4, `${intervals.length} interval records`);
  // The device's counters and the tester's are read a few register reads apart (the simulator serves
  // statistics registers through a fault handler, and a busy machine may deschedule the process in
  // between); at line rate the frames sent in those moments (allowed: up to 20 ms) count as in flight.
  // What must never happen is a negative count: a frame the device counted before the peer sent it.
  checkIntervals(t, intervals, inFlightBound(512, 60) + Math.ceil(lineRatePps(60) * 0.02));
});

t.test('capture "sim:0,frameSize=1514,rate=1000pps,count=50" --duration 1: all 50 frames, none lost', async (t) => {
  const out = await records(t, ['capture', 'sim:0,frameSize=1514,rate=1000pps,count=50', '--duration', '1', '--out', path.join(dir, 'b.pcap')]);
  const total = out[out.length - 1];
  t.match(total, { type: 'total', rx_packets: 50, rx_bytes: 50 * 1514, rx_missed: 0, rx_dropped: 0, peer_tx_packets: 50 });
  t.equal(unaccounted(total), 0, balanceText(total));
});

t.test('fwd sim:0 sim:1 --duration 1: each port balances, and each forwarded frame reached the far checker', async (t) => {
  const out = await records(t, ['fwd', 'sim:0', 'sim:1', '--duration', '1']);
  const totals = out.filter((r) => r.type === 'total');
  t.same(totals.map((r) => r.device), ['sim:0', 'sim:1']);
  for (const r of totals) {
    t.equal(unaccounted(r), 0, `${r.device}: ${balanceText(r)}`);
    t.equal(r.peer_rx_packets, r.tx_packets, `${r.device}: the checker received every frame sent`);
  }
  const [a, b] = totals;
  t.equal(a.rx_packets, b.tx_packets + b.tx_dropped, 'what sim:0 received left sim:1 or was dropped');
  t.equal(b.rx_packets, a.tx_packets + a.tx_dropped, 'what sim:1 received left sim:0 or was dropped');
});
