/** native/binding/bench.cc: the benchmark's native reference loop and thread pinning, in tsnic_sim.node. */
import { lazyAddon } from '../bus/addon';

/** The benchmark's part of the simulator addon, loaded on its first use. */
export const benchNative = lazyAddon<BenchBinding>('tsnic_sim');

/** Options of {@link BenchBinding.benchReference}. */
export interface BenchReferenceOptions {
  /** Register files of the ports (`SimPort.bar0.buffer`): port 0, and port 1 for forwarding. */
  bar0: ArrayBuffer[];
  /** DMA memory registered with the card, at least {@link BenchBinding.benchReferenceBytes} bytes. */
  dma: ArrayBuffer;
  /** Bus address of `dma`. */
  iova: number;
  /** 0 tx only (port 0), 1 rx only (port 0), 2 forward port 0 <-> port 1. */
  mode: 0 | 1 | 2;
  /** Packets per rx/tx call, 1..256. */
  batch: number;
  /** Transmitted frame size without FCS (tx only), 60..2048. */
  frameSize: number;
  /** Stop after this many seconds ... */
  seconds: number;
  /** ... or after this many packets (0: no limit). */
  packets: number;
  /**
   * Handle of a lockstep SimCard (`SimCard.handle`): its model thread runs only while the rings are set
   * up and torn down; the measured loop runs one model pass per iteration and reports their time apart.
   */
  lockstepCard?: number;
  /**
   * Handle of a threaded SimCard (`SimCard.handle`, its model thread running): the result's
   * `modelBusyNs` is that thread's busy time over the measured loop (`SimCard.modelThreadLoad`).
   */
  modelCard?: number;
}

/** What the native reference measured. */
export interface BenchReferenceResult {
  /** tx: frames queued; rx: frames harvested; forward: frames forwarded (both directions). */
  packets: number;
  /** Duration of the measured loop in nanoseconds. */
  ns: number;
  /** Lockstep: the part of `ns` spent inside model passes (0 otherwise). */
  modelNs: number;
  /** With `modelCard`: the model thread's busy time during the measured loop, ns (0 otherwise). */
  modelBusyNs: number;
  /** With `modelCard`: the CPU time the model thread got during the measured loop, ns (0 otherwise). */
  modelCpuNs: number;
}

/** native/binding/bench.cc */
export interface BenchBinding {
  /**
   * Runs the native reference driver loop on a fresh simulated card: sets up the rings (ring size
   * 512, 2 KiB buffers), runs, disables the queues. Throws ERR_LINK_TIMEOUT when the link stays down.
   */
  benchReference(options: BenchReferenceOptions): BenchReferenceResult;
  /** DMA bytes the native reference needs. */
  benchReferenceBytes(): number;
  /**
   * Instruction-count markers (native/bench/count_marks.h): empty native calls that a callgrind run
   * started with --zero-before=tsnic_count_begin --dump-before=tsnic_count_end turns into one dump of
   * exactly the instructions in between. The native reference calls them around its measured loop.
   */
  benchCountBegin(): void;
  /** See {@link benchCountBegin}. */
  benchCountEnd(): void;
  /** Pins the calling thread (the JavaScript main thread) to `cpu`; false when the system refuses. */
  benchPinThread(cpu: number): boolean;
}
