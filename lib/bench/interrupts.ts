/**
 * `npm run bench -- --interrupts` (docs/interrupts.md): what receiving on interrupts costs and gives,
 * on the simulated 82599's port 0 through the same apps the CLI runs.
 * - Idle: an idle `capture` (runCapture, no traffic) for `idleSeconds`, adaptive and busy-poll: CPU
 *   time of the driver's thread (the JavaScript main thread, /proc/self/task/<pid>/schedstat) and of
 *   the whole process (process.cpuUsage: it includes the simulated NIC's own model thread).
 * - 10 kpps: the same capture with the tester sending 10 000 frames per second.
 * - Full rate: `stats` (runStatsMonitor: receive and drop) at 10 Gbit/s line rate, 64-byte frames:
 *   received Mpps, adaptive against busy-poll.
 * - Wake-up latency: 1 000 frames per second, one at a time; from the model pass that wrote the frame
 *   back and latched its cause (SimCard.lastInterruptCauseNs) to the JavaScript code after
 *   `await waitForRx()` (process.hrtime.bigint(), the same CLOCK_MONOTONIC): median and p99.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCapture } from '../apps/capture';
import { runStatsMonitor } from '../apps/stats-monitor';
import { defaultSimCard, lineRatePps } from '../bus/sim';
import type { NetDevice, RxMode } from '../device';
import { PacketBatch } from '../memory/batch';
import { openDevice } from '../open';

/** One measured receive run. */
export interface ReceiveRun {
  /** What ran: `capture` (pcap to a temporary file) or `stats` (receive and drop). */
  app: 'capture' | 'stats';
  mode: RxMode;
  /** Offered frames per second (0: idle). */
  offeredPps: number;
  seconds: number;
  received: number;
  /** Received frames per second, millions. */
  mpps: number;
  /** CPU of the driver's (main) thread, percent of one core. */
  driverThreadPct: number;
  /** CPU of the whole process (driver and the simulated NIC's model thread), percent of one core. */
  processPct: number;
}

/** Wake-up latency from frame arrival in the model to JavaScript. */
export interface WakeLatency {
  samples: number;
  medianUs: number;
  p99Us: number;
  maxUs: number;
}

/** Everything `--interrupts` measures. */
export interface InterruptBenchResult {
  idle: ReceiveRun[];
  rate10k: ReceiveRun[];
  fullRate: ReceiveRun[];
  latency: WakeLatency;
  targets: string[];
}

/** Options of {@link runInterruptBench}. */
export interface InterruptBenchOptions {
  /** Seconds of the idle adaptive capture (the issue's 10). */
  idleSeconds: number;
  /** Seconds of every other run. */
  seconds: number;
  /** The CPU for the simulated NIC's model thread (the driver's thread pinned elsewhere), if pinned. */
  modelCpu?: number;
  /** Progress lines. */
  log: (line: string) => void;
}

const FRAME = 60;

