/**
 * Sending generated traffic, and optionally receiving it back, in one polling loop: {@link runTrial}
 * sends on one device and receives on another (or the same, through loopback) what came through the
 * wire, a device under test or the simulated card's cross wiring, and reports per flow what arrived
 * (analyzer.ts). `runPktgen` (pktgen.ts) is the same loop without a receiver.
 *
 * The loop hands a batch to the tx ring, then empties every rx queue, so a receiver on the same
 * thread never falls behind the sender by more than the frames in flight: on a link without loss
 * (cross wiring) nothing is missed whatever the machine's speed. At the end it stops sending and
 * keeps receiving until every frame sent is accounted for (on a simulated card: on the wire and then
 * received or counted lost by the port), or nothing arrived for {@link DRAIN_QUIET_MS}, at most
 * {@link DRAIN_TIMEOUT_MS}.
 */
import { performance } from 'node:perf_hooks';
import type { NetDevice } from '../../device';
import { checkInteger, TsnicError } from '../../errors';
import { PacketBatch } from '../../memory/batch';
import { PortMeter, type IntervalStats } from '../interval-stats';
import { batchSize, REPORT_MS, runLimits, SLICE_MS, sleep, yieldToEventLoop } from '../loop';
import { peerOf } from '../peer';
import { RateLimiter } from '../rate-limiter';
import { waitForTxDrain } from '../tx-drain';
import { FlowAnalyzer, type FlowResult } from './analyzer';
import { NanoClock } from './clock';
import { formatFlow } from './flows';
import { TrafficGenerator, type TrafficSpec } from './generator';
import { lineBpsOf, ratePps, toRate, type Rate } from './rate';
import { generatorTxPool } from '../tx-pool';

/** Options shared by {@link runTrial} and runPktgen: what to send, how much, how fast. */
export interface TrafficRunOptions extends TrafficSpec {
  /** Frames to send. */
  count?: number;
  /** Seconds to send. */
  durationS?: number;
  /**
   * Rate: a {@link Rate} or its text (`14.88Mpps`, `500kpps`, `5Gbps` on the wire, `50%` of line
   * rate). Default: as fast as the tx ring takes frames.
   */
  rate?: Rate | string;
  /**
   * Line rate in bits per second for `%` rates. Default: the tx device's link speed (10 Gbit/s on the
   * 82599 and the simulated card), 10 Gbit/s while its link is down.
   */
  lineBps?: number;
  /** Frames per txBatch call, 1..1024. Default 64. */
  batch?: number;
  /** Tx queue. Default 0. */
  queue?: number;
  /** Stops sending early (the results are still returned). */
  signal?: AbortSignal;
}

/** Options of {@link runTrial}. Without `count` or `durationS` it runs until `signal` aborts. */
export interface TrialOptions extends TrafficRunOptions {
  /** Called once per second with the tx device's and the rx device's interval records. */
  onInterval?: (records: IntervalStats[]) => void;
}

/** What a trial found. Counts balance: for every flow and the total, `sent = received + lost`. */
export interface TrialResult {
  /** The transmitting device's totals (`type: 'total'`, rates in the tx direction). */
  tx: IntervalStats;
  /** The receiving device's totals (rates in the rx direction). */
  rx: IntervalStats;
  /** Per flow, by flow id. */
  flows: FlowResultWithTuple[];
  /** Sum over the flows. */
  total: FlowResult;
  /** Frames received that were not generator frames. */
  foreign: number;
  /** Good generator frames this trial never sent (from an earlier run, or another generator). */
  unexpected: number;
  /** Median software latency, ns (histogram bucket upper bound), when any frame was received. */
  latency_p50_ns?: number;
  /** 99th percentile software latency, ns. */
  latency_p99_ns?: number;
  /** Always `'software'`: timestamps are taken by the polling loops, not by the NICs. */
  latency_clock: 'software';
}

/** A flow's result with its addresses and ports. */
export interface FlowResultWithTuple extends FlowResult {
  /** `10.0.0.1:1024 -> 10.0.0.2:1024`. */
  tuple: string;
}

/** A receiving trial ends once nothing arrived for this long after sending stopped, ms (without exact accounting). */
export const DRAIN_QUIET_MS = 100;
/** Longest wait for frames still in flight after sending stopped, ms. */
export const DRAIN_TIMEOUT_MS = 2000;

/** What {@link runTraffic} returns. */
export interface TrafficRun {
  /** The tx device's totals. */
  tx: IntervalStats;
  /** The rx device's totals, with a receiver. */
  rx?: IntervalStats;
  /** The generator (per-flow sent counts, flows). */
  generator: TrafficGenerator;
  /** The analyzer, with a receiver. */
  analyzer?: FlowAnalyzer;
}

