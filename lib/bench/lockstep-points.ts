/**
 * Lockstep benchmark points (docs/benchmark.md, "Driver cost in lockstep"): a fresh lockstep SimCard
 * (no model thread while measuring; unpaced wire and generators), the TypeScript driver or the native
 * reference running one model pass per loop iteration on this thread, the passes' time subtracted
 * (for TypeScript also the `step()` call's own cost, calibrated once on an idle card).
 * After each point the model's counters and violations are checked: a fast driver that does the wrong
 * thing fails the point instead of reporting a figure.
 */
import { performance } from 'node:perf_hooks';
import { SimCard } from '../bus/sim';
import type { Driver, NetDevice } from '../device';
import { PacketBatch } from '../memory/batch';
import { Mempool } from '../memory/mempool';
import { benchNative } from './binding';
import { buildTestFrame, macBytes } from './frame';
import { settledHeapUsed } from './heap';
import { forwardLockstep, modelPass, rxLockstep, txLockstep, type LockstepResult } from './lockstep-loops';
import { nativeReferenceOptions, startGenerators, type PointSpec } from './points';
import { driverCost, type DriverCost } from './results';

const TX_POOL_BUFFERS = 4096;

/**
 * A lockstep card as every point uses: no model thread, unpaced wire, fast reset and link-up, and never
 * strict tails (they would hold open and close, which run the model thread, on every tail write).
 */
export function newLockstepCard(): SimCard {
  return SimCard.create({ linkUpDelayMs: 1, resetDelayMs: 1, wire: 'unpaced', lockstep: true, strictTails: false });
}

/**
 * Throws, naming what the model saw, when the point's traffic was wrong: a datasheet violation, DMA
 * outside live memory, a damaged frame at a checker, a missed frame, or (tx) frames out of sequence.
 */
export function checkLockstepPoint(card: SimCard, spec: PointSpec, label: string, packets: number): void {
  const problems: string[] = [];
  if (packets <= 0) problems.push('no packet moved');
  const ports = spec.mode === 'forward' ? [0, 1] as const : [0] as const;
  for (const p of ports) {
    const v = Object.entries(card.violations(p)).filter(([, n]) => n !== 0);
    if (v.length > 0) problems.push(`port ${p} datasheet violations ${v.map(([k, n]) => `${k}=${n}`).join(', ')}`);
    const s = card.tester(p).stats();
    if (s.badChecksums + s.nonUdp + s.badFcs > 0) {
      problems.push(`port ${p} checker saw ${s.badChecksums} bad checksums, ${s.nonUdp} non-UDP, ${s.badFcs} bad FCS`);
    }
    if (spec.mode === 'tx' && s.seqGaps + s.seqReordered > 0) {
      problems.push(`port ${p} checker saw ${s.seqGaps} sequence gaps, ${s.seqReordered} reordered`);
    }
    const c = card.counters(p);
    if (c.rxMissed > 0) problems.push(`port ${p} missed ${c.rxMissed} frames (the unpaced generator never overruns)`);
  }
  const dma = card.dmaFaults().count;
  if (dma > 0) problems.push(`${dma} DMA accesses outside live memory`);
  if (problems.length > 0) {
    throw new Error(`lockstep ${label}: ${problems.join('; ')}: the driver misbehaved, fix it before trusting its figures`);
  }
}

const CALIBRATION_CALLS = 50_000;

/** One timing of {@link CALIBRATION_CALLS} `step()` calls on `card`: their mean cost outside the model's clock, ns. */
function timeStepCalls(card: SimCard): number {
  let inside = 0;
  const pass = modelPass(card);
  const handle = card.handle;
  const start = performance.now();
  for (let i = 0; i < CALIBRATION_CALLS; i++) inside += pass(handle, 1);
  return ((performance.now() - start) * 1e6 - inside) / CALIBRATION_CALLS;
}

let stepCallNs: number | undefined;

/**
 * Cost of a `step()` call outside the model's own clock (JavaScript -> native and back), ns: timed on
 * an idle lockstep card, loop time minus the passes' reported time, per call; the lowest of five
 * timings (the machine's other load only adds), measured once per process.
 */
export function stepCallOverheadNs(): number {
  if (stepCallNs !== undefined) return stepCallNs;
  const card = newLockstepCard();
  try {
    for (let i = 0; i < 2000; i++) card.step();
    let best = Infinity;
    for (let k = 0; k < 5; k++) best = Math.min(best, timeStepCalls(card));
    stepCallNs = Math.max(0, best);
    return stepCallNs;
  } finally {
    card.close();
  }
}

function label(impl: string, spec: PointSpec): string {
  return `${impl} ${spec.mode} batch ${spec.batch} frame ${spec.frameSize + 4}`;
}

/** The native reference in lockstep for `spec`. */
export async function runNativeLockstep(spec: PointSpec): Promise<DriverCost> {
  const card = newLockstepCard();
  try {
    const options = nativeReferenceOptions(card, spec);
    // The thread runs while the reference sets its rings up and tears them down; the reference stops
    // it for the measured loop and runs the passes itself.
    const r = await card.withModelThread(() => benchNative.benchReference({ ...options, lockstepCard: card.handle }));
    checkLockstepPoint(card, spec, label('C++', spec), r.packets);
    return driverCost(spec.mode, 'native', spec.batch, spec.frameSize, r);
  } finally {
    card.close();
  }
}

