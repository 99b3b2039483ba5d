/**
 * The transmit side of generated traffic: what each frame is (flow, size) and writing it into a tx
 * buffer, with the per-flow count of frames sent. Built once per run from a {@link TrafficSpec};
 * {@link TrafficGenerator.fill} is the per-packet hot path (no allocation).
 */
import { checkInteger } from '../../errors';
import { parseMac, TestFrameWriter, type VlanTag } from '../frame-builder';
import { buildFlows, type FlowSpec, type Flows } from './flows';
import { XorShift32 } from './random';
import { maxFrameSize, meanFrameSize, SizeSequence, toFrameSizes, type FrameSizes } from './sizes';

/** What traffic to generate. */
export interface TrafficSpec {
  /** Frame sizes: a number, a {@link FrameSizes} or its text form (`60`, `60-1514:4`, `random:60-1514`, `imix`). Default 60. */
  size?: FrameSizes | number | string;
  /** Flows (addresses and ports, ranges, order). Default one flow 10.0.0.1:1024 -> 10.0.0.2:1024. */
  flows?: FlowSpec;
  /** An 802.1Q tag on every frame. Default none. */
  vlan?: VlanTag;
  /** Destination MAC. Default 02:00:00:00:ee:01 (the simulated tester). */
  dstMac?: string;
  /** Source MAC. Default the transmitting device's own. */
  srcMac?: string;
  /** Seed of the random choices (random flows or sizes), for a repeatable run. Default 1. */
  seed?: number;
}

/** Per-run state of the generator. */
export class TrafficGenerator {
  /** The flows. */
  readonly flows: Flows;
  /** The frame sizes. */
  readonly sizes: FrameSizes;
  /** Mean frame size (FCS excluded): a bit rate becomes a packet rate with it. */
  readonly meanSize: number;
  /** Frames sent per flow id (the caller counts a frame once the tx ring took it: {@link unsend} undoes one). */
  readonly sentPerFlow: Float64Array;
  /** The frame writer (layout, tagged or not). */
  readonly writer: TestFrameWriter;
  private readonly sizeSeq: SizeSequence;
  private readonly rng: XorShift32;
  private readonly random: boolean;
  private nextFlow = 0;
  /**
   * [0]: the frame's sequence number (32-bit), [1], [2]: the batch's timestamp, bits 47:32 and 31:0
   * (what {@link TestFrameWriter.write} reads); [3]: sequence numbers handed out (not wrapped).
   */
  private readonly state = new Float64Array(4);

  /** Resolves `spec` for a device whose MAC is `deviceMac`; ERR_INVALID_ARG on a bad field. */
  constructor(spec: TrafficSpec, deviceMac: string) {
    this.sizes = toFrameSizes('size', spec.size ?? 60);
    this.flows = buildFlows(spec.flows);
    this.rng = new XorShift32(checkInteger('seed', spec.seed ?? 1, 0, 0xffffffff));
    this.sizeSeq = new SizeSequence(this.sizes, this.rng);
    this.random = this.flows.order === 'random';
    this.meanSize = meanFrameSize(this.sizes);
    this.sentPerFlow = new Float64Array(this.flows.count);
    const dst = parseMac('dstMac', spec.dstMac ?? '02:00:00:00:ee:01');
    const src = parseMac('srcMac', spec.srcMac ?? deviceMac);
    this.writer = new TestFrameWriter(dst, src, spec.vlan, this.flows, maxFrameSize(this.sizes));
  }

  /** Prepares every buffer of a pool (`count` buffers of `bufferSize` bytes in `data`) with the constant bytes. */
  prepare(data: Uint8Array, count: number, bufferSize: number): void {
    const frameBytes = this.writer.maxSize;
    this.writer.fillBuffer(data, 0);
    for (let id = 1; id < count; id++) data.copyWithin(id * bufferSize, 0, frameBytes);
  }

  /** Sequence numbers handed out so far (frames written by {@link fill}, not wrapped at 2^32). */
  get written(): number {
    return this.state[3];
  }

  /**
   * Sets the send timestamp of the next frames: `ns`, a {@link NanoClock} time (48 bits). Once per
   * batch: doubles pass through a typed array, never boxed per frame.
   */
  stamp(ns: number): void {
    this.state[1] = Math.floor(ns / 2 ** 32);
    this.state[2] = ns % 2 ** 32;
  }

  /**
   * Writes the next frame into the buffer at `data[offset..]`: the next sequence number, the timestamp
   * {@link stamp} set (see frame-builder.ts); counts it sent on its flow and returns its size.
   */
  fill(data: Uint8Array, offset: number): number {
    const state = this.state;
    const seq = state[3];
    state[3] = seq + 1;
    state[0] = seq % 2 ** 32;
    const n = this.flows.count;
    let flow: number;
    if (this.random) flow = n === 1 ? 0 : this.rng.below(n);
    else {
      flow = this.nextFlow;
      this.nextFlow = flow + 1 === n ? 0 : flow + 1;
    }
    const size = this.sizeSeq.next();
    this.writer.write(data, offset, flow, size, state);
    this.sentPerFlow[flow]++;
    return size;
  }

  /** Takes back the count of the frame at `data[offset..]`, written by {@link fill} but never sent. */
  unsend(data: Uint8Array, offset: number): void {
    const p = offset + this.writer.layout.payload;
    this.sentPerFlow[(data[p + 4] << 8) | data[p + 5]]--;
  }
}