/**
 * The loop behind runPktgen and {@link runTrial}: sends generated traffic on `tx` (and with `rx`,
 * receives and analyzes on every rx queue of `rx`) until the limits, then drains.
 * @internal
 */
export async function runTraffic(
  tx: NetDevice,
  rx: NetDevice | undefined,
  opts: TrafficRunOptions,
  onInterval: ((records: IntervalStats[]) => void) | undefined,
): Promise<TrafficRun> {
  const capacity = batchSize(opts.batch);
  const queue = checkInteger('queue', opts.queue ?? 0, 0, tx.txQueueCount - 1);
  const gen = new TrafficGenerator(opts, tx.mac);
  const rate = opts.rate === undefined ? undefined : toRate('rate', opts.rate);
  const pps = rate === undefined ? 0 : ratePps(rate, gen.meanSize, lineBpsOf(tx, opts.lineBps));
  runLimits(opts.count, opts.durationS, 0);

  const pool = generatorTxPool(tx);
  const data = pool.data;
  const bufSize = pool.bufferSize;
  gen.prepare(data, pool.count, bufSize);
  const batch = new PacketBatch(capacity);
  batch.pool = pool;
  const ids = batch.ids;
  const lengths = batch.lengths;
  const analyzer = rx === undefined ? undefined : new FlowAnalyzer(gen.flows.count);
  const rxBatch = new PacketBatch(capacity);
  const rxQueues = rx === undefined ? 0 : rx.rxQueueCount;
  const clock = new NanoClock();

  const txPeer = peerOf(tx);
  const rxPeer = rx === undefined ? undefined : peerOf(rx);
  txPeer?.resetStats();
  if (rxPeer !== txPeer) rxPeer?.resetStats();
  const start = performance.now();
  const limits = runLimits(opts.count, opts.durationS, start);
  const limiter = new RateLimiter(pps, start);
  const txMeter = new PortMeter(tx, txPeer, 'tx', start);
  const rxMeter = rx === undefined ? undefined : new PortMeter(rx, rxPeer, 'rx', start);
  const signal = opts.signal;
  const count = limits.count;
  let nextReport = start + REPORT_MS;
  let sent = 0;
  let sentBytes = 0;
  let pendingBytes = 0;
  let rxBytes = 0;
  let now = start;

  /** Empties every rx queue once; returns the frames received. */
  const poll = (): number => {
    if (rx === undefined || analyzer === undefined) return 0;
    let total = 0;
    for (let q = 0; q < rxQueues; q++) {
      let n: number;
      do {
        n = rx.rxBatch(q, rxBatch);
        const rxPool = rxBatch.pool;
        if (n === 0 || rxPool === null) break;
        const rxData = rxPool.data;
        const rxBuf = rxPool.bufferSize;
        const rxIds = rxBatch.ids;
        const rxLengths = rxBatch.lengths;
        analyzer.setBatch(clock.at(performance.now()), gen.written);
        for (let i = 0; i < n; i++) {
          analyzer.inspect(rxData, rxIds[i] * rxBuf, rxLengths[i]);
          rxBytes += rxLengths[i];
        }
        rxBatch.freeAll();
        total += n;
      } while (n === capacity);
    }
    if (rxMeter !== undefined) {
      rxMeter.rxPackets += total;
      rxMeter.rxBytes = rxBytes;
    }
    return total;
  };

  const report = (): void => {
    if (onInterval === undefined) return;
    const records = [txMeter.interval(now)];
    if (rxMeter !== undefined) records.push(rxMeter.interval(now));
    onInterval(records);
  };

  try {
    while (sent < count && now < limits.deadlineMs && signal?.aborted !== true) {
      const sliceEnd = now + SLICE_MS;
      while (sent < count && now < sliceEnd) {
        // Fill the batch up to what the rate and the count allow; unsent frames stay for the next call.
        const have = batch.count;
        let want = limiter.allowance(now, sent + have, capacity - have);
        if (want > count - sent - have) want = count - sent - have;
        const got = want > 0 ? pool.allocBulk(ids, have, want) : 0;
        if (got > 0) {
          gen.stamp(clock.at(now));
          for (let i = have; i < have + got; i++) {
            const size = gen.fill(data, ids[i] * bufSize);
            lengths[i] = size;
            pendingBytes += size;
          }
        }
        batch.count = have + got;
        const n = tx.txBatch(queue, batch);
        if (n > 0) {
          let left = 0;
          for (let i = 0; i < batch.count; i++) left += lengths[i];
          sent += n;
          sentBytes += pendingBytes - left;
          pendingBytes = left;
        }
        if (rx !== undefined) poll();
        now = performance.now();
      }
      txMeter.txPackets = sent;
      txMeter.txBytes = sentBytes;
      if (now >= nextReport) {
        nextReport += REPORT_MS;
        report();
      }
      await yieldToEventLoop();
      now = performance.now();
    }
  } finally {
    // Frames allocated but not taken by the ring were never sent: take back their count and return them.
    if (!tx.closed) {
      for (let i = 0; i < batch.count; i++) gen.unsend(data, ids[i] * bufSize);
      batch.freeAll();
    }
  }
  const end = performance.now();
  let rxMeterEnd: IntervalStats | undefined;
  if (rx === undefined) {
    await waitForTxDrain(tx, txPeer === undefined ? undefined : () => txMeter.peerRxPackets() ?? 0, sent);
  } else if (rxMeter !== undefined && analyzer !== undefined) {
    await drainReceiver(poll, txMeter, rxMeter, sent);
    rxMeterEnd = rxMeter.total(performance.now());
  }
  txMeter.txPackets = sent;
  txMeter.txBytes = sentBytes;
  return { tx: txMeter.total(end), rx: rxMeterEnd, generator: gen, analyzer };
}

