import t from 'tap';
import { formatBytes, formatTable, MODEL_BOUND_CELL, rowCells } from '../../lib/bench/table';
import { comparison, MODEL_BOUND_BUSY, modelBound, pairPoints, ratio, type BenchPoint } from '../../lib/bench/results';
import { threadedComparisons, threadedSeries, threadedTargets } from '../../lib/bench/threaded-summary';

const points: BenchPoint[] = [
  { mode: 'forward', impl: 'native', batch: 32, frameSize: 60, packets: 20_000_000, ns: 2e9, modelBusy: 0.5, modelCpu: 1 },
  { mode: 'forward', impl: 'ts', batch: 32, frameSize: 60, packets: 6_000_000, ns: 1e9, heapGrowthBytes: 2048, modelBusy: 0.25, modelCpu: 1 },
  { mode: 'tx', impl: 'ts', batch: 1, frameSize: 1510, packets: 1000, ns: 1e6, heapGrowthBytes: -100, modelBusy: 0.1, modelCpu: 1 },
];

/** Forward at batch 256: the native side's model thread at `nativeBusy`, the TypeScript side's at 0.5. */
function bigBatch(nativeBusy: number, tsBusy = 0.5): BenchPoint[] {
  return [
    { mode: 'forward', impl: 'native', batch: 256, frameSize: 60, packets: 15_000_000, ns: 1e9, modelBusy: nativeBusy, modelCpu: 1 },
    { mode: 'forward', impl: 'ts', batch: 256, frameSize: 60, packets: 14_000_000, ns: 1e9, heapGrowthBytes: 0, modelBusy: tsBusy, modelCpu: 1 },
  ];
}

t.test('points pair up by mode, batch and frame size', async (t) => {
  const pairs = pairPoints(points);
  t.equal(pairs.length, 2);
  t.equal(pairs[0].ts?.packets, 6_000_000);
  t.equal(pairs[0].native?.packets, 20_000_000);
  t.equal(ratio(pairs[0]), 0.6);
  t.ok(Number.isNaN(ratio(pairs[1])), 'no native: no ratio');
});

t.test('a row shows Mpps, ns per packet, the ratio, both model busy fractions and heap growth', async (t) => {
  const [fwd, tx] = pairPoints(points);
  t.same(rowCells(fwd), ['forward', '64', '32', '6.00', '166.7', '10.00', '100.0', '60%', '25% / 50%', '2.0 KiB']);
  t.same(rowCells(tx), ['tx', '1514', '1', '1.00', '1000.0', '-', '-', '-', '10% / -', '-100 B']);
});

t.test(`a pair is model-bound when either side's model thread was busy >= ${MODEL_BOUND_BUSY}: no ratio anywhere`, async (t) => {
  for (const [nativeBusy, tsBusy, bound] of [[0.89, 0.5, false], [0.9, 0.5, true], [0.5, 0.95, true], [1, 1, true]] as const) {
    const [pair] = pairPoints(bigBatch(nativeBusy, tsBusy));
    const what = `busy TS ${tsBusy}, C++ ${nativeBusy}`;
    t.equal(modelBound(pair), bound, `${what}: model-bound ${bound}`);
    t.equal(Number.isNaN(ratio(pair)), bound, `${what}: ratio ${bound ? 'NaN' : 'a number'}`);
    const cells = rowCells(pair);
    t.equal(cells[7], bound ? MODEL_BOUND_CELL : '93%', `${what}: TS/C++ cell`);
    const c = comparison(pair);
    t.equal(c.modelBound, bound, `${what}: JSON modelBound`);
    t.equal(c.tsOverNative === null, bound, `${what}: JSON ratio ${bound ? 'null' : 'present'}`);
    t.same(c.modelBusy, { ts: tsBusy, native: nativeBusy }, `${what}: JSON carries both fractions`);
  }
});

