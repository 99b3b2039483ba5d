import t from 'tap';
import type { IntervalStats } from '../../lib/apps/interval-stats';
import { formatCount, formatInterval, formatPps, Reporter } from '../../lib/apps/report';

function record(device: string, tx: number, rx: number, extra: Partial<IntervalStats> = {}): IntervalStats {
  return {
    type: 'interval', device, seconds: 1, tx_packets: tx, tx_bytes: tx * 60, rx_packets: rx, rx_bytes: rx * 60, rx_missed: 0, rx_errors: 0,
    tx_dropped: 0, mpps: 0, gbps: 0, gbps_wire: 0, link_up: true, ...extra,
  };
}

const ESC = String.fromCharCode(27);

/** The lines a terminal shows after `out` (control sequences removed). */
function shown(out: string): string[] {
  return out.split(/\r|\n/).map((l) => l.split(`${ESC}[K`).join('').replace(new RegExp(`${ESC}\\[\\d+A`, 'g'), '')).filter((l) => l !== '');
}

t.test('rates in the unit that suits them, counts in a few characters', async (t) => {
  t.equal(formatPps(14.88e6), '14.88 Mpps');
  t.equal(formatPps(95_300), '95.3 kpps');
  t.equal(formatPps(812), '812 pps');
  t.equal(formatPps(0), '0 pps');
  t.equal(formatCount(812), '812');
  t.equal(formatCount(95_300), '95.3k');
  t.equal(formatCount(12_345_678), '12.35M');
});

t.test('the most detailed line: cumulative packets, the interval rate, L1 and L2, labelled', async (t) => {
  t.equal(formatInterval(record('sim:0', 14_880_952, 0), 29_761_904, 0),
    'sim:0  tx 29761904 pkts 14.88 Mpps 10.00 Gbit/s L1 7.14 L2  missed 0  link up');
  t.equal(formatInterval(record('sim:1', 0, 500, { rx_missed: 3 }), 0, 1500), 'sim:1  rx 1500 pkts 500 pps 0.00 Gbit/s L1 0.00 L2  missed 3  link up');
  t.equal(formatInterval(record('sim:1', 0, 500, { rx_missed: 3_000_000, link_up: false }), 0, 1500, 3), 'sim:1 rx 1500 500pps miss 3.00M link down');
});

t.test('on a terminal the live line fits the width, one line per device when one cannot hold them', async (t) => {
  for (const columns of [80, 60, 40, 200]) {
    let out = '';
    const r = new Reporter('tty', { write: (s: string) => (out += s), columns });
    for (let k = 0; k < 3; k++) {
      r.interval([
        record('0000:03:00.0', 14_000_000, 13_999_000, { rx_missed: 123_456_789, tx_dropped: 4567 }),
        record('0000:03:00.1', 13_999_000, 14_000_000, { rx_missed: 7, rx_errors: 3 }),
      ]);
    }
    r.total([]);
    const lines = shown(out);
    t.ok(lines.every((l) => l.length < columns), `${columns} columns: ${JSON.stringify(lines)}`);
    t.ok(lines.some((l) => l.includes('0000:03:00.1')), 'both devices shown');
    t.ok(lines.every((l) => /tx [\d.]+[kMG]?( pkts)? [\d.]+ ?[kM]?pps/.test(l) || !l.startsWith('0000:03:00.0')), 'packets and rate');
    t.ok(lines.some((l) => /tx (42000000|42\.00M) /.test(l)), `cumulative over 3 intervals (${columns} columns)`);
    if (columns === 40) t.match(out, `${ESC}[1A`, 'a block of two lines rewritten in place (cursor up)');
    if (columns === 200) t.equal(out.split('\r').length - 1, 3, 'one line, rewritten 3 times');
  }
});

t.test('plain output (piped): one full line per interval, no control characters', async (t) => {
  let out = '';
  const r = new Reporter('plain', { write: (s: string) => (out += s), columns: 40 });
  r.interval([record('sim:0', 10, 0)]);
  r.interval([record('sim:0', 10, 0)]);
  t.equal(out, 'sim:0  tx 10 pkts 10 pps 0.00 Gbit/s L1 0.00 L2  missed 0  link up\nsim:0  tx 20 pkts 10 pps 0.00 Gbit/s L1 0.00 L2  missed 0  link up\n');
});
