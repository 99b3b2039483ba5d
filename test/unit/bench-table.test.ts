import t from 'tap';
import { formatBytes, formatTable, rowCells } from '../../lib/bench/table';
import { pairPoints, ratio, type BenchPoint } from '../../lib/bench/results';

const points: BenchPoint[] = [
  { mode: 'forward', impl: 'native', batch: 32, frameSize: 60, packets: 20_000_000, ns: 2e9 },
  { mode: 'forward', impl: 'ts', batch: 32, frameSize: 60, packets: 6_000_000, ns: 1e9, heapGrowthBytes: 2048 },
  { mode: 'tx', impl: 'ts', batch: 1, frameSize: 1510, packets: 1000, ns: 1e6, heapGrowthBytes: -100 },
];

t.test('points pair up by mode, batch and frame size', async (t) => {
  const pairs = pairPoints(points);
  t.equal(pairs.length, 2);
  t.equal(pairs[0].ts?.packets, 6_000_000);
  t.equal(pairs[0].native?.packets, 20_000_000);
  t.equal(ratio(pairs[0]), 0.6);
  t.ok(Number.isNaN(ratio(pairs[1])), 'no native: no ratio');
});

t.test('a row shows Mpps, ns per packet, the ratio and heap growth', async (t) => {
  const [fwd, tx] = pairPoints(points);
  t.same(rowCells(fwd), ['forward', '64', '32', '6.00', '166.7', '10.00', '100.0', '60%', '2.0 KiB']);
  t.same(rowCells(tx), ['tx', '1514', '1', '1.00', '1000.0', '-', '-', '-', '-100 B']);
});

t.test('the table aligns its columns under a header', async (t) => {
  const lines = formatTable(pairPoints(points)).trimEnd().split('\n');
  t.equal(lines.length, 4);
  t.match(lines[0], /^mode\s+frame\s+batch\s+TS Mpps/);
  t.match(lines[1], /^-+ +-+/);
  t.equal(new Set(lines.map((l) => l.length)).size, 1, 'every line has the same width');
});

t.test('formatBytes picks a unit', async (t) => {
  t.equal(formatBytes(512), '512 B');
  t.equal(formatBytes(12.5 * 1024), '12.5 KiB');
  t.equal(formatBytes(-3 * 1024 * 1024), '-3.00 MiB');
});