/**
 * After sending stopped: receives until every frame sent is accounted for (with simulated peers:
 * the tx port put all of them on the wire and none is in flight to the rx port), or nothing
 * arrived for {@link DRAIN_QUIET_MS}, at most {@link DRAIN_TIMEOUT_MS}.
 */
async function drainReceiver(poll: () => number, txMeter: PortMeter, rxMeter: PortMeter, sent: number): Promise<void> {
  const startMs = performance.now();
  let quietSince = startMs;
  for (;;) {
    const sliceEnd = performance.now() + SLICE_MS;
    let got = 0;
    while (performance.now() < sliceEnd) got += poll();
    const now = performance.now();
    if (got > 0) quietSince = now;
    const onWire = txMeter.peerRxPackets();
    const inFlight = rxMeter.inFlight();
    if (onWire !== undefined && inFlight !== undefined) {
      if (onWire >= sent && inFlight <= 0) return;
    } else if (now - quietSince >= DRAIN_QUIET_MS) return;
    if (now - startMs >= DRAIN_TIMEOUT_MS) return;
    await sleep(0);
  }
}

/**
 * Sends generated traffic on `tx` and receives it on `rx` (another device, or `tx` itself through
 * loopback) in one loop, and reports per flow what arrived: received, lost (sent - received),
 * reordered, duplicated, corrupted, and software latency from the send timestamps.
 *
 * Sender and receiver share one thread: while it sends, frames already handed to the tx ring keep
 * flowing into `rx`. Open `rx` with an rx ring that holds what can be in flight (the tx ring plus the
 * NIC's tx packet buffer: `{ rxRingSize: 4096, mempoolSize: 8192 }`, as `tsnic pktgen --rx` does), or
 * frames the loop had no time to take are missed by the NIC (`rx.rx_missed`) and count as lost.
 *
 * @example
 * const a = await openDevice('sim:0,wiring=cross');
 * const b = await openDevice('sim:1', { rxRingSize: 4096, mempoolSize: 8192 });
 * const r = await runTrial(a, b, { count: 1_000_000, rate: '50%', size: 'imix', flows: { srcPort: '1024-1031' } });
 * console.log(r.total.sent, r.total.received, r.total.lost, r.latency_p99_ns);
 */
export async function runTrial(tx: NetDevice, rx: NetDevice, opts: TrialOptions = {}): Promise<TrialResult> {
  if (typeof rx !== 'object' || rx === null) throw new TsnicError('ERR_INVALID_ARG', 'runTrial needs a receiving device: runTrial(tx, rx, options)');
  const run = await runTraffic(tx, rx, opts, opts.onInterval);
  const analyzer = run.analyzer;
  if (analyzer === undefined || run.rx === undefined) throw new TsnicError('ERR_INVALID_ARG', 'runTrial needs a receiving device');
  const gen = run.generator;
  const flows = analyzer.results(gen.sentPerFlow).map((r) => ({ ...r, tuple: formatFlow(gen.flows, r.flow) }));
  const result: TrialResult = {
    tx: run.tx, rx: run.rx, flows, total: analyzer.total(flows), foreign: analyzer.foreign, unexpected: analyzer.unexpected,
    latency_clock: 'software',
  };
  const p50 = analyzer.latencyPercentile(0.5);
  const p99 = analyzer.latencyPercentile(0.99);
  if (p50 !== undefined) result.latency_p50_ns = p50;
  if (p99 !== undefined) result.latency_p99_ns = p99;
  return result;
}