t.test('a pair with one side missing is not called model-bound in the TS/C++ cell, and has no ratio', async (t) => {
  const [pair] = pairPoints([bigBatch(0.99)[0]]);
  t.equal(rowCells(pair)[7], '-', 'nothing to compare: -');
  t.equal(rowCells(pair)[8], '- / 99%');
  t.equal(comparison(pair).tsOverNative, null);
});

t.test('the JSON comparisons cover every pair and survive a JSON round trip', async (t) => {
  const all = [...points, ...bigBatch(0.97)];
  const parsed = JSON.parse(JSON.stringify(threadedComparisons(all))) as ReturnType<typeof threadedComparisons>;
  t.equal(parsed.length, 3);
  t.same(parsed.map((c) => [c.mode, c.batch, c.frameSize, c.tsOverNative, c.modelBound]), [
    ['forward', 32, 60, 0.6, false],
    ['tx', 1, 1510, null, false],
    ['forward', 256, 60, null, true],
  ]);
});

t.test('the forward target is not judged on a model-bound pair; a model-bound tx miss is not judged either', async (t) => {
  const fwd = (nativeBusy: number): BenchPoint[] => bigBatch(nativeBusy).map((p) => ({ ...p, batch: 32 }));
  const free = threadedTargets(fwd(0.5), { frameSize: 60 });
  t.match(free[0], /^forward batch 32: 93% of native \(target >= 60%\): met$/);
  const bound = threadedTargets(fwd(0.95), { frameSize: 60 });
  t.match(bound[0], /^forward batch 32: model-bound \(model thread busy TS 50%, C\+\+ 95%\): no driver ratio/);
  t.notMatch(bound[0], /\d+% of native \(|: met|NOT met/, 'no ratio and no verdict');
  const tx = (packets: number, busy: number): BenchPoint => ({ mode: 'tx', impl: 'ts', batch: 32, frameSize: 60, packets, ns: 1e9, heapGrowthBytes: 0, modelBusy: busy, modelCpu: 1 });
  t.match(threadedTargets([tx(10e6, 0.5)], { frameSize: 60 })[0], /10\.00 Mpps \(target > 14\.88\): NOT met$/);
  t.match(threadedTargets([tx(10e6, 0.95)], { frameSize: 60 })[0], /10\.00 Mpps \(target > 14\.88\): not judged: model-bound/);
  t.match(threadedTargets([tx(20e6, 0.95)], { frameSize: 60 })[0], /20\.00 Mpps \(target > 14\.88\): met$/, 'reached is reached');
});

t.test('the table aligns its columns under a header', async (t) => {
  const lines = formatTable(pairPoints([...points, ...bigBatch(0.97)])).trimEnd().split('\n');
  t.equal(lines.length, 5);
  t.match(lines[0], /^mode\s+frame\s+batch\s+TS Mpps.*TS\/C\+\+\s+model busy TS\/C\+\+\s+heap growth$/);
  t.match(lines[1], /^-+ +-+/);
  t.match(lines[4], /model-bound\s+50% \/ 97%/);
  t.equal(new Set(lines.map((l) => l.length)).size, 1, 'every line has the same width');
});

t.test('formatBytes picks a unit', async (t) => {
  t.equal(formatBytes(512), '512 B');
  t.equal(formatBytes(12.5 * 1024), '12.5 KiB');
  t.equal(formatBytes(-3 * 1024 * 1024), '-3.00 MiB');
});

t.test('the threaded plot draws a model-bound pair hollow on both lines, other pairs filled', async (t) => {
  const all = [...points, ...bigBatch(0.97)];
  const series = threadedSeries(all, 60);
  t.same(series.map((s) => s.label), ['forward TypeScript', 'forward C++ reference']);
  for (const s of series) {
    const byBatch = new Map(s.points.map((p) => [p[0], p[2] === true]));
    t.same([...byBatch.entries()].sort((a, b) => a[0] - b[0]), [[32, false], [256, true]], `${s.label}: batch 256 hollow`);
  }
});