/** The loop for `spec`; `tx.seq` carries the pktgen's sequence from one run to the next. */
function runLoop(card: SimCard, spec: PointSpec, devs: NetDevice[], batches: PacketBatch[], tx: { pool: Mempool | undefined; seq: number }, seconds: number): LockstepResult {
  const limit = { seconds, packets: spec.limit.packets };
  if (spec.mode === 'tx' && tx.pool !== undefined) {
    const r = txLockstep(card, devs[0], tx.pool, batches[0], spec.frameSize, limit, tx.seq);
    tx.seq = r.nextSeq;
    return r;
  }
  if (spec.mode === 'rx') return rxLockstep(card, devs[0], batches[0], limit);
  return forwardLockstep(card, devs[0], devs[1], batches[0], batches[1], limit);
}

/** Calls of the loop function in the warm-up. */
const WARMUP_CALLS = 4;

/** rx and tx calls per device that take nothing, before the warm-up (see {@link primeHousekeeping}). */
const PRIMING_CALLS = 3 * 4096;

/**
 * Empty rxBatch/txBatch calls (nothing taken, nothing queued, no register written) before the warm-up:
 * the driver looks at the clock and reads its counters every 4096 calls (QueuedDevice), and V8 compiles
 * the loops without that path until it has run. Without this, the first run of it lands in the
 * measured loop and sends the loop back to unoptimized code for a while (a deoptimization that a long
 * run amortizes but a short one, like an instruction count's, does not).
 */
function primeHousekeeping(devs: readonly NetDevice[], batches: readonly PacketBatch[]): void {
  const empty = new PacketBatch(1);
  for (let k = 0; k < devs.length; k++) {
    for (let i = 0; i < PRIMING_CALLS; i++) {
      devs[k].rxBatch(0, batches[k], 0);
      devs[k].txBatch(0, empty);
    }
  }
}

/**
 * The TypeScript driver in lockstep for `spec`: opens (model thread on), warms up, measures between the
 * instruction-count markers, checks, closes. Returns the measured loop's figures and the heap's growth
 * over it (heapUsed after forced full collections, after minus before).
 */
export async function runTsLockstepLoop(driver: Driver, spec: PointSpec): Promise<LockstepResult & { heapGrowthBytes: number }> {
  const card = newLockstepCard();
  const devs: NetDevice[] = [];
  let txPool: Mempool | undefined;
  try {
    const ports = spec.mode === 'forward' ? [0, 1] as const : [0] as const;
    await card.withModelThread(async () => {
      for (const i of ports) devs.push(await driver.open(card.port(i), { waitForLink: true, linkTimeoutMs: 5000 }));
    });
    if (spec.mode === 'tx') {
      txPool = Mempool.create(devs[0].pci, { count: TX_POOL_BUFFERS });
      const frame = buildTestFrame(spec.frameSize, macBytes(devs[0].mac), [0x02, 0, 0, 0, 0xee, 0x02]);
      for (let id = 0; id < txPool.count; id++) txPool.data.set(frame, txPool.offsetOf(id));
    }
    startGenerators(card, spec.mode, spec.frameSize);
    const batches = devs.map(() => new PacketBatch(spec.batch));
    const tx = { pool: txPool, seq: 0 };
    primeHousekeeping(devs, batches);
    // The warm-up in several calls: V8 then compiles the loop function itself, not only an on-stack
    // replacement of the running call, and the measured call starts in optimized code.
    const warm = { ...spec, limit: { seconds: 0, packets: Math.ceil((spec.warmupPackets ?? 0) / WARMUP_CALLS) } };
    for (let k = 0; k < WARMUP_CALLS; k++) runLoop(card, warm, devs, batches, tx, spec.warmupSeconds / WARMUP_CALLS);
    const heapBefore = settledHeapUsed();
    benchNative.benchCountBegin();
    const r = runLoop(card, spec, devs, batches, tx, spec.limit.seconds);
    benchNative.benchCountEnd();
    const heapGrowthBytes = settledHeapUsed() - heapBefore;
    card.step(64);  // let the model finish what the last batch queued before the checkers are read
    checkLockstepPoint(card, spec, label('TS', spec), r.packets);
    return { ...r, heapGrowthBytes };
  } finally {
    await card.withModelThread(() => {
      for (const d of devs) if (!d.closed) d.close();
    });
    txPool?.destroy();
    card.close();
  }
}

/** The TypeScript driver in lockstep for `spec`, the `step()` call's calibrated cost counted as the model's. */
export async function runTsLockstep(driver: Driver, spec: PointSpec): Promise<DriverCost> {
  const r = await runTsLockstepLoop(driver, spec);
  const cost = driverCost(spec.mode, 'ts', spec.batch, spec.frameSize, r, stepCallOverheadNs() * r.passes);
  cost.heapGrowthBytes = r.heapGrowthBytes;
  return cost;
}
