/**
 * native/binding/sim.cc: the simulated 82599's N-API surface, in the simulator addon tsnic_sim.node.
 * Used only by lib/bus/sim.ts, which validates arguments and gives it a typed, documented face.
 */
import { lazyAddon } from './addon';
import type { NativeModelLoad } from './sim-load';

/**
 * The simulator addon, loaded on its first use (TSNIC_SIM_ADDON=<path to a .node file> loads that
 * build instead). DMA memory for it comes from the production addon's allocHostMemory.
 */
export const simNative = lazyAddon<SimBinding>('tsnic_sim');

/** What `simCreate` returns. */
export interface SimCreated {
  /** Handle of the card for every other call. */
  handle: number;
  /** The two ports' register files (128 KiB each), detached when the card closes. */
  bar0: [ArrayBuffer, ArrayBuffer];
}

/** Card options as the native side reads them (all optional). */
export interface SimNativeCardOptions {
  linkUpDelayUs?: number;
  resetDelayUs?: number;
  autoReadDelayUs?: number;
  /** Base MAC address; port n adds n to the last byte. */
  mac?: number[];
  /** Benchmarks only: tx frames leave as fast as the model moves them, not at line rate. */
  unpacedWire?: boolean;
  /** No model thread: the caller runs passes with `simStep` (or starts the thread with `simSetThread`). */
  lockstep?: boolean;
  /** Tail pages trapped: a tail write waits for a model pass; QPRDC counts DROP_EN drops (SimCardOptions). */
  strictTails?: boolean;
}

/** Fault knobs as the native side reads them. `invalidMac`: 0 valid, 1 zero, 2 multicast. */
export interface SimNativeFaults {
  resetNeverCompletes?: boolean;
  eepromAutoReadNeverCompletes?: boolean;
  badEepromChecksum?: boolean;
  invalidMac?: number;
  dmaInitNeverCompletes?: boolean;
  linkNeverUp?: boolean;
  linkDownForMs?: number;
  rxErrorEvery?: number;
  txPausedForMs?: number;
  /** Device under test on the line to the far end: delay (ns), rate limit (pps, 0 none), queue (frames). */
  delayNs?: number;
  maxRatePps?: number;
  queueFrames?: number;
}

/** Generator settings as the native side reads them. */
export interface SimNativeGenerator {
  ratePps?: number;
  frameSize?: number;
  count?: number;
  srcMac?: number[];
  dstMac?: number[];
  /** UDP source ports 1024 .. 1024 + flows - 1, round robin. */
  flows?: number;
}

/** native/binding/sim.cc */
export interface SimBinding {
  simCreate(options: SimNativeCardOptions): SimCreated;
  /** Stops the model thread, detaches the BAR0 buffers and unmaps them. Idempotent. */
  simClose(handle: number): void;
  /** Lets the card DMA into `bytes`: live memory from the production addon's allocHostMemory. */
  simRegisterDma(handle: number, bytes: ArrayBuffer): void;
  /** Revokes DMA access; returns after the model finished any pass that could touch it. */
  simUnregisterDma(handle: number, bytes: ArrayBuffer): void;
  simSetBusMaster(handle: number, port: number, on: boolean): void;
  /** 0 tester, 1 loopback, 2 cross, 3 unplugged. */
  simSetWiring(handle: number, port: number, wiring: number): void;
  simSetFaults(handle: number, port: number, faults: SimNativeFaults): void;
  simStartGenerator(handle: number, port: number, options: SimNativeGenerator): void;
  simStopGenerator(handle: number, port: number): void;
  /** Fills `out` with the port's counters in native PortCounters order; returns how many there are. */
  simReadCounters(handle: number, port: number, out: Float64Array): number;
  simResetCounters(handle: number, port: number): void;
  simDmaFaults(handle: number): { count: number; lastAddress: number };
  /**
   * Runs `passes` model passes (each one iteration of the model thread's loop, both ports) on the calling
   * thread; returns the nanoseconds spent inside them, measured natively. Throws while the thread runs.
   */
  simStep(handle: number, passes: number): number;
  /**
   * One eventfd per MSI-X vector 0..count-1 of the port, signalled by the model's interrupt unit and
   * watched on Node's loop: `onVector(v)` runs when vector v fired. Replaces what was set.
   */
  simEnableIrqs(handle: number, port: number, count: number, onVector: (vector: number) => void): void;
  /** The port stops signalling, the watchers stop, the eventfds close. Idempotent. */
  simDisableIrqs(handle: number, port: number): void;
  /** Whether the port's eventfd watchers keep the event loop alive. */
  simIrqRef(handle: number, port: number, on: boolean): void;
  /** Messages the port sent on `vector` since the card was created (eventfd or not). */
  simIrqFired(handle: number, port: number, vector: number): number;
  /** CLOCK_MONOTONIC ns of the model pass that latched the rx cause behind the vector's last message (0: none). */
  simIrqLastCause(handle: number, port: number, vector: number): number;
  /** Starts (`true`) or stops and joins (`false`) the card's model thread. */
  simSetThread(handle: number, on: boolean): void;
  /** Pins the card's model thread to `cpu` (-1: any CPU); false when the system refuses. */
  simSetModelCpu(handle: number, cpu: number): boolean;
  /** The model thread's load counter now (native/sim/sim.h `SimModelLoad`). */
  simModelLoad(handle: number): NativeModelLoad;
  /**
   * Forwards `frames` 64-byte frames through a fresh card with a C++ loop as the driver (tester -> rx ->
   * tx -> checker): the model's own speed, for `npm run bench`. The calling thread and the model thread
   * are pinned to different CPUs for the run when the process may use two.
   */
  simSelfTest(frames: number): { frames: number; seconds: number; lostOrCorrupt: number; dmaFaults: number };
  /** A copy of the port's EEPROM image (2048 words). */
  simEeprom(handle: number, port: number): Uint16Array;
}
