/**
 * `npm run bench`: the TypeScript ixgbe driver against the native reference on the simulated 82599.
 * Sweeps batch sizes for tx only, rx only and forwarding with 64-byte frames, adds one 1514-byte run
 * per mode, prints a table (or JSON), and writes an SVG plot and the JSON to bench-results/. Each point
 * carries the model thread's busy fraction; a pair where it reached MODEL_BOUND_BUSY is model-bound and
 * shows no TS/C++ ratio (table, plot, targets, JSON `comparisons`: threaded-summary.ts).
 * `--long` forwards 50 million frames at batch 32 and checks the heap stays flat. Then the lockstep sweep
 * (`driverCost` in the JSON; `--lockstep` runs only it): the driver's own ns per packet with the model's
 * passes run on the same thread and subtracted, for 64- and 1514-byte frames. See docs/benchmark.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Driver } from '../device';
import { findDriver } from '../drivers/index';
import { countInstructions, valgrindVersion } from './instructions';
import { parseBenchArgs, type BenchOptions } from './options';
import { formatInterruptBench, runInterruptBench } from './interrupts';
import { renderPlot, type PlotSeries } from './plot';
import { runNativeLockstep, runTsLockstep, stepCallOverheadNs } from './lockstep-points';
import { pinDriverThread, runNativePoint, runTsPoint, type Placement, type PointSpec } from './points';
import { BENCH_MODES, MODEL_BOUND_BUSY, mpps, pairPoints, type BenchPoint, type DriverCost } from './results';
import { formatBytes, formatDriverCostTable, formatTable } from './table';
import { MODE_COLORS, MODEL_BOUND_LEGEND, threadedComparisons, threadedSeries, threadedTargets } from './threaded-summary';

const SMALL = 60;
const LARGE = 1510;
const LONG_FRAMES = 50_000_000;
/** Packets of an instruction count's warm-up and counted loop each (--instructions). */
const COUNT_PACKETS = 30_000;

/** The driver the table picks for the simulated 82599ES (8086:10fb), or undefined while none claims it. */
function simDriver(): Driver | undefined {
  return findDriver(0x8086, 0x10fb);
}

function log(o: BenchOptions, line: string): void {
  if (!o.json) process.stderr.write(line + '\n');
}

function modelShares(p: BenchPoint): string {
  return `model thread busy ${(p.modelBusy * 100).toFixed(0)}% (on a CPU ${(p.modelCpu * 100).toFixed(0)}%)`;
}

async function measure(o: BenchOptions, driver: Driver | undefined, spec: PointSpec, placement: Placement | undefined, out: BenchPoint[]): Promise<void> {
  const label = `${spec.mode} batch ${spec.batch} frame ${spec.frameSize + 4}`;
  if (!o.noNative) {
    const p = runNativePoint(spec, placement);
    out.push(p);
    log(o, `  ${label}: C++ ${mpps(p).toFixed(2)} Mpps, ${modelShares(p)}`);
  }
  if (driver !== undefined) {
    const p = await runTsPoint(driver, spec, placement);
    out.push(p);
    log(o, `  ${label}: TS  ${mpps(p).toFixed(2)} Mpps, ${modelShares(p)}, heap ${formatBytes(p.heapGrowthBytes ?? 0)}`);
  }
}

/** With --instructions: the driver's instructions per packet of `c`, counted under callgrind, logged. */
function count(o: BenchOptions, c: DriverCost, label: string): void {
  if (!o.instructions) return;
  const n = countInstructions({ impl: c.impl, mode: c.mode, batch: c.batch, frameSize: c.frameSize, packets: COUNT_PACKETS });
  c.instructionsPerPacket = n.driverPerPacket;
  if (n.optimizedJsPerPacket !== null) c.optimizedJsInstructionsPerPacket = n.optimizedJsPerPacket;
  const optimized = n.optimizedJsPerPacket === null ? '' : ` (${n.optimizedJsPerPacket.toFixed(0)} in optimized JavaScript)`;
  log(o, `  ${label}: ${c.impl === 'ts' ? 'TS ' : 'C++'} driver ${n.driverPerPacket.toFixed(0)} instructions/pkt${optimized}, model ${n.modelPerPacket.toFixed(0)}`);
}

