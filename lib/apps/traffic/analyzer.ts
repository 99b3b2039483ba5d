/**
 * The receive side of generated traffic: reads each received frame's test payload (frame-builder.ts)
 * and counts, per flow, frames received, reordered, duplicated and corrupted, and the latency from
 * the send timestamps. Losses come from the sender's count: lost = sent - received, so the counts
 * always balance. {@link FlowAnalyzer.inspect} is the per-packet hot path (no allocation).
 *
 * - received: good frames (checksums and lengths valid), each sequence number once;
 * - reordered: received frames whose sequence number is below one already received on their flow;
 * - duplicated: good frames whose sequence number was received before (not counted as received);
 *   recognised within the last {@link DUP_WINDOW} sequence numbers, older ones count as reordered;
 * - corrupted: frames with the test magic but a bad IPv4 or UDP checksum or an inconsistent length
 *   (they count as lost: not received), by flow when their flow id is in range;
 * - foreign: frames without the test payload; unexpected: good frames whose sequence number or flow
 *   id this run never sent (left over from an earlier run, or someone else's generator).
 * Latency is software-measured: from the moment the sending loop took its clock reading for the
 * frame's tx batch to the moment the receiving loop's poll returned it, so it includes the time the
 * frame waited in the tx ring, on the wire or in the device under test, and in the rx ring.
 */
import { FrameVerdict, readTestFrame, TestFrameFields } from '../frame-builder';
import { NanoClock } from './clock';

/** Sequence numbers the duplicate detection remembers (a bitmap of 256 KiB). */
export const DUP_WINDOW = 1 << 21;
const WINDOW_WORDS = DUP_WINDOW / 32;
const TWO_32 = 2 ** 32;

/** Latency histogram: 8 buckets per power of two of nanoseconds, up to 2^40 ns. */
const SUB_BUCKETS = 8;
const HIST_BUCKETS = 41 * SUB_BUCKETS;

/** One flow's (or the total's) results. */
export interface FlowResult {
  /** Flow id (`-1` for the total). */
  flow: number;
  /** Frames the sender handed to the tx ring. */
  sent: number;
  /** Good frames received, each sequence number once. */
  received: number;
  /** sent - received: never arrived, or arrived corrupted. */
  lost: number;
  /** Received frames that came after a later one of their flow. */
  reordered: number;
  /** Good frames whose sequence number had been received already (not in `received`). */
  duplicated: number;
  /** Frames with the test magic and a bad checksum or length (part of `lost`). */
  corrupted: number;
  /** Lowest software latency, ns (undefined without a received frame). */
  latency_min_ns?: number;
  /** Mean software latency, ns. */
  latency_avg_ns?: number;
  /** Highest software latency, ns. */
  latency_max_ns?: number;
}

/** Counts the test frames one receiver sees, per flow. */
export class FlowAnalyzer {
  /** Frames without the test payload. */
  foreign = 0;
  /** Good frames with a sequence number or flow id this run never sent. */
  unexpected = 0;
  /** Corrupted frames whose flow id is out of range (counted in no flow). */
  corruptedUnattributed = 0;
  private readonly flowCount: number;
  private readonly received: Float64Array;
  private readonly reordered: Float64Array;
  private readonly duplicated: Float64Array;
  private readonly corrupted: Float64Array;
  private readonly highest: Float64Array;
  private readonly latSum: Float64Array;
  private readonly latCount: Float64Array;
  private readonly latMin: Float64Array;
  private readonly latMax: Float64Array;
  private readonly hist = new Float64Array(HIST_BUCKETS);
  private readonly seen = new Uint32Array(WINDOW_WORDS);
  /** The highest sequence number received ([0]; -1 before any), in a typed array so updates never box a double. */
  private readonly topSeq = new Float64Array([-1]);
  private readonly fields = new TestFrameFields();

  /** An analyzer for `flowCount` flows. */
  constructor(flowCount: number) {
    this.flowCount = flowCount;
    this.received = new Float64Array(flowCount);
    this.reordered = new Float64Array(flowCount);
    this.duplicated = new Float64Array(flowCount);
    this.corrupted = new Float64Array(flowCount);
    this.highest = new Float64Array(flowCount).fill(-1);
    this.latSum = new Float64Array(flowCount);
    this.latCount = new Float64Array(flowCount);
    this.latMin = new Float64Array(flowCount).fill(Infinity);
    this.latMax = new Float64Array(flowCount);
  }

  /** Good frames received so far, all flows. */
  receivedTotal = 0;

  /** [0]: receive time of the current batch ({@link NanoClock} ns); [1]: sequence numbers handed out so far. */
  private readonly batchState = new Float64Array(2);

  /**
   * Sets what {@link inspect} compares with for the next frames: their receive time `nowNs`
   * ({@link NanoClock} time), and `sentSeqs`, the sequence numbers handed out so far (counted past
   * 2^32, not wrapped). Once per batch: doubles pass through a typed array, never boxed per frame.
   */
  setBatch(nowNs: number, sentSeqs: number): void {
    this.batchState[0] = nowNs;
    this.batchState[1] = sentSeqs;
  }