/** CPU time of the main thread in ns (schedstat: ns on CPU; else stat's clock ticks). */
function threadCpuNs(): number {
  const dir = `/proc/self/task/${process.pid}`;
  try {
    return Number(fs.readFileSync(`${dir}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    // utime and stime are fields 14 and 15, in clock ticks (100 per second on Linux).
    const fields = fs.readFileSync(`${dir}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 1e7;
  }
}

function processCpuNs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

async function withDevice<T>(mode: RxMode, fn: (dev: NetDevice) => Promise<T>): Promise<T> {
  const dev = await openDevice('sim:0', { rxMode: mode });
  try {
    return await fn(dev);
  } finally {
    if (!dev.closed) dev.close();
    defaultSimCard().tester(0).stopGenerator();
  }
}

/** Runs `app` on sim:0 in `mode` for `seconds` with the tester offering `offeredPps` (0: none). */
async function receiveRun(app: 'capture' | 'stats', mode: RxMode, offeredPps: number, seconds: number): Promise<ReceiveRun> {
  return await withDevice(mode, async (dev) => {
    const tester = defaultSimCard().tester(0);
    if (offeredPps > 0) tester.startGenerator({ ratePps: offeredPps >= lineRatePps(FRAME) ? 'line' : offeredPps, frameSize: FRAME });
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tsnic-bench-irq-'));
    const thread0 = threadCpuNs();
    const process0 = processCpuNs();
    const start = process.hrtime.bigint();
    try {
      const totals = app === 'capture'
        ? await runCapture(dev, { out: path.join(tmp, 'x.pcap'), durationS: seconds })
        : await runStatsMonitor(dev, { durationS: seconds });
      const wallNs = Number(process.hrtime.bigint() - start);
      return {
        app, mode, offeredPps, seconds: wallNs / 1e9, received: totals.rx_packets,
        mpps: totals.rx_packets / (wallNs / 1e3),
        driverThreadPct: ((threadCpuNs() - thread0) / wallNs) * 100,
        processPct: ((processCpuNs() - process0) / wallNs) * 100,
      };
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** 1000 frames per second, one per wake-up: arrival in the model to the code after `await waitForRx()`. */
async function wakeLatency(seconds: number): Promise<WakeLatency> {
  return await withDevice('adaptive', async (dev) => {
    const card = defaultSimCard();
    const batch = new PacketBatch(64);
    const samples: number[] = [];
    card.tester(0).startGenerator({ ratePps: 1000, frameSize: FRAME });
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end) {
      if (dev.rxBatch(0, batch) > 0) {
        batch.freeAll();
        continue;
      }
      const before = card.interruptsFired(0, 0);
      const woken = await dev.waitForRx(0, { timeoutMs: 100 });
      const now = process.hrtime.bigint();
      if (!woken || card.interruptsFired(0, 0) === before) continue;
      const cause = card.lastInterruptCauseNs(0, 0);
      if (cause > 0) samples.push((Number(now) - cause) / 1000);
    }
    samples.sort((a, b) => a - b);
    return { samples: samples.length, medianUs: quantile(samples, 0.5), p99Us: quantile(samples, 0.99), maxUs: samples[samples.length - 1] ?? NaN };
  });
}

/** Runs every measurement in turn (about idleSeconds + 6 x seconds + a few seconds of opens). */
export async function runInterruptBench(o: InterruptBenchOptions): Promise<InterruptBenchResult> {
  // Two spinning threads on one core starve each other (docs/benchmark.md, thread placement).
  if (o.modelCpu !== undefined) defaultSimCard({ linkUpDelayMs: 1 }).pinModelThread(o.modelCpu);
  const idle: ReceiveRun[] = [];
  const rate10k: ReceiveRun[] = [];
  const fullRate: ReceiveRun[] = [];
  const show = (r: ReceiveRun): void =>
    o.log(`  ${r.app} ${r.mode} at ${r.offeredPps === 0 ? 'idle' : `${Math.round(r.offeredPps)} pps`}: ${r.received} frames, ${r.mpps.toFixed(3)} Mpps, driver thread ${r.driverThreadPct.toFixed(2)}% of a core, process ${r.processPct.toFixed(1)}%`);
  o.log(`idle capture, ${o.idleSeconds} s adaptive and ${o.seconds} s busy-poll:`);
  for (const [mode, s] of [['adaptive', o.idleSeconds], ['poll', o.seconds]] as const) {
    const r = await receiveRun('capture', mode, 0, s);
    idle.push(r);
    show(r);
  }
  o.log('capture at 10 kpps:');
  for (const mode of ['adaptive', 'poll'] as const) {
    const r = await receiveRun('capture', mode, 10_000, o.seconds);
    rate10k.push(r);
    show(r);
  }
  o.log('stats at line rate (64-byte frames):');
  for (const mode of ['adaptive', 'poll'] as const) {
    const r = await receiveRun('stats', mode, lineRatePps(FRAME), o.seconds);
    fullRate.push(r);
    show(r);
  }
  o.log('wake-up latency at 1 kpps:');
  const latency = await wakeLatency(o.seconds);
  o.log(`  ${latency.samples} wake-ups: median ${latency.medianUs.toFixed(1)} us, p99 ${latency.p99Us.toFixed(1)} us, max ${latency.maxUs.toFixed(1)} us`);
  const targets: string[] = [];
  const idleAdaptive = idle[0].driverThreadPct;
  targets.push(`idle capture, driver thread: ${idleAdaptive.toFixed(2)}% of a core (target < 2%; busy-poll ${idle[1].driverThreadPct.toFixed(0)}%): ${idleAdaptive < 2 ? 'met' : 'NOT met'}`);
  const share = fullRate[1].mpps > 0 ? fullRate[0].mpps / fullRate[1].mpps : 0;
  targets.push(`line rate, adaptive ${fullRate[0].mpps.toFixed(2)} Mpps = ${(share * 100).toFixed(0)}% of busy-poll's ${fullRate[1].mpps.toFixed(2)} (target >= 90%): ${share >= 0.9 ? 'met' : 'NOT met'}`);
  return { idle, rate10k, fullRate, latency, targets };
}

/** The human-readable summary. */
export function formatInterruptBench(r: InterruptBenchResult): string {
  const rows = [...r.idle, ...r.rate10k, ...r.fullRate].map((x) =>
    `${x.app.padEnd(8)}${x.mode.padEnd(10)}${(x.offeredPps === 0 ? 'idle' : x.offeredPps >= 1e6 ? `${(x.offeredPps / 1e6).toFixed(2)} Mpps` : `${x.offeredPps / 1000} kpps`).padEnd(12)}` +
    `${x.mpps.toFixed(3).padStart(9)}${x.driverThreadPct.toFixed(2).padStart(10)}%${x.processPct.toFixed(1).padStart(10)}%`);
  return [
    'app     mode      offered        Mpps  driver thread   process',
    ...rows,
    `wake-up latency (1 kpps, ${r.latency.samples} wake-ups): median ${r.latency.medianUs.toFixed(1)} us, p99 ${r.latency.p99Us.toFixed(1)} us`,
    ...r.targets,
  ].join('\n') + '\n';
}
