/**
 * Runs one benchmark point on a fresh simulated 82599: either the TypeScript driver through the
 * NetDevice API or the native reference loop, with the JavaScript thread and the model thread pinned
 * to different CPUs, the wire and the testers' generators unpaced (benchmark modes unlike any wire, so
 * that neither limits the driver), the model thread's busy fraction over the measured loop (a point
 * where it is near 1 is model-bound: results.ts) and, for TypeScript, the heap measured around the run.
 */
import os from 'node:os';
import { SimCard } from '../bus/sim';
import type { Driver, NetDevice } from '../device';
import { PacketBatch } from '../memory/batch';
import { Mempool } from '../memory/mempool';
import { benchNative, type BenchReferenceOptions } from './binding';
import { buildTestFrame, macBytes } from './frame';
import { settledHeapUsed } from './heap';
import { forwardLoop, rxLoop, txLoop, type LoopLimit, type LoopResult } from './modes';
import type { BenchMode, BenchPoint } from './results';

/** What to run. */
export interface PointSpec {
  mode: BenchMode;
  batch: number;
  frameSize: number;
  limit: LoopLimit;
  /** Untimed run before the measurement (JIT warm-up, rings in steady state), seconds. */
  warmupSeconds: number;
  /** Lockstep points: the warm-up also stops after this many packets (instruction counts); 0 or absent: no limit. */
  warmupPackets?: number;
}

/** CPUs used: the JavaScript (driver) thread and the model thread, or undefined when not pinned. */
export interface Placement {
  driverCpu: number;
  modelCpu: number;
}

const MODE_NUMBER = { tx: 0, rx: 1, forward: 2 } as const;
const TX_POOL_BUFFERS = 4096;

/**
 * Pins this thread to the first CPU the process may use and returns the placement for model threads
 * (the second CPU); undefined on a one-CPU machine or when the system refuses.
 */
export function pinDriverThread(): Placement | undefined {
  if (os.availableParallelism() < 2) return undefined;
  return benchNative.benchPinThread(0) ? { driverCpu: 0, modelCpu: 1 } : undefined;
}

function newCard(placement: Placement | undefined): SimCard {
  // Never strict tails (docs/simulator.md): the benchmark measures the default card, whatever the environment.
  const card = SimCard.create({ linkUpDelayMs: 1, resetDelayMs: 1, wire: 'unpaced', strictTails: false });
  if (placement !== undefined) card.pinModelThread(placement.modelCpu);
  return card;
}

/** Starts the testers' unpaced generators a mode receives from (rx: port 0; forward: both ports). */
export function startGenerators(card: SimCard, mode: BenchMode, frameSize: number): void {
  if (mode === 'rx' || mode === 'forward') card.tester(0).startGenerator({ ratePps: 'unpaced', frameSize });
  if (mode === 'forward') card.tester(1).startGenerator({ ratePps: 'unpaced', frameSize });
}

/**
 * Readies `card` for the native reference on `spec` (both ports bus masters, its DMA memory on port 0,
 * the generators started) and returns the reference's options.
 */
export function nativeReferenceOptions(card: SimCard, spec: PointSpec): BenchReferenceOptions {
  const p0 = card.port(0);
  const p1 = card.port(1);
  p0.enableBusMastering();
  p1.enableBusMastering();
  const dma = p0.allocDma(benchNative.benchReferenceBytes());
  startGenerators(card, spec.mode, spec.frameSize);
  return {
    bar0: [p0.bar0.buffer as ArrayBuffer, p1.bar0.buffer as ArrayBuffer],
    dma: dma.bytes,
    iova: dma.iova,
    mode: MODE_NUMBER[spec.mode],
    batch: spec.batch,
    frameSize: spec.frameSize,
    seconds: spec.limit.seconds,
    packets: spec.limit.packets,
  };
}

/**
 * The native reference loop for `spec`, with the model thread's busy fraction over its measured loop
 * (read by the reference itself just before and after the loop).
 */
export function runNativePoint(spec: PointSpec, placement: Placement | undefined): BenchPoint {
  const card = newCard(placement);
  try {
    const r = benchNative.benchReference({ ...nativeReferenceOptions(card, spec), modelCard: card.handle });
    const share = (ns: number): number => (r.ns > 0 ? Math.min(1, ns / r.ns) : 0);
    return {
      mode: spec.mode, impl: 'native', batch: spec.batch, frameSize: spec.frameSize, packets: r.packets, ns: r.ns,
      modelBusy: share(r.modelBusyNs), modelCpu: share(r.modelCpuNs),
    };
  } finally {
    card.close();
  }
}

function prefill(pool: Mempool, frame: Uint8Array): void {
  for (let id = 0; id < pool.count; id++) pool.data.set(frame, pool.offsetOf(id));
}

function runLoop(spec: PointSpec, devs: NetDevice[], batches: PacketBatch[], txPool: Mempool | undefined, limit: LoopLimit): LoopResult {
  if (spec.mode === 'tx' && txPool !== undefined) return txLoop(devs[0], txPool, batches[0], spec.frameSize, limit);
  if (spec.mode === 'rx') return rxLoop(devs[0], batches[0], limit);
  return forwardLoop(devs[0], devs[1], batches[0], batches[1], limit);
}

/** The TypeScript driver for `spec`: opens the port(s) with `driver`, warms up, measures, closes. */
export async function runTsPoint(driver: Driver, spec: PointSpec, placement: Placement | undefined): Promise<BenchPoint> {
  const card = newCard(placement);
  const devs: NetDevice[] = [];
  let txPool: Mempool | undefined;
  try {
    const ports = spec.mode === 'forward' ? [0, 1] as const : [0] as const;
    for (const i of ports) devs.push(await driver.open(card.port(i), { waitForLink: true, linkTimeoutMs: 5000 }));
    if (spec.mode === 'tx') {
      txPool = Mempool.create(devs[0].pci, { count: TX_POOL_BUFFERS });
      prefill(txPool, buildTestFrame(spec.frameSize, macBytes(devs[0].mac), [0x02, 0, 0, 0, 0xee, 0x02]));
    }
    startGenerators(card, spec.mode, spec.frameSize);
    const batches = devs.map(() => new PacketBatch(spec.batch));
    runLoop(spec, devs, batches, txPool, { seconds: spec.warmupSeconds, packets: 0 });
    const before = settledHeapUsed();
    const mark = card.modelLoadMark();
    const r = runLoop(spec, devs, batches, txPool, spec.limit);
    const load = card.modelThreadLoad(mark);
    const heapGrowthBytes = settledHeapUsed() - before;
    return {
      mode: spec.mode, impl: 'ts', batch: spec.batch, frameSize: spec.frameSize, packets: r.packets, ns: r.ns, heapGrowthBytes,
      modelBusy: load.busyFraction, modelCpu: load.cpuFraction,
    };
  } finally {
    for (const d of devs) if (!d.closed) d.close();
    txPool?.destroy();
    card.close();
  }
}