  /** Counts the frame at `data[offset, offset + length)` (see {@link setBatch}). */
  inspect(data: Uint8Array, offset: number, length: number): void {
    const f = this.fields;
    const nowNs = this.batchState[0];
    const sentSeqs = this.batchState[1];
    const verdict = readTestFrame(data, offset, length, f);
    if (verdict === FrameVerdict.Foreign) {
      this.foreign++;
      return;
    }
    const flow = f.flow;
    if (verdict === FrameVerdict.Corrupted) {
      if (flow < this.flowCount) this.corrupted[flow]++;
      else this.corruptedUnattributed++;
      return;
    }
    // The 32-bit sequence number wraps (after 4.3 billion frames): take the full number nearest the highest.
    const top = this.topSeq[0];
    let seq = f.seq + (top < 0 ? 0 : top - (top % TWO_32));
    if (seq - top > TWO_32 / 2) seq -= TWO_32;
    else if (top - seq > TWO_32 / 2) seq += TWO_32;
    if (flow >= this.flowCount || seq < 0 || seq >= sentSeqs) {
      this.unexpected++;
      return;
    }
    // Duplicates: a bitmap of the last DUP_WINDOW sequence numbers, cleared as the highest one advances.
    if (seq > top) {
      const from = top + 1;
      if (seq - from >= DUP_WINDOW) this.seen.fill(0);
      else for (let s = from; s < seq; s++) this.seen[(s % DUP_WINDOW) >>> 5] &= ~(1 << (s & 31));
      this.topSeq[0] = seq;
      this.seen[(seq % DUP_WINDOW) >>> 5] |= 1 << (seq & 31);
    } else if (top - seq < DUP_WINDOW) {
      const word = (seq % DUP_WINDOW) >>> 5;
      const bit = 1 << (seq & 31);
      if ((this.seen[word] & bit) !== 0) {
        this.duplicated[flow]++;
        return;
      }
      this.seen[word] |= bit;
    }
    this.received[flow]++;
    this.receivedTotal++;
    if (seq < this.highest[flow]) this.reordered[flow]++;
    else this.highest[flow] = seq;
    const latency = NanoClock.elapsed(nowNs, f.timestampNs);
    if (latency >= 0) {
      this.latSum[flow] += latency;
      this.latCount[flow]++;
      if (latency < this.latMin[flow]) this.latMin[flow] = latency;
      if (latency > this.latMax[flow]) this.latMax[flow] = latency;
      this.hist[bucketOf(latency)]++;
    }
  }

  /** Per-flow results given the sender's per-flow counts. */
  results(sentPerFlow: Float64Array): FlowResult[] {
    const out: FlowResult[] = [];
    for (let f = 0; f < this.flowCount; f++) {
      const r: FlowResult = {
        flow: f, sent: sentPerFlow[f], received: this.received[f], lost: sentPerFlow[f] - this.received[f],
        reordered: this.reordered[f], duplicated: this.duplicated[f], corrupted: this.corrupted[f],
      };
      if (this.latCount[f] > 0) {
        r.latency_min_ns = this.latMin[f];
        r.latency_avg_ns = Math.round(this.latSum[f] / this.latCount[f]);
        r.latency_max_ns = this.latMax[f];
      }
      out.push(r);
    }
    return out;
  }

  /** The sum over flows of `flows` (from {@link results}), with the corrupted frames no flow claims. */
  total(flows: readonly FlowResult[]): FlowResult {
    const t: FlowResult = { flow: -1, sent: 0, received: 0, lost: 0, reordered: 0, duplicated: 0, corrupted: this.corruptedUnattributed };
    let latSum = 0;
    let latCount = 0;
    for (const r of flows) {
      t.sent += r.sent;
      t.received += r.received;
      t.lost += r.lost;
      t.reordered += r.reordered;
      t.duplicated += r.duplicated;
      t.corrupted += r.corrupted;
    }
    for (let f = 0; f < this.flowCount; f++) {
      latSum += this.latSum[f];
      latCount += this.latCount[f];
      if (this.latCount[f] > 0) {
        t.latency_min_ns = Math.min(t.latency_min_ns ?? Infinity, this.latMin[f]);
        t.latency_max_ns = Math.max(t.latency_max_ns ?? 0, this.latMax[f]);
      }
    }
    if (latCount > 0) t.latency_avg_ns = Math.round(latSum / latCount);
    return t;
  }

  /** The latency below which `q` (0..1) of the received frames fall, ns (bucket upper bound), or undefined. */
  latencyPercentile(q: number): number | undefined {
    let n = 0;
    for (let b = 0; b < HIST_BUCKETS; b++) n += this.hist[b];
    if (n === 0) return undefined;
    const target = q * n;
    let acc = 0;
    for (let b = 0; b < HIST_BUCKETS; b++) {
      acc += this.hist[b];
      if (acc >= target) return bucketUpper(b);
    }
    return bucketUpper(HIST_BUCKETS - 1);
  }
}

/** Histogram bucket of `ns`: 8 per power of two (values below 8 ns each their own). */
function bucketOf(ns: number): number {
  if (ns < SUB_BUCKETS) return Math.floor(ns);
  const v = ns >= 2 ** 40 ? 2 ** 40 - 1 : Math.floor(ns);
  const exp = Math.floor(Math.log2(v));
  const sub = Math.floor((v / 2 ** exp - 1) * SUB_BUCKETS);
  return (exp - 2) * SUB_BUCKETS + sub;
}

/** Upper bound of bucket `b`, ns. */
function bucketUpper(b: number): number {
  if (b < SUB_BUCKETS) return b + 1;
  const exp = Math.floor(b / SUB_BUCKETS) + 2;
  const sub = b % SUB_BUCKETS;
  return Math.ceil(2 ** exp * (1 + (sub + 1) / SUB_BUCKETS));
}