/** The best of `o.repeat` runs of a lockstep point: the lowest driver ns per packet. */
async function best(o: BenchOptions, run: () => Promise<DriverCost>): Promise<DriverCost> {
  let kept = await run();
  for (let k = 1; k < o.repeat; k++) {
    const c = await run();
    if (c.driverNsPerPacket < kept.driverNsPerPacket) kept = c;
  }
  return kept;
}

async function measureLockstep(o: BenchOptions, driver: Driver | undefined, spec: PointSpec, out: DriverCost[]): Promise<void> {
  const label = `${spec.mode} batch ${spec.batch} frame ${spec.frameSize + 4}`;
  if (!o.noNative) {
    const c = await best(o, () => runNativeLockstep(spec));
    out.push(c);
    log(o, `  ${label}: C++ driver ${c.driverNsPerPacket.toFixed(1)} ns/pkt, model ${c.modelNsPerPacket.toFixed(1)}`);
    count(o, c, label);
  }
  if (driver !== undefined) {
    const c = await best(o, () => runTsLockstep(driver, spec));
    out.push(c);
    log(o, `  ${label}: TS  driver ${c.driverNsPerPacket.toFixed(1)} ns/pkt, model ${c.modelNsPerPacket.toFixed(1)}`);
    count(o, c, label);
  }
}

function lockstepSeries(costs: readonly DriverCost[]): PlotSeries[] {
  const series: PlotSeries[] = [];
  for (const mode of BENCH_MODES) {
    for (const impl of ['ts', 'native'] as const) {
      const pts = costs.filter((c) => c.mode === mode && c.impl === impl && c.frameSize === SMALL);
      if (pts.length === 0) continue;
      series.push({
        label: `${mode} ${impl === 'ts' ? 'TypeScript' : 'C++ reference'}`,
        color: MODE_COLORS[mode],
        dashed: impl === 'native',
        // A point the calibration pushed below zero (docs/benchmark.md, caveats) is drawn at zero.
        points: pts.map((c) => [c.batch, Math.max(0, c.driverNsPerPacket)]),
      });
    }
  }
  return series;
}

