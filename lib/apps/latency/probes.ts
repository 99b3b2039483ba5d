/**
 * The probe scheduler: one latency probe in flight at a time (the 82599 latches one timestamp of each
 * kind), a new one every `intervalMs` once the previous came back or timed out. A load loop calls
 * {@link ProbeScheduler.poll} each iteration and hands it every received frame
 * ({@link ProbeScheduler.onFrame}); the scheduler sends probes through the loop's tx device in a
 * txBatch of their own (the 82599 marks the first frame of the next txBatch for a timestamp).
 */
import type { NetDevice } from '../../device';
import { TsnicError } from '../../errors';
import { PacketBatch } from '../../memory/batch';
import { Mempool } from '../../memory/mempool';
import { buildProbe, probeSequence, probeSize, writeProbeSequence } from './probe';
import { LatencyRecorder } from './stats';
import { wrappedDifference, type ProbeTimer } from './timer';

/** Options of a {@link ProbeScheduler}. */
export interface ProbeOptions {
  /** Size of the frames under test (FCS excluded); probes are at least 76 bytes. */
  size: number;
  /** Destination and source MAC of the probes (those of the load). */
  dstMac: Uint8Array;
  srcMac: Uint8Array;
  /** Milliseconds between probes (from the previous probe's send). Default 1. */
  intervalMs?: number;
  /** A probe not back after this many ms counts as lost. Default 200. */
  timeoutMs?: number;
  /** Tx queue. Default 0. */
  queue?: number;
}

/** Probe buffers per device: a few in the tx ring at a time. */
const PROBE_POOL_BUFFERS = 64;
const probePools = new WeakMap<NetDevice, Mempool>();

function probePoolOf(dev: NetDevice): Mempool {
  let pool = probePools.get(dev);
  if (pool === undefined) {
    pool = Mempool.create(dev.pci, { count: PROBE_POOL_BUFFERS, bufferSize: 2048 });
    probePools.set(dev, pool);
  }
  return pool;
}

/** Longest a probe's txBatch may find the tx ring full before the run fails. */
const TX_STUCK_MS = 1000;

/** Sends latency probes through `tx` and times them as `rx` receives them. */
export class ProbeScheduler {
  /** The run's samples. */
  readonly recorder: LatencyRecorder;
  private readonly pool: Mempool;
  private readonly batch = new PacketBatch(1);
  private readonly template: Uint8Array;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly queue: number;
  private seq = 0;
  private inFlight = false;
  private sentAtMs = -Infinity;

  constructor(private readonly tx: NetDevice, private readonly timer: ProbeTimer, opts: ProbeOptions) {
    this.intervalMs = opts.intervalMs ?? 1;
    this.timeoutMs = opts.timeoutMs ?? 200;
    if (!(this.intervalMs > 0) || !(this.timeoutMs > 0)) {
      throw new TsnicError('ERR_INVALID_ARG', `probe interval and timeout must be above 0 ms, got ${this.intervalMs} and ${this.timeoutMs}`);
    }
    this.queue = opts.queue ?? 0;
    this.template = buildProbe(probeSize(opts.size), opts.dstMac, opts.srcMac);
    this.pool = probePoolOf(tx);
    this.batch.pool = this.pool;
    this.recorder = new LatencyRecorder(timer.kind, timer.resolutionNs);
    this.recorder.syncUncertaintyNs = timer.syncUncertaintyNs;
  }

  /** Frames a probe puts on the wire (for the run's frame count). */
  get sent(): number {
    return this.recorder.probesSent;
  }

  /** Sends the next probe when it is due; times out the one in flight. */
  poll(nowMs: number): void {
    if (this.inFlight) {
      if (nowMs - this.sentAtMs < this.timeoutMs) return;
      this.recorder.probesLost++;
      this.inFlight = false;
      this.timer.reset();
    }
    if (nowMs - this.sentAtMs < this.intervalMs) return;
    this.send(nowMs);
  }

  /**
   * A frame rx just received: true when it is a probe (consumed here), false when it is not.
   * Call it right after rxBatch returned, before other work, for software timestamps.
   */
  onFrame(data: Uint8Array, offset: number, length: number): boolean {
    const seq = probeSequence(data, offset, length);
    if (seq < 0) return false;
    if (!this.inFlight || seq !== (this.seq & 0xffff)) return true;  // a late probe, already counted lost
    this.inFlight = false;
    const rx = this.timer.rxNs(seq);
    const tx = this.timer.txNs();
    if (rx === undefined || tx === undefined) {
      this.recorder.probesUnstamped++;
      this.timer.reset();
      return true;
    }
    this.recorder.add(wrappedDifference(rx, tx, this.timer.wrapNs));
    return true;
  }

  /** Ends the run: a probe still in flight counts as lost. */
  finish(): void {
    if (this.inFlight) {
      this.recorder.probesLost++;
      this.inFlight = false;
      this.timer.reset();
    }
  }

  private send(nowMs: number): void {
    const pool = this.pool;
    const id = pool.alloc();
    if (id < 0) return;  // every probe buffer still in the tx ring: try again next poll
    this.seq = (this.seq + 1) & 0xffff;
    const off = pool.offsetOf(id);
    pool.data.set(this.template, off);
    writeProbeSequence(pool.data, off, this.seq);
    const batch = this.batch;
    batch.ids[0] = id;
    batch.lengths[0] = this.template.length;
    batch.count = 1;
    const deadline = Date.now() + TX_STUCK_MS;
    // The probe must be the first frame of its txBatch: retry until the ring takes it.
    for (;;) {
      this.timer.beforeSend(this.queue);
      if (this.tx.txBatch(this.queue, batch) === 1) break;
      if (Date.now() > deadline) {
        batch.freeAll();
        throw new TsnicError('ERR_QUEUE_TIMEOUT', `${this.tx.pci.address}: the tx ring took no latency probe for ${TX_STUCK_MS} ms: is the link up and the device sending?`);
      }
    }
    this.recorder.probesSent++;
    this.inFlight = true;
    this.sentAtMs = nowMs;
  }
}