async function main(): Promise<void> {
  const o = parseBenchArgs(process.argv.slice(2));
  const placement = pinDriverThread();
  const machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cpus: os.cpus().length,  // availableParallelism() drops to 1 once this thread is pinned
    loadavg: os.loadavg(),
    node: process.version,
    placement: placement ?? null,
  };
  log(o, `tsnic bench on ${machine.cpu}, ${machine.cpus} CPUs, load average ${machine.loadavg.map((l) => l.toFixed(2)).join(' ')}`);
  log(o, placement === undefined
    ? 'WARNING: driver and model threads are not pinned apart; figures will swing'
    : `driver thread on CPU ${placement.driverCpu}, model thread on CPU ${placement.modelCpu}`);
  if (machine.loadavg[0] > 0.5) log(o, 'WARNING: the machine is busy (load average > 0.5): other processes share these cores');
  if (o.interrupts) {
    // Interrupt receive (docs/interrupts.md): the issue's 10 s idle capture, the other runs --seconds (at least 3).
    const result = { machine, interrupts: await runInterruptBench({
      idleSeconds: 10, seconds: Math.max(3, o.seconds), log: (l) => log(o, l), ...(placement === undefined ? {} : { modelCpu: placement.modelCpu }),
    }) };
    fs.mkdirSync(o.outDir, { recursive: true });
    const file = path.join(o.outDir, `bench-interrupts-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(file, JSON.stringify(result, null, 2) + '\n', { mode: 0o644 });
    process.stdout.write(o.json ? JSON.stringify(result, null, 2) + '\n' : formatInterruptBench(result.interrupts) + `written: ${file}\n`);
    return;
  }
  const driver = simDriver();
  if (driver === undefined) log(o, 'WARNING: no driver in lib/drivers/index.ts claims 8086:10fb yet: native reference only');
  else log(o, `TypeScript driver: ${driver.name}`);
  if (o.instructions) {
    const v = valgrindVersion();
    if (v === undefined) throw new Error('--instructions counts under Valgrind, and valgrind is not on the PATH: install it (apt-get install valgrind) or drop --instructions');
    log(o, `instruction counts: ${v} callgrind, ${COUNT_PACKETS} packets per point after as many of warm-up`);
  }
  const limit = { seconds: o.seconds, packets: o.packets };
  const warmupSeconds = Math.min(0.2, o.seconds / 2);
  const points: BenchPoint[] = [];
  if (o.long && !o.lockstep) {
    const spec = { mode: 'forward' as const, batch: 32, frameSize: SMALL, limit: { seconds: 600, packets: LONG_FRAMES }, warmupSeconds };
    log(o, `forwarding ${LONG_FRAMES / 1e6} M frames at batch 32`);
    await measure(o, driver, spec, placement, points);
  } else if (!o.lockstep) {
    for (const mode of o.modes) {
      log(o, `${mode}:`);
      for (const batch of o.batches) await measure(o, driver, { mode, batch, frameSize: SMALL, limit, warmupSeconds }, placement, points);
      await measure(o, driver, { mode, batch: 32, frameSize: LARGE, limit, warmupSeconds }, placement, points);
    }
  }
  const driverCosts: DriverCost[] = [];
  if (o.long && o.lockstep) {
    const spec = { mode: 'forward' as const, batch: 32, frameSize: SMALL, limit: { seconds: 3600, packets: LONG_FRAMES }, warmupSeconds };
    log(o, `lockstep: forwarding ${LONG_FRAMES / 1e6} M frames at batch 32 (heap growth)`);
    await measureLockstep(o, driver, spec, driverCosts);
  } else if (!o.long) {
    log(o, `lockstep (driver cost, model passes on this thread, subtracted; step() call ${stepCallOverheadNs().toFixed(1)} ns, counted as the model's):`);
    for (const mode of o.modes) {
      for (const frameSize of [SMALL, LARGE]) {
        for (const batch of o.batches) await measureLockstep(o, driver, { mode, batch, frameSize, limit, warmupSeconds }, driverCosts);
      }
    }
  }
  const lockstepHeap = driverCosts.filter((c) => c.heapGrowthBytes !== undefined).map((c) => c.heapGrowthBytes ?? 0);
  const goals = threadedTargets(points, { frameSize: SMALL, ...(o.long ? { longFrames: LONG_FRAMES } : {}) });
  if (o.long && o.lockstep && lockstepHeap.length > 0) {
    const worst = Math.max(...lockstepHeap);
    goals.push(`lockstep heap growth over ${LONG_FRAMES / 1e6} M forwarded frames: ${formatBytes(worst)} (target < 64 KiB): ${worst < 64 * 1024 ? 'met' : 'NOT met'}`);
  }
  const result = {
    machine, options: o, points, modelBoundBusy: MODEL_BOUND_BUSY, comparisons: threadedComparisons(points), driverCost: driverCosts, targets: goals,
  };
  fs.mkdirSync(o.outDir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const base = path.join(o.outDir, `bench-${o.long ? 'long-' : ''}${stamp}`);
  fs.writeFileSync(`${base}.json`, JSON.stringify(result, null, 2) + '\n', { mode: 0o644 });
  if (!o.long && !o.lockstep) {
    fs.writeFileSync(`${base}.svg`, renderPlot(`tsnic on the simulated 82599, 64-byte frames (${machine.cpu})`, threadedSeries(points, SMALL), { hollowLabel: MODEL_BOUND_LEGEND }), { mode: 0o644 });
  }
  if (driverCosts.length > 0 && !o.long) {
    const title = `tsnic driver cost in lockstep, 64-byte frames (${machine.cpu})`;
    fs.writeFileSync(`${base}-lockstep.svg`, renderPlot(title, lockstepSeries(driverCosts), { yLabel: 'driver ns per packet' }), { mode: 0o644 });
  }
  if (o.json) {
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return;
  }
  if (points.length > 0) process.stdout.write(formatTable(pairPoints(points)));
  if (driverCosts.length > 0) process.stdout.write('\nlockstep: driver cost per packet (model time subtracted)\n' + formatDriverCostTable(driverCosts));
  for (const t of goals) process.stdout.write(t + '\n');
  const svgs = [...(o.long || o.lockstep ? [] : [`${base}.svg`]), ...(driverCosts.length > 0 && !o.long ? [`${base}-lockstep.svg`] : [])];
  process.stdout.write(`written: ${base}.json${svgs.length > 0 ? ` and ${svgs.join(', ')}` : ''}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
